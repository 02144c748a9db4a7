"""Staff edits of single products (S1, S12): create one, change one, publish or unpublish many.

Each service validates everything first and reports every problem at once
(``CatalogEditError.problems``), then writes all or nothing in one transaction, records the staff
action in the audit log, and publishes ``ProductsChanged`` so the storefront's listing and the
search index follow. Bulk imports stay in ``catalog.services.catalog_import``, which
``product_create`` reuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from storeteam.catalog.events import ProductsChanged
from storeteam.catalog.models import (
    AttributeValue,
    Category,
    Product,
    ProductKind,
    ProductTranslation,
    ProductValue,
    TaxClass,
    Variant,
    VariantValue,
)
from storeteam.catalog.services import (
    CatalogImportError,
    ProductSpec,
    VariantSpec,
    catalog_import,
)
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish

MAX_BULK = 1000
NAME_CHARS = 200  # the shorter of a product's and a category's name column
SLUG_CHARS = 200


class CatalogEditError(DomainError):
    """The change has problems; nothing was written. ``problems`` lists every one."""

    code = "invalid"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


class ProductNotFoundError(NotFoundError):
    """There is no such product."""


@dataclass(frozen=True)
class Texts:
    """What a shopper reads of a product or category in one language. None leaves it as it is."""

    name: str | None = None
    description: str | None = None
    slug: str | None = None


@dataclass(frozen=True)
class ProductDraft:
    category_id: int
    texts: dict[str, Texts]
    variants: Sequence[VariantSpec]
    values: Sequence[tuple[str, str]] = ()  # product-level (attribute code, value code)
    tax_class: str = TaxClass.STANDARD
    is_published: bool = False


@dataclass(frozen=True)
class ProductChanges:
    """A partial change: None leaves a part as it is. ``values`` replaces the product-level
    values; ``variants`` adds or updates variants by SKU (variants not named are kept)."""

    category_id: int | None = None
    texts: dict[str, Texts] = field(default_factory=dict)
    values: Sequence[tuple[str, str]] | None = None
    variants: Sequence[VariantSpec] | None = None
    tax_class: str | None = None
    is_published: bool | None = None


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def texts_problems(
    texts: dict[str, Texts],
    *,
    model: Any,
    owner_field: str,
    owner_id: int | None,
    creating: bool,
) -> list[str]:
    """Problems with translated texts: unknown languages, empty names, malformed or taken slugs."""
    problems: list[str] = []
    known = languages()
    default = settings.LANGUAGE_CODE
    for language, text in sorted(texts.items()):
        if language not in known:
            problems.append(_("unknown language %(language)s") % {"language": language})
            continue
        if text.name is not None and not text.name.strip():
            problems.append(_("the %(language)s name is empty") % {"language": language})
        if text.name is not None and len(text.name) > NAME_CHARS:
            problems.append(
                _("the %(language)s name is longer than %(n)s characters")
                % {"language": language, "n": NAME_CHARS}
            )
        if text.slug is not None:
            if (
                not text.slug
                or len(text.slug) > SLUG_CHARS
                or slugify(text.slug, allow_unicode=True) != text.slug
            ):
                problems.append(
                    _(
                        "the %(language)s slug %(slug)r may hold only lower-case letters, "
                        "digits and hyphens, at most %(n)s"
                    )
                    % {"language": language, "slug": text.slug, "n": SLUG_CHARS}
                )
            else:
                taken = model.objects.filter(language=language, slug=text.slug)
                if owner_id is not None:
                    taken = taken.exclude(**{owner_field: owner_id})
                if taken.exists():
                    problems.append(
                        _("the %(language)s slug %(slug)s is already used")
                        % {"language": language, "slug": text.slug}
                    )
    if creating and not (texts.get(default) and (texts[default].name or "").strip()):
        problems.append(_("a name in %(language)s is required") % {"language": default})
    return problems


def free_slug(model: Any, language: str, name: str) -> str:
    """A slug for ``name`` not yet used in ``language``."""
    base = slugify(name, allow_unicode=True)[:200] or "item"
    slug, n = base, 1
    while model.objects.filter(language=language, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _value_problems(pairs: Iterable[tuple[str, str]], known: set[tuple[str, str]]) -> list[str]:
    return [
        _("unknown attribute value %(attribute)s=%(value)s")
        % {"attribute": attribute, "value": value}
        for attribute, value in pairs
        if (attribute, value) not in known
    ]


def _known_values() -> set[tuple[str, str]]:
    return set(AttributeValue.objects.values_list("attribute__code", "code"))


def _variant_problems(variants: Sequence[VariantSpec], product_id: int | None) -> list[str]:
    """SKUs and barcodes used twice in the request or by another product's variants."""
    problems: list[str] = []
    skus = [v.sku for v in variants]
    barcodes = [v.barcode for v in variants if v.barcode]
    for sku in sorted({s for s in skus if skus.count(s) > 1}):
        problems.append(_("SKU %(sku)s is used twice") % {"sku": sku})
    for barcode in sorted({b for b in barcodes if barcodes.count(b) > 1}):
        problems.append(_("barcode %(barcode)s is used twice") % {"barcode": barcode})
    for variant in variants:
        if not variant.sku.strip() or len(variant.sku) > 64:
            problems.append(_("SKU %(sku)r is empty or longer than 64") % {"sku": variant.sku})
        if variant.barcode is not None and not 1 <= len(variant.barcode) <= 32:
            problems.append(
                _("barcode %(barcode)r is empty or longer than 32") % {"barcode": variant.barcode}
            )
        if variant.weight_grams < 0:
            problems.append(_("SKU %(sku)s: the weight cannot be negative") % {"sku": variant.sku})
    others = Variant.objects.exclude(product_id=product_id) if product_id else Variant.objects
    for sku in sorted(others.filter(sku__in=skus).values_list("sku", flat=True)):
        problems.append(_("SKU %(sku)s already belongs to another product") % {"sku": sku})
    for barcode in sorted(
        b for b in others.filter(barcode__in=barcodes).values_list("barcode", flat=True) if b
    ):
        problems.append(
            _("barcode %(barcode)s already belongs to another product") % {"barcode": barcode}
        )
    if product_id:
        # A barcode moving between two variants of this product would clash mid-update.
        mine = dict(
            Variant.objects.filter(product_id=product_id, barcode__in=barcodes).values_list(
                "barcode", "sku"
            )
        )
        for variant in variants:
            owner = mine.get(variant.barcode or "")
            if owner is not None and owner != variant.sku:
                problems.append(
                    _("barcode %(barcode)s already belongs to SKU %(sku)s")
                    % {"barcode": variant.barcode, "sku": owner}
                )
    return problems


