"""The demo catalog: a plausible store of the sizes of Magento's performance toolkit.

``demo_catalog_data`` is pure data: the same profile and seed give the same categories, names,
SKUs and prices on every run. ``demo_catalog_build`` writes it through the catalog's and pricing's
services in chunks of ``IMPORT_CHUNK`` products (memory stays bounded at 308,000 products), and
delivers the events those services publish right away, in process, through the outbox's own
``event_deliver``, so the storefront's listing is current when it returns.

Category trees by profile (level: count)::

    small   department 10 > type 20
    medium  department 10 > type 60 > material 230
    large   department 10 > segment 40 > type 150 > material 700 > brand 2,100

Products sit in the leaves. A product's type, and below the type level its material and brand,
come from its category: "Clothing > Women > Jackets & Coats > Wool Jackets & Coats > Nordvik".
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

from django.db.models import Max
from django.utils.text import slugify

from storeteam.catalog.images import ImageAttachment, product_images_attach
from storeteam.catalog.models import Category, Product, TaxClass, Variant
from storeteam.catalog.services import (
    AttributeSpec,
    CategorySpec,
    ProductSpec,
    VariantSpec,
    attributes_ensure,
    catalog_import,
)
from storeteam.core.models import DeliveryState, EventDelivery, OutboxEvent
from storeteam.core.outbox import event_deliver
from storeteam.demo.images import DemoPictures
from storeteam.demo.words import (
    ADJECTIVES,
    COLOURS,
    DEPARTMENTS,
    LANGUAGES,
    LETTER_SIZES,
    MATERIALS,
    MODELS,
    SHOE_SIZES,
    Adjective,
    Department,
    Material,
    Noun,
    ProductType,
    Texts,
)
from storeteam.pricing.services import PriceRow, price_list_ensure, prices_import, tax_rates_set

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

IMPORT_CHUNK = 5000
# created_at is spread over the two years before this instant (fixed, so a seed gives one catalog).
CREATED_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
CREATED_SPAN_SECONDS = 2 * 365 * 24 * 3600
SEK_PER_EUR = 11
COMPARE_AT_SHARE = 0.15
NO_ADJECTIVE_SHARE = 0.1
SKU_PREFIX = "ST"
BARCODE_PREFIX = "735"  # GS1 Sweden

TAX_RATES: dict[tuple[str, str], Decimal] = {
    ("SE", TaxClass.STANDARD): Decimal("0.2500"),
    ("SE", TaxClass.REDUCED): Decimal("0.1200"),
    ("FR", TaxClass.STANDARD): Decimal("0.2000"),
    ("FR", TaxClass.REDUCED): Decimal("0.0550"),
    ("NL", TaxClass.STANDARD): Decimal("0.2100"),
    ("NL", TaxClass.REDUCED): Decimal("0.0900"),
    ("DE", TaxClass.STANDARD): Decimal("0.1900"),
    ("DE", TaxClass.REDUCED): Decimal("0.0700"),
    ("FI", TaxClass.STANDARD): Decimal("0.2550"),
    ("FI", TaxClass.REDUCED): Decimal("0.1400"),
}


@dataclass(frozen=True)
class Profile:
    simple: int
    configurable: int
    levels: tuple[tuple[str, int], ...]  # (kind, count) from the root down

    @property
    def products(self) -> int:
        return self.simple + self.configurable

    @property
    def categories(self) -> int:
        return sum(count for _kind, count in self.levels)


PROFILES: dict[str, Profile] = {
    "small": Profile(800, 16, (("department", 10), ("type", 20))),
    "medium": Profile(24_000, 640, (("department", 10), ("type", 60), ("material", 230))),
    "large": Profile(
        300_000,
        8_000,
        (
            ("department", 10),
            ("segment", 40),
            ("type", 150),
            ("material", 700),
            ("brand", 2_100),
        ),
    ),
}


@dataclass(frozen=True)
class DemoCatalogSummary:
    profile: str
    created: bool  # False: the store already had products, and nothing was added
    categories: int
    products: int
    variants: int
    seconds: float


@dataclass(frozen=True)
class DemoProduct:
    """One product as the generator made it: the catalog's spec and its prices."""

    spec: ProductSpec
    sek: Decimal
    sek_compare_at: Decimal | None
    eur: Decimal
    eur_compare_at: Decimal | None
    kind: str = ""  # the product type's code (what its picture shows)

    def price_rows(self, currency: str) -> list[PriceRow]:
        amount, compare_at = (
            (self.sek, self.sek_compare_at)
            if currency == "SEK"
            else (self.eur, self.eur_compare_at)
        )
        return [PriceRow(v.sku, amount, compare_at) for v in self.spec.variants]


