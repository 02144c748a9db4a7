"""The catalog's staff API (S1, S12): create and change products and categories, publish or
unpublish products in bulk. Session sign-in with CSRF (as the back office), permission
``catalog.manage_catalog``; every write goes through a service that validates everything, writes
all or nothing, audits, and publishes ``ProductsChanged`` so the storefront follows."""

# No ``from __future__ import annotations``: see storefront/api.py.

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from storeteam.catalog import category_services, product_services
from storeteam.catalog.models import CategoryTranslation, ProductTranslation
from storeteam.catalog.services import VariantSpec
from storeteam.core.access import Access, api_access, api_session
from storeteam.core.api_schemas import ERRORS_STAFF, Language, PlainText
from storeteam.team.roles import MANAGE_CATALOG

router = Router(tags=["catalog (staff)"])
# Declared once: ``api_session`` checks it before the body is read, ``api_access`` declares it.
MANAGE = Access("staff", MANAGE_CATALOG)

TaxClassName = Literal["standard", "reduced", "zero"]
MAX_ID = 2_147_483_647
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class TextsIn(Schema):
    """A name, description and slug in one language; a missing one stays as it is (a new
    product's slug is made from its name)."""

    name: Annotated[PlainText, Field(min_length=1, max_length=200)] | None = None
    description: Annotated[PlainText, Field(max_length=20_000)] | None = None
    slug: Annotated[PlainText, Field(min_length=1, max_length=200)] | None = None


class ValueIn(Schema):
    attribute: Annotated[PlainText, Field(min_length=1, max_length=60)]
    value: Annotated[PlainText, Field(min_length=1, max_length=80)]


class VariantIn(Schema):
    sku: Annotated[PlainText, Field(min_length=1, max_length=64)]
    barcode: Annotated[PlainText, Field(min_length=1, max_length=32)] | None = None
    weight_grams: Annotated[int, Field(ge=0, le=MAX_ID)] = 0
    values: Annotated[list[ValueIn], Field(max_length=20)] = Field(
        default_factory=list, description="Values on variant axes (size, colour)."
    )


class ProductIn(Schema):
    category_id: Id
    texts: dict[Language, TextsIn] = Field(description="At least the English name.")
    attributes: Annotated[list[ValueIn], Field(max_length=100)] = Field(default_factory=list)
    variants: Annotated[list[VariantIn], Field(min_length=1, max_length=500)]
    tax_class: TaxClassName = "standard"
    is_published: bool = Field(False, description="New products are drafts unless set.")


class ProductChangesIn(Schema):
    category_id: Id | None = None
    texts: dict[Language, TextsIn] = Field(default_factory=dict)
    attributes: Annotated[list[ValueIn], Field(max_length=100)] | None = Field(
        None, description="Replaces the product-level values when given."
    )
    variants: Annotated[list[VariantIn], Field(max_length=500)] | None = Field(
        None, description="Added or updated by SKU; variants not named are kept."
    )
    tax_class: TaxClassName | None = None
    is_published: bool | None = None


class ProductSavedOut(Schema):
    id: int
    is_published: bool
    slugs: dict[str, str]


class PublishIn(Schema):
    product_ids: Annotated[list[Id], Field(min_length=1, max_length=product_services.MAX_BULK)]
    published: bool


class PublishOut(Schema):
    changed: list[int]
    unchanged: list[int]


class CategoryIn(Schema):
    parent_id: Id | None = Field(None, description="None makes a department.")
    texts: dict[Language, TextsIn] = Field(description="At least the English name.")
    is_published: bool = True


class CategoryChangesIn(Schema):
    texts: dict[Language, TextsIn] = Field(default_factory=dict)
    is_published: bool | None = None


class CategorySavedOut(Schema):
    id: int
    parent_id: int | None
    is_published: bool
    slugs: dict[str, str]


def _texts(texts: dict[Language, TextsIn]) -> dict[str, product_services.Texts]:
    return {
        lang: product_services.Texts(name=t.name, description=t.description, slug=t.slug)
        for lang, t in texts.items()
    }


def _pairs(values: list[ValueIn]) -> list[tuple[str, str]]:
    return [(v.attribute, v.value) for v in values]