def product_snapshot(product: Product) -> dict[str, Any]:
    """The product as the audit log keeps it: what staff edit, in plain JSON."""
    return {
        "category_id": product.category_id,
        "tax_class": product.tax_class,
        "is_published": product.is_published,
        "texts": {
            t.language: {"name": t.name, "slug": t.slug, "description": t.description}
            for t in ProductTranslation.objects.filter(product=product).order_by("language")
        },
        "values": sorted(
            f"{a}={v}"
            for a, v in ProductValue.objects.filter(product=product).values_list(
                "value__attribute__code", "value__code"
            )
        ),
        "variants": [
            {
                "sku": v.sku,
                "barcode": v.barcode,
                "weight_grams": v.weight_grams,
                "values": sorted(
                    f"{a}={c}"
                    for a, c in VariantValue.objects.filter(variant=v).values_list(
                        "value__attribute__code", "value__code"
                    )
                ),
            }
            for v in Variant.objects.filter(product=product).order_by("position", "id")
        ],
    }


def product_create(*, draft: ProductDraft, actor: Any, ip_address: str | None = None) -> Product:
    """Create one product with its translations, values and variants (through
    ``catalog_import``), with the slugs given or made from the names; audited as
    ``product.create``. Raises ``CatalogEditError`` listing every problem; nothing is written then.
    """
    problems = texts_problems(
        draft.texts,
        model=ProductTranslation,
        owner_field="product_id",
        owner_id=None,
        creating=True,
    )
    if not Category.objects.filter(pk=draft.category_id).exists():
        problems.append(_("unknown category %(id)s") % {"id": draft.category_id})
    if not draft.variants:
        problems.append(_("a product needs at least one variant"))
    if draft.tax_class not in TaxClass.values:
        problems.append(_("unknown tax class %(tax_class)s") % {"tax_class": draft.tax_class})
    known = _known_values()
    problems += _value_problems(draft.values, known)
    for variant in draft.variants:
        problems += _value_problems(variant.values, known)
    problems += _variant_problems(draft.variants, None)
    if problems:
        raise CatalogEditError(problems)
    spec = ProductSpec(
        category_key="category",
        names={lang: t.name for lang, t in draft.texts.items() if t.name},
        descriptions={lang: t.description for lang, t in draft.texts.items() if t.description},
        variants=draft.variants,
        values=draft.values,
        tax_class=draft.tax_class,
        is_published=draft.is_published,
    )
    with transaction.atomic():
        try:
            result = catalog_import(
                products=[spec], existing_categories={"category": draft.category_id}
            )
        except CatalogImportError as exc:
            raise CatalogEditError(exc.problems) from exc
        product = Product.objects.get(pk=result.product_ids[0])
        for language, text in draft.texts.items():
            if text.slug:
                ProductTranslation.objects.filter(product=product, language=language).update(
                    slug=text.slug
                )
        audit_record(
            actor=actor,
            action="product.create",
            target=product,
            after=product_snapshot(product),
            ip_address=ip_address,
        )
    return product


