"""Writes to the catalog. Bulk import is the one path for CSV imports, the demo generator and
scripts: it validates everything first and writes all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from storeteam.catalog.events import AttributesChanged, ProductsChanged
from storeteam.catalog.models import (
    Attribute,
    AttributeKind,
    AttributeTranslation,
    AttributeValue,
    AttributeValueTranslation,
    Category,
    CategoryTranslation,
    Product,
    ProductKind,
    ProductTranslation,
    ProductValue,
    TaxClass,
    Variant,
    VariantValue,
)
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.core.events import event_publish

CHUNK = 2000
EVENT_CHUNK = 1000


class CatalogImportError(DomainError):
    """The import has problems; nothing was written. ``problems`` lists them by item."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]) + (" …" if len(problems) > 20 else ""))
        self.problems = problems


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    kind: str
    names: dict[str, str]
    values: Sequence[tuple[str, dict[str, str]]] = ()
    is_facet: bool = False
    is_variant_axis: bool = False
    unit: str = ""


@dataclass(frozen=True)
class CategorySpec:
    key: str
    names: dict[str, str]
    parent_key: str | None = None
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    values: Sequence[tuple[str, str]] = ()  # (attribute code, value code) on variant axes
    barcode: str | None = None
    weight_grams: int = 0


@dataclass(frozen=True)
class ProductSpec:
    category_key: str
    names: dict[str, str]
    variants: Sequence[VariantSpec]
    descriptions: dict[str, str] = field(default_factory=dict)
    values: Sequence[tuple[str, str]] = ()  # product-level (attribute code, value code)
    tax_class: str = TaxClass.STANDARD
    created_at: datetime | None = None
    is_published: bool = True
    slugs: dict[str, str] = field(default_factory=dict)  # per language; empty: from the name


@dataclass(frozen=True)
class ImportResult:
    category_ids: dict[str, int]
    product_ids: list[int]


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class _Slugs:
    """Unique slugs per language, across what exists and what this import adds."""

    def __init__(self, model: Any, languages: Iterable[str]) -> None:
        self.taken: dict[str, set[str]] = {lang: set() for lang in languages}
        self.model = model

    def load(self, language: str, candidates: set[str]) -> None:
        existing = self.model.objects.filter(language=language, slug__in=candidates)
        self.taken[language].update(existing.values_list("slug", flat=True))

    def make(self, language: str, name: str) -> str:
        base = slugify(name, allow_unicode=True)[:200] or "item"
        slug, n = base, 1
        while slug in self.taken[language] or (n > 1 and self._stored(language, slug)):
            n += 1
            slug = f"{base}-{n}"
        self.taken[language].add(slug)
        return slug

    def _stored(self, language: str, slug: str) -> bool:
        # Only a suffixed candidate gets here: bases were loaded in bulk, suffixes are rare.
        return bool(self.model.objects.filter(language=language, slug=slug).exists())


def attributes_ensure(specs: Sequence[AttributeSpec]) -> dict[str, Attribute]:
    """Create attributes and their values that do not exist yet (by code); return all by code."""
    languages = _languages()
    with transaction.atomic():
        existing = {a.code: a for a in Attribute.objects.filter(code__in=[s.code for s in specs])}
        for position, spec in enumerate(specs):
            if spec.kind not in AttributeKind.values:
                raise CatalogImportError([f"attribute {spec.code}: unknown kind {spec.kind}"])
            attribute = existing.get(spec.code)
            if attribute is None:
                attribute = Attribute.objects.create(
                    code=spec.code,
                    kind=spec.kind,
                    is_facet=spec.is_facet,
                    is_variant_axis=spec.is_variant_axis,
                    unit=spec.unit,
                    position=position,
                )
                AttributeTranslation.objects.bulk_create(
                    AttributeTranslation(
                        attribute=attribute, language=lang, name=_text(spec.names, lang)
                    )
                    for lang in languages
                )
                existing[spec.code] = attribute
            known = set(attribute.values.values_list("code", flat=True))
            for value_position, (code, names) in enumerate(spec.values):
                if code in known:
                    continue
                value = AttributeValue.objects.create(
                    attribute=attribute, code=code, position=value_position
                )
                AttributeValueTranslation.objects.bulk_create(
                    AttributeValueTranslation(value=value, language=lang, name=_text(names, lang))
                    for lang in languages
                )
        event_publish(AttributesChanged(attribute_codes=[s.code for s in specs]))
    return existing


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ""