@dataclass(frozen=True)
class _Node:
    key: str
    department: Department
    type: ProductType | None = None
    material: Material | None = None
    brand: str | None = None


# --- pure data ----------------------------------------------------------------------------------


def demo_catalog_data(
    *, profile: str, seed: int = 7
) -> tuple[list[CategorySpec], Iterator[DemoProduct]]:
    """The categories (parents first) and a lazy stream of the products of a profile.

    Deterministic: one ``random.Random(seed)`` draws everything, categories first.
    """
    try:
        chosen = PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"unknown demo profile {profile!r}; use one of {sorted(PROFILES)}"
        ) from None
    rng = random.Random(seed)  # noqa: S311 (demo data: reproducible by seed, not secret)
    categories, leaves = _category_tree(chosen, rng)
    return categories, _products(chosen, leaves, rng)


def attribute_specs() -> list[AttributeSpec]:
    """The facets: colour and size (variant axes), material and brand (on products)."""
    return [
        AttributeSpec(
            "colour",
            "choice",
            _texts(("Colour", "Färg", "Couleur", "Kleur")),
            [(code, _texts(names)) for code, names in COLOURS.items()],
            is_facet=True,
            is_variant_axis=True,
        ),
        AttributeSpec(
            "size",
            "choice",
            _texts(("Size", "Storlek", "Taille", "Maat")),
            [(s, _same(s.upper())) for s in LETTER_SIZES] + [(s, _same(s)) for s in SHOE_SIZES],
            is_facet=True,
            is_variant_axis=True,
        ),
        AttributeSpec(
            "material",
            "choice",
            _texts(("Material", "Material", "Matière", "Materiaal")),
            [(m.code, _texts(m.names)) for m in MATERIALS.values() if m.is_facet],
            is_facet=True,
        ),
        AttributeSpec(
            "brand",
            "choice",
            _texts(("Brand", "Varumärke", "Marque", "Merk")),
            [(_brand_code(b), _same(b)) for d in DEPARTMENTS for b in d.brands],
            is_facet=True,
        ),
    ]


def _texts(texts: Texts) -> dict[str, str]:
    return dict(zip(LANGUAGES, texts, strict=True))


def _same(text: str) -> dict[str, str]:
    return dict.fromkeys(LANGUAGES, text)


def _brand_code(brand: str) -> str:
    return slugify(brand)


def _category_tree(profile: Profile, rng: random.Random) -> tuple[list[CategorySpec], list[_Node]]:
    specs: list[CategorySpec] = []
    level: list[_Node] = []
    for kind, count in profile.levels:
        if kind == "department":
            assert count == len(DEPARTMENTS)
            level = [_Node(d.code, d) for d in DEPARTMENTS]
            specs.extend(
                CategorySpec(
                    n.key, _texts(n.department.names), None, _texts(n.department.description)
                )
                for n in level
            )
            continue
        parents, level = level, []
        per_parent, extra = divmod(count, len(parents))
        more = set(rng.sample(range(len(parents)), extra))
        for i, parent in enumerate(parents):
            options = _options(kind, parent)
            wanted = per_parent + (i in more)
            if wanted > len(options):
                raise ValueError(f"{parent.key}: {wanted} {kind} children, {len(options)} known")
            for pick in sorted(rng.sample(range(len(options)), wanted)):  # in the listed order
                names, child = options[pick]
                level.append(child)
                specs.append(CategorySpec(child.key, _texts(names), parent.key))
    return specs, level


def _options(kind: str, parent: _Node) -> list[tuple[Texts, _Node]]:
    """The children a category can have at the next level: their names and what they fix."""
    d = parent.department
    if kind == "segment":
        return [(s, _Node(f"{parent.key}/{slugify(s[0])}", d)) for s in d.segments]
    if kind == "type":
        return [(t.names, _Node(f"{parent.key}/{t.code}", d, t)) for t in d.types]
    if kind == "material":
        assert parent.type is not None
        t = parent.type
        options: list[tuple[Texts, _Node]] = []
        for code in t.materials:
            m = MATERIALS[code]
            names = (
                f"{m.en} {t.names[0]}",
                f"{t.names[1]} {m.sv}",
                f"{t.names[2]} {m.fr}",
                f"{t.names[3]} {m.nl}",
            )
            options.append((names, _Node(f"{parent.key}/{code}", d, t, m)))
        return options
    if kind == "brand":
        return [
            (
                (b, b, b, b),
                _Node(f"{parent.key}/{_brand_code(b)}", d, parent.type, parent.material, b),
            )
            for b in d.brands
        ]
    raise ValueError(f"unknown category level {kind}")