def product_update(
    *, product_id: int, changes: ProductChanges, actor: Any, ip_address: str | None = None
) -> Product:
    """Change one product: category, tax class, publishing, texts per language, product-level
    values (replaced), variants (added or updated by SKU). All or nothing; audited as
    ``product.update`` with the state before and after; publishes ``ProductsChanged``."""
    if not Product.objects.filter(pk=product_id).exists():
        raise ProductNotFoundError(_("There is no product %(id)s.") % {"id": product_id})
    problems = texts_problems(
        changes.texts,
        model=ProductTranslation,
        owner_field="product_id",
        owner_id=product_id,
        creating=False,
    )
    if (
        changes.category_id is not None
        and not Category.objects.filter(pk=changes.category_id).exists()
    ):
        problems.append(_("unknown category %(id)s") % {"id": changes.category_id})
    if changes.tax_class is not None and changes.tax_class not in TaxClass.values:
        problems.append(_("unknown tax class %(tax_class)s") % {"tax_class": changes.tax_class})
    known = _known_values()
    if changes.values is not None:
        problems += _value_problems(changes.values, known)
    if changes.variants is not None:
        for variant in changes.variants:
            problems += _value_problems(variant.values, known)
        problems += _variant_problems(changes.variants, product_id)
    if problems:
        raise CatalogEditError(problems)

    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product_id)
        before = product_snapshot(product)
        if changes.category_id is not None:
            product.category_id = changes.category_id
        if changes.tax_class is not None:
            product.tax_class = changes.tax_class
        if changes.is_published is not None:
            product.is_published = changes.is_published
        _texts_apply(product, changes.texts)
        if changes.values is not None:
            _values_replace(product, changes.values)
        if changes.variants is not None:
            _variants_upsert(product, changes.variants)
            variant_count = Variant.objects.filter(product=product).count()
            product.kind = ProductKind.CONFIGURABLE if variant_count > 1 else ProductKind.SIMPLE
        product.save()
        after = product_snapshot(product)
        if after != before:  # an empty change is neither logged nor announced
            audit_record(
                actor=actor,
                action="product.update",
                target=product,
                before=before,
                after=after,
                ip_address=ip_address,
            )
            event_publish(ProductsChanged(product_ids=[product.pk]))
    return product