def catalog_import(
    *,
    categories: Sequence[CategorySpec] = (),
    products: Sequence[ProductSpec] = (),
    existing_categories: dict[str, int] | None = None,
) -> ImportResult:
    """Create categories and products with their variants, values and translations.

    Everything is validated before anything is written, and written in one transaction: an
    import with one bad product writes nothing and reports every problem it found. Publishes
    ``ProductsChanged`` for the new products (in chunks), which rebuilds their listing.
    """
    languages = _languages()
    default = settings.LANGUAGE_CODE
    known_categories = dict(existing_categories or {})
    values = {
        (v.attribute.code, v.code): v
        for v in AttributeValue.objects.select_related("attribute").all()
    }
    problems = _validate(categories, products, known_categories, values, default)
    if problems:
        raise CatalogImportError(problems)

    with transaction.atomic():
        category_ids = _create_categories(categories, known_categories, languages)
        known_categories.update(category_ids)
        product_ids = _create_products(products, known_categories, values, languages)
        for start in range(0, len(product_ids), EVENT_CHUNK):
            event_publish(ProductsChanged(product_ids=product_ids[start : start + EVENT_CHUNK]))
    return ImportResult(category_ids=category_ids, product_ids=product_ids)


def _validate(
    categories: Sequence[CategorySpec],
    products: Sequence[ProductSpec],
    known_categories: dict[str, int],
    values: dict[tuple[str, str], AttributeValue],
    default: str,
) -> list[str]:
    problems: list[str] = []
    keys = set(known_categories)
    for n, spec in enumerate(categories, start=1):
        if not spec.names.get(default):
            problems.append(f"category {n} ({spec.key}): no {default} name")
        if spec.parent_key is not None and spec.parent_key not in keys:
            problems.append(
                f"category {n} ({spec.key}): parent {spec.parent_key} comes later or not at all"
            )
        if spec.key in keys:
            problems.append(f"category {n}: key {spec.key} is used twice")
        keys.add(spec.key)
    skus: set[str] = set()
    for n, product in enumerate(products, start=1):
        where = f"product {n} ({product.names.get(default, '?')})"
        if not product.names.get(default):
            problems.append(f"{where}: no {default} name")
        if product.category_key not in keys:
            problems.append(f"{where}: unknown category {product.category_key}")
        if not product.variants:
            problems.append(f"{where}: no variants")
        if product.tax_class not in TaxClass.values:
            problems.append(f"{where}: unknown tax class {product.tax_class}")
        for pair in product.values:
            if pair not in values:
                problems.append(f"{where}: unknown attribute value {pair[0]}={pair[1]}")
        for variant in product.variants:
            if not variant.sku or len(variant.sku) > 64:
                problems.append(f"{where}: SKU {variant.sku!r} is empty or longer than 64")
            if variant.sku in skus:
                problems.append(f"{where}: SKU {variant.sku} is used twice")
            skus.add(variant.sku)
            for pair in variant.values:
                if pair not in values:
                    problems.append(f"{where}: unknown attribute value {pair[0]}={pair[1]}")
    taken = (
        set(Variant.objects.filter(sku__in=skus).values_list("sku", flat=True)) if skus else set()
    )
    problems.extend(f"SKU {sku} already exists" for sku in sorted(taken))
    wanted: dict[str, set[str]] = {}
    for product in products:
        for lang, slug in product.slugs.items():
            if slug:
                if slug in wanted.setdefault(lang, set()):
                    problems.append(f"slug {slug} [{lang}] is used twice")
                wanted[lang].add(slug)
    for lang, slugs in wanted.items():
        found = ProductTranslation.objects.filter(language=lang, slug__in=slugs)
        problems.extend(
            f"slug {slug} [{lang}] already exists"
            for slug in sorted(found.values_list("slug", flat=True))
        )
    return problems


