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


def languages() -> list[str]:
    """The store's language codes, the main one first."""
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


def free_slug(model: Any, language: str, name: str) -> str:
    """A slug for ``name`` not yet used in ``language`` among ``model``'s rows (a number is added
    when the plain one is taken)."""
    slugs = _Slugs(model, [language])
    slugs.load(language, {slugify(name, allow_unicode=True)[:200] or "item"})
    return slugs.make(language, name)


def attributes_ensure(specs: Sequence[AttributeSpec]) -> dict[str, Attribute]:
    """Create attributes and their values that do not exist yet (by code); return all by code."""
    language_codes = languages()
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
                    for lang in language_codes
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
                    for lang in language_codes
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
    language_codes = languages()
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
        category_ids = _create_categories(categories, known_categories, language_codes)
        known_categories.update(category_ids)
        product_ids = _create_products(products, known_categories, values, language_codes)
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
