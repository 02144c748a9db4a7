"""Staff edits of products (S1, S12): create one, change one, publish, unpublish or move many.

The one implementation behind every staff edit of a product: the back office's catalog
workspace, its CSV import and the staff API all call these. Each service validates everything
first and reports every problem at once (``CatalogEditError.problems``, each naming the field it
is about when it is about one), then writes all or nothing in one transaction, records the
staff action in the audit log with the state before and after, and publishes
``ProductsChanged`` so the storefront's listing and the search index follow. Bulk imports stay
in ``catalog.services.catalog_import``, which ``product_create`` reuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
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
    free_slug,
    languages,
)
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish

MAX_BULK = 1000
NAME_CHARS = 200  # the shorter of a product's and a category's name column
SLUG_CHARS = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a change, in the staff member's language. ``field`` names the input
    it is about (``name_sv``, ``slug_en``, ``category``, ``tax_class``), or is empty."""

    message: str
    field: str = ""

    def __str__(self) -> str:
        return self.message


class CatalogEditError(DomainError):
    """The change has problems; nothing was written. ``problems`` lists every one."""

    code = "invalid"

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        listed = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        super().__init__("; ".join(p.message for p in listed[:20]))
        self.problems = listed


class ProductNotFoundError(NotFoundError):
    """There is no such product."""


@dataclass(frozen=True)
class Texts:
    """What a shopper reads of a product or category in one language. None leaves it as it is
    (a language the product has no text in yet takes a slug made from its name)."""

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
    values; ``variants`` adds or updates variants by SKU (variants not named are kept; a named
    variant's option values become exactly those given)."""

    category_id: int | None = None
    texts: dict[str, Texts] = field(default_factory=dict)
    values: Sequence[tuple[str, str]] | None = None
    variants: Sequence[VariantSpec] | None = None
    tax_class: str | None = None
    is_published: bool | None = None


@dataclass(frozen=True)
class BulkResult:
    """The products a bulk action changed, and those it found already as asked."""

    changed: list[int]
    unchanged: list[int]


def texts_problems(
    texts: dict[str, Texts],
    *,
    model: Any,
    owner_field: str,
    owner_id: int | None,
    creating: bool,
) -> list[Problem]:
    """Problems with translated texts: unknown languages, empty names, malformed or taken slugs."""
    problems: list[Problem] = []
    known = languages()
    default = settings.LANGUAGE_CODE
    for language, text in sorted(texts.items()):
        if language not in known:
            problems.append(Problem(_("unknown language %(language)s") % {"language": language}))
            continue
        name_field, slug_field = f"name_{language}", f"slug_{language}"
        if text.name is not None and not text.name.strip():
            problems.append(
                Problem(_("the %(language)s name is empty") % {"language": language}, name_field)
            )
        if text.name is not None and len(text.name) > NAME_CHARS:
            problems.append(
                Problem(
                    _("the %(language)s name is longer than %(n)s characters")
                    % {"language": language, "n": NAME_CHARS},
                    name_field,
                )
            )
        if text.slug is not None:
            if (
                not text.slug
                or len(text.slug) > SLUG_CHARS
                or slugify(text.slug, allow_unicode=True) != text.slug
            ):
                problems.append(
                    Problem(
                        _(
                            "the %(language)s slug %(slug)r may hold only lower-case letters, "
                            "digits and hyphens, at most %(n)s"
                        )
                        % {"language": language, "slug": text.slug, "n": SLUG_CHARS},
                        slug_field,
                    )
                )
            else:
                taken = model.objects.filter(language=language, slug=text.slug)
                if owner_id is not None:
                    taken = taken.exclude(**{owner_field: owner_id})
                if taken.exists():
                    problems.append(
                        Problem(
                            _("the %(language)s slug %(slug)s is already used")
                            % {"language": language, "slug": text.slug},
                            slug_field,
                        )
                    )
    if creating and not (texts.get(default) and (texts[default].name or "").strip()):
        problems.append(
            Problem(
                _("a name in %(language)s is required") % {"language": default}, f"name_{default}"
            )
        )
    return problems


def _known_values() -> dict[tuple[str, str], bool]:
    """Every attribute value as (attribute code, value code) -> whether variants may have it
    (its attribute is a variant axis, such as size or colour)."""
    return {
        (attribute, value): is_axis
        for attribute, value, is_axis in AttributeValue.objects.values_list(
            "attribute__code", "code", "attribute__is_variant_axis"
        )
    }


def _value_problems(
    pairs: Iterable[tuple[str, str]], known: dict[tuple[str, str], bool], *, on_variant: bool
) -> list[Problem]:
    problems: list[Problem] = []
    for attribute, value in pairs:
        if (attribute, value) not in known:
            problems.append(
                Problem(
                    _("unknown attribute value %(attribute)s=%(value)s")
                    % {"attribute": attribute, "value": value}
                )
            )
        elif on_variant and not known[(attribute, value)]:
            problems.append(
                Problem(
                    _("%(attribute)s=%(value)s is not a variant option")
                    % {"attribute": attribute, "value": value}
                )
            )
    return problems


def _variant_problems(variants: Sequence[VariantSpec], product_id: int | None) -> list[Problem]:
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
    return [Problem(p) for p in problems]


def _draft_problems(
    *,
    product_id: int | None,
    texts: dict[str, Texts],
    category_id: int | None,
    tax_class: str | None,
    values: Sequence[tuple[str, str]] | None,
    variants: Sequence[VariantSpec] | None,
) -> list[Problem]:
    """Every problem of a new product (``product_id`` None) or of a change to one, in the order
    staff read the form."""
    creating = product_id is None
    problems = texts_problems(
        texts,
        model=ProductTranslation,
        owner_field="product_id",
        owner_id=product_id,
        creating=creating,
    )
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        problems.append(Problem(_("unknown category %(id)s") % {"id": category_id}, "category"))
    if creating and not variants:
        problems.append(Problem(_("a product needs at least one variant")))
    if tax_class is not None and tax_class not in TaxClass.values:
        problems.append(
            Problem(_("unknown tax class %(tax_class)s") % {"tax_class": tax_class}, "tax_class")
        )
    if values is not None or variants is not None:
        known = _known_values()
        problems += _value_problems(values or (), known, on_variant=False)
        for variant in variants or ():
            problems += _value_problems(variant.values, known, on_variant=True)
    if variants is not None:
        problems += _variant_problems(variants, product_id)
    return problems


def product_snapshot(product: Product) -> dict[str, Any]:
    """The product as the audit log keeps it: what staff edit, in plain JSON (four queries)."""
    variants = list(Variant.objects.filter(product=product).order_by("position", "id"))
    options: dict[int, list[str]] = {}
    for variant_id, attribute, value in VariantValue.objects.filter(
        variant__in=variants
    ).values_list("variant_id", "value__attribute__code", "value__code"):
        options.setdefault(variant_id, []).append(f"{attribute}={value}")
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
                "values": sorted(options.get(v.pk, [])),
            }
            for v in variants
        ],
    }