def _texts_apply(product: Product, texts: dict[str, Texts]) -> None:
    existing = {t.language: t for t in ProductTranslation.objects.filter(product=product)}
    for language, text in texts.items():
        row = existing.get(language)
        if row is None:
            name = text.name or ""
            if not name:  # a language without a row needs a name before it can have a page
                continue
            ProductTranslation.objects.create(
                product=product,
                language=language,
                name=name,
                slug=text.slug or free_slug(ProductTranslation, language, name),
                description=text.description or "",
            )
            continue
        if text.name is not None:
            row.name = text.name.strip()
        if text.description is not None:
            row.description = text.description
        if text.slug is not None:
            row.slug = text.slug
        row.save()


def _values_replace(product: Product, pairs: Sequence[tuple[str, str]]) -> None:
    wanted = set(
        AttributeValue.objects.filter(pk__in=list(_value_ids(pairs).values())).values_list(
            "pk", flat=True
        )
    )
    current = set(ProductValue.objects.filter(product=product).values_list("value_id", flat=True))
    ProductValue.objects.filter(product=product, value_id__in=current - wanted).delete()
    ProductValue.objects.bulk_create(
        ProductValue(product=product, value_id=pk) for pk in sorted(wanted - current)
    )


def _value_ids(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    wanted = set(pairs)
    if not wanted:
        return {}
    codes = {a for a, _v in wanted}
    return {
        (a, v): pk
        for pk, a, v in AttributeValue.objects.filter(attribute__code__in=codes).values_list(
            "pk", "attribute__code", "code"
        )
        if (a, v) in wanted
    }


def _variants_upsert(product: Product, specs: Sequence[VariantSpec]) -> None:
    existing = {v.sku: v for v in Variant.objects.filter(product=product)}
    ids = _value_ids(pair for spec in specs for pair in spec.values)
    # Clear the barcodes being rewritten first, so two variants may swap theirs.
    Variant.objects.filter(product=product, sku__in=[s.sku for s in specs]).update(barcode=None)
    offset = max((v.position for v in existing.values()), default=-1) + 1
    for n, spec in enumerate(specs):
        variant = existing.get(spec.sku)
        if variant is None:
            variant = Variant.objects.create(
                product=product,
                sku=spec.sku,
                barcode=spec.barcode,
                weight_grams=spec.weight_grams,
                position=offset + n,
            )
        else:
            variant.barcode = spec.barcode
            variant.weight_grams = spec.weight_grams
            variant.save(update_fields=["barcode", "weight_grams"])
        VariantValue.objects.filter(variant=variant).delete()
        VariantValue.objects.bulk_create(
            VariantValue(variant=variant, value_id=ids[pair]) for pair in dict.fromkeys(spec.values)
        )


@dataclass(frozen=True)
class PublishResult:
    changed: list[int]
    unchanged: list[int]


def products_set_published(
    *, product_ids: Sequence[int], published: bool, actor: Any, ip_address: str | None = None
) -> PublishResult:
    """Publish or unpublish products in bulk (at most ``MAX_BULK``); unknown ids are refused and
    nothing changes. Each changed product is audited (``product.publish`` or
    ``product.unpublish``); one ``ProductsChanged`` names them all."""
    wanted = sorted(set(product_ids))
    problems: list[str] = []
    if not wanted:
        problems.append(_("name at least one product"))
    if len(wanted) > MAX_BULK:
        problems.append(_("at most %(n)s products at a time") % {"n": MAX_BULK})
    if problems:
        raise CatalogEditError(problems)
    with transaction.atomic():
        products = list(Product.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
        missing = sorted(set(wanted) - {p.pk for p in products})
        if missing:
            raise CatalogEditError(
                [_("unknown product %(id)s") % {"id": product_id} for product_id in missing]
            )
        changed = [p for p in products if p.is_published != published]
        Product.objects.filter(pk__in=[p.pk for p in changed]).update(is_published=published)
        for product in changed:
            audit_record(
                actor=actor,
                action="product.publish" if published else "product.unpublish",
                target=product,
                before={"is_published": not published},
                after={"is_published": published},
                ip_address=ip_address,
            )
        if changed:
            event_publish(ProductsChanged(product_ids=[p.pk for p in changed]))
    return PublishResult(
        changed=[p.pk for p in changed],
        unchanged=[p.pk for p in products if p not in changed],
    )