def _products(profile: Profile, leaves: list[_Node], rng: random.Random) -> Iterator[DemoProduct]:
    total = profile.products
    configurable = set(rng.sample(range(total), profile.configurable))
    with_variants = [n for n in leaves if n.type is not None and (n.type.colours or n.type.sizing)]
    names = _Names()
    barcodes = _Barcodes()
    for index in range(total):
        is_configurable = index in configurable
        leaf = rng.choice(with_variants if is_configurable else leaves)
        d, t = leaf.department, leaf.type
        assert t is not None
        model, adjective, noun, material, suffix = names.pick(rng, d, t, leaf.material)
        brand = leaf.brand or rng.choice(d.brands)
        values = [("brand", _brand_code(brand))]
        if material.is_facet:
            values.insert(0, ("material", material.code))
        tagline = rng.choice(d.taglines)
        weight = rng.randrange(t.weight_grams[0], t.weight_grams[1] + 1, 10)
        variants = [
            VariantSpec(sku=sku, values=axes, barcode=barcodes.next(), weight_grams=weight)
            for sku, axes in _variant_axes(rng, index + 1, d, t, is_configurable)
        ]
        sek, sek_compare_at = _sek_price(rng, t)
        eur_ending = rng.choice((".90", ".95", ".00"))
        eur = _eur(sek, eur_ending)
        eur_compare_at = None
        if sek_compare_at is not None:
            eur_compare_at = max(_eur(sek_compare_at, eur_ending), eur + 1)
        created_at = CREATED_BEFORE - timedelta(seconds=rng.randrange(CREATED_SPAN_SECONDS))
        spec = ProductSpec(
            category_key=leaf.key,
            names=_product_names(model, adjective, noun, material, suffix),
            descriptions=_descriptions(adjective, noun, material, tagline),
            variants=variants,
            values=values,
            tax_class=d.tax_class,
            created_at=created_at,
        )
        yield DemoProduct(spec, sek, sek_compare_at, eur, eur_compare_at, kind=t.code)


class _Names:
    """Draws (model, adjective, noun, material) combinations that no product has yet, so every
    name, and so every slug, is unique in every language (see words.vocabulary_problems)."""

    ATTEMPTS = 40

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.nouns = {
            n: i for i, n in enumerate(n for d in DEPARTMENTS for t in d.types for n in t.nouns)
        }
        self.adjectives = {key: i + 1 for i, key in enumerate(ADJECTIVES)}  # 0: no adjective
        self.materials = {code: i for i, code in enumerate(MATERIALS)}

    def key(self, model: int, adjective: str | None, noun: Noun, material: str, suffix: int) -> int:
        key = suffix
        key = key * len(self.nouns) + self.nouns[noun]
        key = key * (len(self.adjectives) + 1) + (self.adjectives[adjective] if adjective else 0)
        key = key * len(self.materials) + self.materials[material]
        return key * len(MODELS) + model

    def pick(
        self, rng: random.Random, d: Department, t: ProductType, fixed: Material | None
    ) -> tuple[str, Adjective | None, Noun, Material, int]:
        adjectives = t.adjectives or d.adjectives
        for _attempt in range(self.ATTEMPTS):
            noun = rng.choice(t.nouns)
            adjective = None if rng.random() < NO_ADJECTIVE_SHARE else rng.choice(adjectives)
            material = fixed.code if fixed else rng.choice(t.materials)
            model = rng.randrange(len(MODELS))
            if self._take(model, adjective, noun, material, 1):
                return self._result(model, adjective, noun, material, 1)
        # Crowded: take the first free combination in a fixed order, then numbered repeats.
        suffix = 1
        while True:
            for model in range(len(MODELS)):
                for noun in t.nouns:
                    for adjective in (None, *adjectives):
                        if self._take(model, adjective, noun, material, suffix):
                            return self._result(model, adjective, noun, material, suffix)
            suffix += 1

    def _take(
        self, model: int, adjective: str | None, noun: Noun, material: str, suffix: int
    ) -> bool:
        key = self.key(model, adjective, noun, material, suffix)
        if key in self.used:
            return False
        self.used.add(key)
        return True

    @staticmethod
    def _result(
        model: int, adjective: str | None, noun: Noun, material: str, suffix: int
    ) -> tuple[str, Adjective | None, Noun, Material, int]:
        return (
            MODELS[model],
            ADJECTIVES[adjective] if adjective else None,
            noun,
            MATERIALS[material],
            suffix,
        )