def _create_categories(
    specs: Sequence[CategorySpec], known: dict[str, int], languages: list[str]
) -> dict[str, int]:
    created: dict[str, int] = {}
    slugs = _Slugs(CategoryTranslation, languages)
    for lang in languages:
        slugs.load(lang, {slugify(_text(s.names, lang), allow_unicode=True) for s in specs})
    paths = dict(Category.objects.filter(pk__in=known.values()).values_list("pk", "path"))
    child_counts: dict[int | None, int] = {}
    translations = []
    for spec in specs:
        parent_id = (
            created.get(spec.parent_key) or known.get(spec.parent_key) if spec.parent_key else None
        )
        if parent_id not in child_counts:
            child_counts[parent_id] = Category.objects.filter(parent_id=parent_id).count()
        child_counts[parent_id] += 1
        position = child_counts[parent_id]
        prefix = paths[parent_id] if parent_id else ""
        category = Category.objects.create(
            parent_id=parent_id,
            path=f"{prefix}{position:04d}.",
            depth=prefix.count("."),
            position=position,
        )
        paths[category.pk] = category.path
        created[spec.key] = category.pk
        for lang in languages:
            name = _text(spec.names, lang)
            translations.append(
                CategoryTranslation(
                    category=category,
                    language=lang,
                    name=name,
                    slug=slugs.make(lang, name),
                    description=_text(spec.descriptions, lang),
                )
            )
    CategoryTranslation.objects.bulk_create(translations, batch_size=CHUNK)
    return created


def _create_products(
    specs: Sequence[ProductSpec],
    categories: dict[str, int],
    values: dict[tuple[str, str], AttributeValue],
    languages: list[str],
) -> list[int]:
    slugs = _Slugs(ProductTranslation, languages)
    for lang in languages:
        candidates = {slugify(_text(s.names, lang), allow_unicode=True)[:200] for s in specs}
        for start in range(0, len(candidates), 5000):
            slugs.load(lang, set(list(candidates)[start : start + 5000]))
        slugs.taken[lang].update(s.slugs[lang] for s in specs if s.slugs.get(lang))
    now = timezone.now()
    product_ids: list[int] = []
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        products = Product.objects.bulk_create(
            [
                Product(
                    kind=ProductKind.CONFIGURABLE if len(s.variants) > 1 else ProductKind.SIMPLE,
                    category_id=categories[s.category_key],
                    tax_class=s.tax_class,
                    is_published=s.is_published,
                    created_at=s.created_at or now,
                )
                for s in chunk
            ]
        )
        ProductTranslation.objects.bulk_create(
            [
                ProductTranslation(
                    product=p,
                    language=lang,
                    name=_text(s.names, lang)[:255],
                    slug=s.slugs[lang]
                    if s.slugs.get(lang)
                    else slugs.make(lang, _text(s.names, lang)),
                    description=_text(s.descriptions, lang),
                )
                for p, s in zip(products, chunk, strict=True)
                for lang in languages
            ]
        )
        ProductValue.objects.bulk_create(
            [
                ProductValue(product=p, value=values[pair])
                for p, s in zip(products, chunk, strict=True)
                for pair in s.values
            ]
        )
        variants = Variant.objects.bulk_create(
            [
                Variant(
                    product=p, sku=v.sku, barcode=v.barcode, position=i, weight_grams=v.weight_grams
                )
                for p, s in zip(products, chunk, strict=True)
                for i, v in enumerate(s.variants)
            ]
        )
        specs_flat = [v for s in chunk for v in s.variants]
        VariantValue.objects.bulk_create(
            [
                VariantValue(variant=variant, value=values[pair])
                for variant, spec in zip(variants, specs_flat, strict=True)
                for pair in spec.values
            ]
        )
        product_ids.extend(p.pk for p in products)
    return product_ids


# --- Editing from the catalog workspace (S12): one product or category at a time, or in bulk. ---