def _variants(variants: list[VariantIn]) -> list[VariantSpec]:
    return [
        VariantSpec(
            sku=v.sku, values=_pairs(v.values), barcode=v.barcode, weight_grams=v.weight_grams
        )
        for v in variants
    ]


def _product_saved(product_id: int, is_published: bool) -> ProductSavedOut:
    slugs = ProductTranslation.objects.filter(product_id=product_id).order_by("language")
    return ProductSavedOut(
        id=product_id,
        is_published=is_published,
        slugs=dict(slugs.values_list("language", "slug")),
    )


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@router.post("/products", response={201: ProductSavedOut, **ERRORS_STAFF}, auth=api_session(MANAGE))
@api_access(MANAGE)
def product_create(request: HttpRequest, body: ProductIn) -> Status[ProductSavedOut]:
    """Create a product with its texts, category, attribute values and variants."""
    product = product_services.product_create(
        draft=product_services.ProductDraft(
            category_id=body.category_id,
            texts=_texts(body.texts),
            variants=_variants(body.variants),
            values=_pairs(body.attributes),
            tax_class=body.tax_class,
            is_published=body.is_published,
        ),
        actor=request.user,
        ip_address=_ip(request),
    )
    return Status(201, _product_saved(product.pk, product.is_published))


# Before "/products/{product_id}", whose pattern would take "publish" as an id.
@router.post(
    "/products/publish", response={200: PublishOut, **ERRORS_STAFF}, auth=api_session(MANAGE)
)
@api_access(MANAGE)
def products_publish(request: HttpRequest, body: PublishIn) -> PublishOut:
    """Publish (``published: true``) or unpublish products in bulk, all or none."""
    result = product_services.products_set_published(
        product_ids=body.product_ids,
        published=body.published,
        actor=request.user,
        ip_address=_ip(request),
    )
    return PublishOut(changed=result.changed, unchanged=result.unchanged)


@router.patch(
    "/products/{product_id}",
    response={200: ProductSavedOut, **ERRORS_STAFF},
    auth=api_session(MANAGE),
)
@api_access(MANAGE)
def product_update(
    request: HttpRequest, product_id: IdPath, body: ProductChangesIn
) -> ProductSavedOut:
    """Change a product; only the parts given change."""
    product = product_services.product_update(
        product_id=product_id,
        changes=product_services.ProductChanges(
            category_id=body.category_id,
            texts=_texts(body.texts),
            values=_pairs(body.attributes) if body.attributes is not None else None,
            variants=_variants(body.variants) if body.variants is not None else None,
            tax_class=body.tax_class,
            is_published=body.is_published,
        ),
        actor=request.user,
        ip_address=_ip(request),
    )
    return _product_saved(product.pk, product.is_published)


def _category_saved(category_id: int, parent_id: int | None, published: bool) -> CategorySavedOut:
    slugs = CategoryTranslation.objects.filter(category_id=category_id).order_by("language")
    return CategorySavedOut(
        id=category_id,
        parent_id=parent_id,
        is_published=published,
        slugs=dict(slugs.values_list("language", "slug")),
    )


@router.post(
    "/categories", response={201: CategorySavedOut, **ERRORS_STAFF}, auth=api_session(MANAGE)
)
@api_access(MANAGE)
def category_create(request: HttpRequest, body: CategoryIn) -> Status[CategorySavedOut]:
    """Create a category as the last child of ``parent_id``."""
    category = category_services.category_create(
        texts=_texts(body.texts),
        parent_id=body.parent_id,
        is_published=body.is_published,
        actor=request.user,
        ip_address=_ip(request),
    )
    return Status(201, _category_saved(category.pk, category.parent_id, category.is_published))


@router.patch(
    "/categories/{category_id}",
    response={200: CategorySavedOut, **ERRORS_STAFF},
    auth=api_session(MANAGE),
)
@api_access(MANAGE)
def category_update(
    request: HttpRequest, category_id: IdPath, body: CategoryChangesIn
) -> CategorySavedOut:
    """Change a category's texts or whether it is published."""
    category = category_services.category_update(
        category_id=category_id,
        texts=_texts(body.texts),
        is_published=body.is_published,
        actor=request.user,
        ip_address=_ip(request),
    )
    return _category_saved(category.pk, category.parent_id, category.is_published)
