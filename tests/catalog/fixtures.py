"""A small catalog with known answers for filters, counts and sorting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storeteam.catalog.services import (
    AttributeSpec,
    CategorySpec,
    ProductSpec,
    VariantSpec,
    attributes_ensure,
    catalog_import,
)
from storeteam.pricing.services import PriceRow, price_list_ensure, prices_import

T0 = datetime(2026, 1, 1, tzinfo=UTC)

ATTRIBUTES = [
    AttributeSpec(
        "colour",
        "choice",
        {"en": "Colour", "sv": "Färg", "fr": "Couleur", "nl": "Kleur"},
        [
            ("red", {"en": "Red", "sv": "Röd"}),
            ("blue", {"en": "Blue", "sv": "Blå"}),
            ("green", {"en": "Green", "sv": "Grön"}),
        ],
        is_facet=True,
        is_variant_axis=True,
    ),
    AttributeSpec(
        "size",
        "choice",
        {"en": "Size", "sv": "Storlek"},
        [("s", {"en": "S"}), ("m", {"en": "M"}), ("l", {"en": "L"})],
        is_facet=True,
        is_variant_axis=True,
    ),
    AttributeSpec(
        "material",
        "choice",
        {"en": "Material", "sv": "Material"},
        [("wool", {"en": "Wool", "sv": "Ull"}), ("cotton", {"en": "Cotton", "sv": "Bomull"})],
        is_facet=True,
    ),
]

CATEGORIES = [
    CategorySpec(
        "clothing", {"en": "Clothing", "sv": "Kläder", "fr": "Vêtements", "nl": "Kleding"}
    ),
    CategorySpec(
        "jackets",
        {"en": "Jackets", "sv": "Jackor", "fr": "Vestes", "nl": "Jassen"},
        parent_key="clothing",
    ),
    CategorySpec(
        "shirts",
        {"en": "Shirts", "sv": "Skjortor", "fr": "Chemises", "nl": "Overhemden"},
        parent_key="clothing",
    ),
]


def product(
    name: str, sv: str, category: str, colour: str, sizes: list[str], material: str, day: int
) -> ProductSpec:
    sku = name.upper().replace(" ", "-")
    return ProductSpec(
        category_key=category,
        names={"en": name, "sv": sv},
        descriptions={"en": f"The {name.lower()}."},
        values=[("material", material)],
        variants=[
            VariantSpec(sku=f"{sku}-{s.upper()}", values=[("colour", colour), ("size", s)])
            for s in sizes
        ],
        created_at=T0 + timedelta(days=day),
    )


PRODUCTS = [
    product("Wool Jacket", "Ulljacka", "jackets", "red", ["s", "m"], "wool", 1),
    product("Rain Jacket", "Regnjacka", "jackets", "blue", ["m", "l"], "cotton", 3),
    product("Linen Shirt", "Linneskjorta", "shirts", "red", ["s"], "cotton", 2),
    product("Field Shirt", "Fältskjorta", "shirts", "green", ["l"], "cotton", 4),
]

PRICES_SEK = {
    "WOOL-JACKET": ("1200.00", "1500.00"),
    "RAIN-JACKET": ("900.00", None),
    "LINEN-SHIRT": ("450.00", None),
    "FIELD-SHIRT": ("600.00", None),
}


def build_small_catalog(deliver_events: Any) -> dict[str, Any]:
    attributes_ensure(ATTRIBUTES)
    result = catalog_import(categories=CATEGORIES, products=PRODUCTS)
    sek = price_list_ensure(code="web-sek", name="Web SEK", currency="SEK")
    eur = price_list_ensure(code="web-eur", name="Web EUR", currency="EUR")
    rows_sek, rows_eur = [], []
    for spec in PRODUCTS:
        base = spec.variants[0].sku.rsplit("-", 1)[0]
        amount, compare_at = PRICES_SEK[base]
        for variant in spec.variants:
            rows_sek.append(PriceRow(variant.sku, amount, compare_at))
            rows_eur.append(PriceRow(variant.sku, f"{int(float(amount)) // 10}.00"))
    prices_import(price_list=sek, rows=rows_sek)
    prices_import(price_list=eur, rows=rows_eur)
    deliver_events()
    return {
        "categories": result.category_ids,
        "products": result.product_ids,
        "sek": sek,
        "eur": eur,
    }