def _product_names(
    model: str, adjective: Adjective | None, noun: Noun, material: Material, suffix: int
) -> dict[str, str]:
    tail = f" {suffix}" if suffix > 1 else ""
    a = adjective
    return {
        "en": _join(model, a.en if a else "", material.en, noun.en) + tail,
        "sv": _join(model, a.sv(noun) if a else "", noun.sv, material.sv) + tail,
        "fr": _join(model, noun.fr, a.fr(noun) if a else "", material.fr) + tail,
        "nl": _join(model, a.nl(noun) if a else "", noun.nl, material.nl) + tail,
    }


def _descriptions(
    adjective: Adjective | None, noun: Noun, material: Material, tagline: Texts
) -> dict[str, str]:
    a = adjective
    en = _lower(_join(a.en if a else "", material.en, noun.en))
    sv = _join("ett" if noun.sv_ett else "en", a.sv(noun) if a else "", noun.sv, material.sv)
    fr = _join("une" if noun.fr_fem else "un", noun.fr, a.fr(noun) if a else "", material.fr)
    nl = _join("een", a.nl(noun) if a else "", noun.nl, material.nl)
    return {
        "en": f"{_article(en)} {en}. {tagline[0]}",
        "sv": f"{_capital(sv)}. {tagline[1]}",
        "fr": f"{_capital(fr)}. {tagline[2]}",
        "nl": f"{_capital(nl)}. {tagline[3]}",
    }


def _join(*words: str) -> str:
    return " ".join(w for w in words if w)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """Title case to running text, keeping initialisms: "Vitamin C Face Serum" → "vitamin C face
    serum"."""
    return " ".join(w if len(w) == 1 or w.isupper() else w.lower() for w in text.split())


def _article(phrase: str) -> str:
    vowel = phrase[:1] in "aeiou" and not phrase.startswith(("eu", "uni", "use"))
    return "An" if vowel else "A"