def product_create(*, draft: ProductDraft, actor: Any, ip_address: str | None = None) -> Product:
    """Create one product with its translations, values and variants (through
    ``catalog_import``), with the slugs given or made from the names; audited as
    ``product.create``. Raises ``CatalogEditError`` listing every problem; nothing is written then.
    """
    problems = _draft_problems(
        product_id=None,
        texts=draft.texts,
        category_id=draft.category_id,
        tax_class=draft.tax_class,
        values=draft.values,
        variants=draft.variants,
    )
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
    ``product.update`` with the state before and after; publishes ``ProductsChanged``. A change
    that changes nothing is neither audited nor announced."""
    if not Product.objects.filter(pk=product_id).exists():
        raise ProductNotFoundError(_("There is no product %(id)s.") % {"id": product_id})
    problems = _draft_problems(
        product_id=product_id,
        texts=changes.texts,
        category_id=changes.category_id,
        tax_class=changes.tax_class,
        values=changes.values,
        variants=changes.variants,
    )
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
        texts_apply(
            model=ProductTranslation,
            owner_field="product_id",
            owner_id=product.pk,
            texts=changes.texts,
        )
        if changes.values is not None:
            _values_replace(product, changes.values)
        if changes.variants is not None:
            _variants_upsert(product, changes.variants)
            variant_count = Variant.objects.filter(product=product).count()
            product.kind = ProductKind.CONFIGURABLE if variant_count > 1 else ProductKind.SIMPLE
        after = product_snapshot(product)
        if after != before:  # an empty change is neither logged nor announced
            product.save()
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


def texts_apply(*, model: Any, owner_field: str, owner_id: int, texts: dict[str, Texts]) -> None:
    """Write checked texts (see ``texts_problems``) of one product or category: change the
    languages it has a row in, add the others that come with a name."""
    existing = {t.language: t for t in model.objects.filter(**{owner_field: owner_id})}
    for language, text in texts.items():
        row = existing.get(language)
        if row is None:
            name = (text.name or "").strip()
            if not name:  # a language without a row needs a name before it can have a page
                continue
            model.objects.create(
                **{owner_field: owner_id},
                language=language,
                name=name,
                slug=text.slug or free_slug(model, language, name),
                description=text.description or "",
            )
            continue
        wanted = {
            "name": text.name.strip() if text.name is not None else row.name,
            "description": text.description if text.description is not None else row.description,
            "slug": text.slug if text.slug is not None else row.slug,
        }
        if any(getattr(row, attribute) != value for attribute, value in wanted.items()):
            for attribute, value in wanted.items():
                setattr(row, attribute, value)
            row.save()


def _values_replace(product: Product, pairs: Sequence[tuple[str, str]]) -> None:
    wanted = set(_value_ids(pairs).values())
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
    current: dict[int, set[int]] = {}
    for variant_id, value_id in VariantValue.objects.filter(
        variant__product=product, variant__sku__in=[s.sku for s in specs]
    ).values_list("variant_id", "value_id"):
        current.setdefault(variant_id, set()).add(value_id)
    # Clear the barcodes being rewritten first, so two variants may swap theirs.
    moving = [
        s.sku
        for s in specs
        if s.sku in existing and (existing[s.sku].barcode or None) != (s.barcode or None)
    ]
    Variant.objects.filter(product=product, sku__in=moving).update(barcode=None)
    offset = max((v.position for v in existing.values()), default=-1) + 1
    for spec in specs:
        variant = existing.get(spec.sku)
        if variant is None:
            variant = Variant.objects.create(
                product=product,
                sku=spec.sku,
                barcode=spec.barcode or None,
                weight_grams=spec.weight_grams,
                position=offset,
            )
            offset += 1
        elif spec.sku in moving or variant.weight_grams != spec.weight_grams:
            variant.barcode = spec.barcode or None
            variant.weight_grams = spec.weight_grams
            variant.save(update_fields=["barcode", "weight_grams"])
        wanted = {ids[pair] for pair in spec.values}
        if wanted != current.get(variant.pk, set()):
            VariantValue.objects.filter(variant=variant).delete()
            VariantValue.objects.bulk_create(
                VariantValue(variant=variant, value_id=pk) for pk in sorted(wanted)
            )


def _bulk_ids(product_ids: Sequence[int]) -> list[int]:
    """The ids without repeats, in order; refuses none and too many."""
    wanted = sorted(set(product_ids))
    problems: list[Problem] = []
    if not wanted:
        problems.append(Problem(_("name at least one product")))
    if len(wanted) > MAX_BULK:
        problems.append(Problem(_("at most %(n)s products at a time") % {"n": MAX_BULK}))
    if problems:
        raise CatalogEditError(problems)
    return wanted


def _locked(product_ids: list[int]) -> list[Product]:
    """The products, locked in primary-key order; refuses the lot if any id is unknown."""
    products = list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk"))
    missing = sorted(set(product_ids) - {p.pk for p in products})
    if missing:
        raise CatalogEditError(
            [Problem(_("unknown product %(id)s") % {"id": product_id}) for product_id in missing]
        )
    return products


def _bulk_set(
    *,
    product_ids: Sequence[int],
    field_name: str,
    value: Any,
    action: str,
    actor: Any,
    ip_address: str | None,
) -> BulkResult:
    """Set one field of many products: lock them, write those that differ, audit each with the
    value before and after, and name them all in one ``ProductsChanged``."""
    wanted = _bulk_ids(product_ids)
    with transaction.atomic():
        products = _locked(wanted)
        changed = [p for p in products if getattr(p, field_name) != value]
        Product.objects.filter(pk__in=[p.pk for p in changed]).update(
            **{field_name: value, "updated_at": timezone.now()}
        )
        for product in changed:
            audit_record(
                actor=actor,
                action=action,
                target=product,
                before={field_name: getattr(product, field_name)},
                after={field_name: value},
                ip_address=ip_address,
            )
        if changed:
            event_publish(ProductsChanged(product_ids=[p.pk for p in changed]))
    return BulkResult(
        changed=[p.pk for p in changed],
        unchanged=[p.pk for p in products if p not in changed],
    )


def products_set_published(
    *, product_ids: Sequence[int], published: bool, actor: Any, ip_address: str | None = None
) -> BulkResult:
    """Publish or unpublish products in bulk (at most ``MAX_BULK``); unknown ids are refused and
    nothing changes. Each changed product is audited (``product.publish`` or
    ``product.unpublish``); one ``ProductsChanged`` names them all."""
    return _bulk_set(
        product_ids=product_ids,
        field_name="is_published",
        value=published,
        action="product.publish" if published else "product.unpublish",
        actor=actor,
        ip_address=ip_address,
    )


def products_move(
    *, product_ids: Sequence[int], category_id: int, actor: Any, ip_address: str | None = None
) -> BulkResult:
    """Move products in bulk (at most ``MAX_BULK``) into one category; an unknown product or
    category is refused and nothing moves. Each moved product is audited (``product.move``, its
    category before and after); one ``ProductsChanged`` names them all."""
    if not Category.objects.filter(pk=category_id).exists():
        raise CatalogEditError(
            [Problem(_("unknown category %(id)s") % {"id": category_id}, "category")]
        )
    return _bulk_set(
        product_ids=product_ids,
        field_name="category_id",
        value=category_id,
        action="product.move",
        actor=actor,
        ip_address=ip_address,
    )