class CatalogEditError(DomainError):
    """The change cannot be saved; ``problems`` maps a field (or "") to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class TextsSpec:
    """A name, slug (empty: made from the name) and description in one language."""

    name: str
    slug: str = ""
    description: str = ""


MAX_BULK = 1000


def products_set_published(
    *, product_ids: Sequence[int], published: bool, actor: Any, ip_address: str | None = None
) -> int:
    """Publish or withdraw many products at once; returns how many changed."""
    ids = sorted(set(product_ids))[:MAX_BULK]
    with transaction.atomic():
        changed = list(
            Product.objects.filter(pk__in=ids)
            .exclude(is_published=published)
            .values_list("pk", flat=True)
        )
        if not changed:
            return 0
        Product.objects.filter(pk__in=changed).update(
            is_published=published, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="catalog.products_publish" if published else "catalog.products_withdraw",
            after={"product_ids": changed},
            ip_address=ip_address,
        )
        event_publish(ProductsChanged(product_ids=changed))
    return len(changed)


def products_move(
    *, product_ids: Sequence[int], category: Category, actor: Any, ip_address: str | None = None
) -> int:
    """Move many products to one category; returns how many moved."""
    ids = sorted(set(product_ids))[:MAX_BULK]
    with transaction.atomic():
        moved = list(
            Product.objects.filter(pk__in=ids)
            .exclude(category=category)
            .values_list("pk", flat=True)
        )
        if not moved:
            return 0
        Product.objects.filter(pk__in=moved).update(category=category, updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="catalog.products_move",
            target=category,
            after={"product_ids": moved},
            ip_address=ip_address,
        )
        event_publish(ProductsChanged(product_ids=moved))
    return len(moved)


def _texts_problems(
    model: Any, owner: str, owner_id: int | None, texts: dict[str, TextsSpec]
) -> tuple[dict[str, str], dict[str, str]]:
    """Problems with the names and slugs, and the slug each language will have."""
    default = settings.LANGUAGE_CODE
    problems: dict[str, str] = {}
    slugs: dict[str, str] = {}
    if not texts.get(default) or not texts[default].name.strip():
        problems[f"name_{default}"] = str(_("A name in the store's main language is required."))
    for lang in _languages():
        spec = texts.get(lang)
        name = (spec.name if spec else "").strip() or (
            texts[default].name.strip() if texts.get(default) else ""
        )
        if len(name) > 200:
            problems[f"name_{lang}"] = str(_("At most 200 characters."))
        slug = slugify((spec.slug if spec else "") or name, allow_unicode=True)[:200]
        if not slug and name:
            problems[f"slug_{lang}"] = str(_("This slug has no letters or digits."))
        taken = model.objects.filter(language=lang, slug=slug).exclude(**{owner: owner_id})
        if slug and taken.exists():
            problems[f"slug_{lang}"] = str(
                _("The address “%(slug)s” is already used by another page.") % {"slug": slug}
            )
        slugs[lang] = slug
    return problems, slugs


@dataclass(frozen=True)
class ProductChange:
    category_id: int
    texts: dict[str, TextsSpec]
    tax_class: str = TaxClass.STANDARD
    is_published: bool = True


def product_update(
    *, product: Product, change: ProductChange, actor: Any, ip_address: str | None = None
) -> Product:
    """Save a product's texts in every language, its category, tax class and publishing.

    A language left empty takes the main language's name; a slug left empty is made from the
    name. Slugs stay unique per language. The storefront and search follow through events.
    """
    problems, slugs = _texts_problems(ProductTranslation, "product_id", product.pk, change.texts)
    if not Category.objects.filter(pk=change.category_id).exists():
        problems["category"] = str(_("Choose a category."))
    if change.tax_class not in TaxClass.values:
        problems["tax_class"] = str(_("Choose a tax class."))
    if problems:
        raise CatalogEditError(problems)
    default = change.texts[settings.LANGUAGE_CODE]
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = _product_state(product)
        product.category_id = change.category_id
        product.tax_class = change.tax_class
        product.is_published = change.is_published
        product.save()
        for lang in _languages():
            spec = change.texts.get(lang) or TextsSpec(name="")
            ProductTranslation.objects.update_or_create(
                product=product,
                language=lang,
                defaults={
                    "name": (spec.name.strip() or default.name.strip())[:255],
                    "slug": slugs[lang],
                    "description": spec.description.strip() or default.description.strip(),
                },
            )
        audit_record(
            actor=actor,
            action="catalog.product_update",
            target=product,
            before=before,
            after=_product_state(product),
            ip_address=ip_address,
        )
        event_publish(ProductsChanged(product_ids=[product.pk]))
    return product


def _product_state(product: Product) -> dict[str, Any]:
    return {
        "category_id": product.category_id,
        "tax_class": product.tax_class,
        "is_published": product.is_published,
        "texts": {
            t.language: [t.name, t.slug]
            for t in ProductTranslation.objects.filter(product=product).order_by("language")
        },
    }


@dataclass(frozen=True)
class CategoryChange:
    texts: dict[str, TextsSpec]
    is_published: bool = True


def category_save(
    *,
    change: CategoryChange,
    actor: Any,
    category: Category | None = None,
    parent: Category | None = None,
    ip_address: str | None = None,
) -> Category:
    """Create a category under ``parent`` (or at the root), or change ``category``'s texts and
    publishing. Products in it are relisted, since a withdrawn category hides its products."""
    problems, slugs = _texts_problems(
        CategoryTranslation, "category_id", category.pk if category else None, change.texts
    )
    if problems:
        raise CatalogEditError(problems)
    default = change.texts[settings.LANGUAGE_CODE]
    with transaction.atomic():
        if category is None:
            prefix = parent.path if parent else ""
            position = (
                Category.objects.filter(parent=parent)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
                or 0
            ) + 1
            category = Category.objects.create(
                parent=parent,
                path=f"{prefix}{position:04d}.",
                depth=prefix.count("."),
                position=position,
                is_published=change.is_published,
            )
            before: dict[str, Any] = {}
        else:
            category = Category.objects.select_for_update().get(pk=category.pk)
            before = {"is_published": category.is_published}
            category.is_published = change.is_published
            category.save()
        for lang in _languages():
            spec = change.texts.get(lang) or TextsSpec(name="")
            CategoryTranslation.objects.update_or_create(
                category=category,
                language=lang,
                defaults={
                    "name": (spec.name.strip() or default.name.strip())[:200],
                    "slug": slugs[lang],
                    "description": spec.description.strip() or default.description.strip(),
                },
            )
        audit_record(
            actor=actor,
            action="catalog.category_save",
            target=category,
            before=before,
            after={"is_published": category.is_published, "slugs": slugs},
            ip_address=ip_address,
        )
        product_ids = list(
            Product.objects.filter(category__path__startswith=category.path).values_list(
                "pk", flat=True
            )
        )
        for start in range(0, len(product_ids), EVENT_CHUNK):
            event_publish(ProductsChanged(product_ids=product_ids[start : start + EVENT_CHUNK]))
    return category


def variants_save(
    *, product: Product, variants: Sequence[VariantSpec], actor: Any, ip_address: str | None = None
) -> list[Variant]:
    """Add the product's new variants and update the barcode and weight of those it has (by SKU).

    A SKU that belongs to another product, an unknown option value, or a barcode used elsewhere
    is refused with every problem named, and nothing is saved. Variants not named are kept.
    """
    values = {
        (v.attribute.code, v.code): v
        for v in AttributeValue.objects.select_related("attribute").filter(
            attribute__is_variant_axis=True
        )
    }
    mine = {v.sku: v for v in Variant.objects.filter(product=product)}
    others = set(
        Variant.objects.filter(sku__in=[v.sku for v in variants])
        .exclude(product=product)
        .values_list("sku", flat=True)
    )
    problems: dict[str, str] = {}
    for spec in variants:
        if not spec.sku or len(spec.sku) > 64:
            problems[spec.sku or "sku"] = str(_("A SKU has 1 to 64 characters."))
        elif spec.sku in others:
            problems[spec.sku] = str(_("This SKU belongs to another product."))
        for pair in spec.values:
            if pair not in values:
                problems[spec.sku] = str(
                    _("Unknown option %(option)s.") % {"option": f"{pair[0]}={pair[1]}"}
                )
        if (
            spec.barcode
            and Variant.objects.filter(barcode=spec.barcode).exclude(sku=spec.sku).exists()
        ):
            problems[spec.sku] = str(_("This barcode belongs to another variant."))
    if problems:
        raise CatalogEditError(problems)
    with transaction.atomic():
        saved = []
        position = len(mine)
        for spec in variants:
            variant = mine.get(spec.sku)
            if variant is None:
                variant = Variant.objects.create(
                    product=product,
                    sku=spec.sku,
                    barcode=spec.barcode or None,
                    weight_grams=spec.weight_grams,
                    position=position,
                )
                position += 1
                VariantValue.objects.bulk_create(
                    VariantValue(variant=variant, value=values[pair]) for pair in spec.values
                )
            elif (variant.barcode or None, variant.weight_grams) != (
                spec.barcode or None,
                spec.weight_grams,
            ):
                variant.barcode = spec.barcode or None
                variant.weight_grams = spec.weight_grams
                variant.save(update_fields=["barcode", "weight_grams"])
            saved.append(variant)
        kind = ProductKind.CONFIGURABLE if position > 1 else ProductKind.SIMPLE
        if product.kind != kind:
            Product.objects.filter(pk=product.pk).update(kind=kind)
        audit_record(
            actor=actor,
            action="catalog.variants_save",
            target=product,
            after={"skus": [v.sku for v in saved]},
            ip_address=ip_address,
        )
        event_publish(ProductsChanged(product_ids=[product.pk]))
    return saved