def _variant_axes(
    rng: random.Random, number: int, d: Department, t: ProductType, configurable: bool
) -> list[tuple[str, list[tuple[str, str]]]]:
    """SKUs and axis values: ST-000123 for a simple product, ST-000123-M-NAVY for a variant."""
    base = f"{SKU_PREFIX}-{number:06d}"
    if not configurable:
        return [(base, [("colour", rng.choice(d.palette))] if t.colours else [])]
    sizes: tuple[str, ...] = ()
    if t.sizing:
        scale = LETTER_SIZES if t.sizing == "letter" else SHOE_SIZES
        run = rng.randint(4, 6) if t.sizing == "letter" else rng.randint(4, 8)
        start = rng.randrange(len(scale) - run + 1)
        sizes = scale[start : start + run]
        colours = rng.sample(d.palette, rng.randint(1, 12 // len(sizes)))
    else:
        colours = rng.sample(d.palette, rng.randint(4, 8))
    if not sizes:
        return [(f"{base}-{c.upper()}", [("colour", c)]) for c in colours]
    return [
        (f"{base}-{s.upper()}-{c.upper()}", [("size", s), ("colour", c)])
        for c in colours
        for s in sizes
    ]


class _Barcodes:
    """EAN-13 numbers in GS1 Sweden's range, one per variant, in order."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        digits = f"{BARCODE_PREFIX}{self.count:09d}"
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits))
        return f"{digits}{(10 - total % 10) % 10}"


def _price_ladder() -> tuple[Decimal, ...]:
    """Shelf prices in SEK: 19.90 … 199.90, then 249.00 … 999.00, then 1,099.00 … 9,999.00."""
    low = [Decimal(n) + Decimal("0.90") for n in range(19, 200, 10)]
    middle = [Decimal(n) for n in range(249, 1000, 50)]
    high = [Decimal(n) for n in range(1099, 10000, 100)]
    return tuple(low + middle + high)


LADDER = _price_ladder()


def _sek_price(rng: random.Random, t: ProductType) -> tuple[Decimal, Decimal | None]:
    low, high = t.price_sek
    first = next(i for i, p in enumerate(LADDER) if p >= low)
    last = max(i for i, p in enumerate(LADDER) if p <= high)
    span = last - first + 1
    # The cheaper end of a range is the busier one.
    index = first + min(rng.randrange(span), rng.randrange(span))
    compare_at = None
    if rng.random() < COMPARE_AT_SHARE:
        compare_at = LADDER[min(index + rng.randint(1, 4), len(LADDER) - 1)]
        if compare_at <= LADDER[index]:
            compare_at = None
    return LADDER[index], compare_at


def _eur(sek: Decimal, ending: str) -> Decimal:
    """About SEK/11, at a shelf price: x.90, x.95 or a whole euro."""
    approx = sek / SEK_PER_EUR
    if ending == ".00":
        return Decimal(max(1, round(approx)))
    return Decimal(int(approx)) + Decimal(ending)


def _chunks(items: Iterable[DemoProduct], size: int) -> Iterator[list[DemoProduct]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- writing ------------------------------------------------------------------------------------


def demo_catalog_build(
    *, profile: str, seed: int = 7, progress: Progress | None = None, with_images: bool = True
) -> DemoCatalogSummary:
    """Build the demo catalog of ``profile`` unless the store already has products.

    Writes only through catalog.services and pricing.services, ``IMPORT_CHUNK`` products per
    import. After each chunk the events it published (ProductsChanged, PricesChanged) are
    delivered in this process by the outbox's dispatcher, so the storefront's listing is current
    when this returns; the worker later finds those deliveries done. ``progress(stage, done,
    total)`` is called after the categories and after each chunk. With ``with_images`` every
    product gets a picture of its type in its first variant's colour (demo.images), each
    (type, colour) picture drawn and stored once and shared.
    """
    started = time.monotonic()
    report = progress or _silent
    if profile not in PROFILES:
        raise ValueError(f"unknown demo profile {profile!r}; use one of {sorted(PROFILES)}")
    if Product.objects.exists():
        return DemoCatalogSummary(
            profile=profile,
            created=False,
            categories=Category.objects.count(),
            products=Product.objects.count(),
            variants=Variant.objects.count(),
            seconds=time.monotonic() - started,
        )
    events_after = OutboxEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    attributes_ensure(attribute_specs())
    tax_rates_set(rates=TAX_RATES)
    sek = price_list_ensure(code="web-sek", name="Web SEK", currency="SEK", is_default=True)
    eur = price_list_ensure(code="web-eur", name="Web EUR", currency="EUR", is_default=True)

    categories, products = demo_catalog_data(profile=profile, seed=seed)
    report("categories", 0, len(categories))
    category_ids = catalog_import(categories=categories).category_ids
    report("categories", len(categories), len(categories))

    total = PROFILES[profile].products
    done = variants = 0
    report("products", 0, total)
    pictures = DemoPictures() if with_images else None
    for chunk in _chunks(products, IMPORT_CHUNK):
        imported = catalog_import(
            products=[p.spec for p in chunk], existing_categories=category_ids
        )
        if pictures is not None:
            _attach_pictures(pictures, chunk, imported.product_ids)
        # Delivered before the prices exist, ProductsChanged lists nothing yet and costs little.
        events_after = demo_events_deliver(after=events_after)
        for price_list in (sek, eur):  # delivered in between, the first relisting is lighter
            rows = [r for p in chunk for r in p.price_rows(price_list.currency)]
            prices_import(price_list=price_list, rows=rows)
            events_after = demo_events_deliver(after=events_after)
        done += len(chunk)
        variants += sum(len(p.spec.variants) for p in chunk)
        report("products", done, total)
    return DemoCatalogSummary(
        profile=profile,
        created=True,
        categories=len(categories),
        products=done,
        variants=variants,
        seconds=time.monotonic() - started,
    )


def _attach_pictures(
    pictures: DemoPictures, chunk: list[DemoProduct], product_ids: list[int]
) -> None:
    attachments = []
    for product, product_id in zip(chunk, product_ids, strict=True):
        colour = next(
            (code for axis, code in product.spec.variants[0].values if axis == "colour"), None
        )
        stored, alt = pictures.picture(kind=product.kind, colour=colour)
        attachments.append(ImageAttachment(product_id, stored, alt))
    product_images_attach(attachments=attachments)


def _silent(stage: str, done: int, total: int) -> None:
    pass


def demo_events_deliver(*, after: int) -> int:
    """Deliver the pending deliveries of events newer than ``after`` now, each through the
    dispatcher (the worker's code path). Returns the newest event id seen."""
    event_ids = list(
        EventDelivery.objects.filter(state=DeliveryState.PENDING, event_id__gt=after)
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event_id in event_ids:
        for outcome in event_deliver(event_id=event_id):
            if outcome.state != DeliveryState.DELIVERED:
                logger.warning(
                    "demo: event delivery %s is %s after %s attempts; the worker will retry it",
                    outcome.delivery_id,
                    outcome.state,
                    outcome.attempts,
                )
    return max(event_ids, default=after)
