from __future__ import annotations

from typing import Any

import pytest

from storeteam.catalog.models import (
    Category,
    CategoryTranslation,
    Product,
    ProductTranslation,
    Variant,
)
from storeteam.catalog.services import (
    CatalogImportError,
    CategorySpec,
    ProductSpec,
    VariantSpec,
    attributes_ensure,
    catalog_import,
)
from storeteam.pricing.models import VariantPrice
from storeteam.pricing.services import PriceImportError, PriceRow, price_list_ensure, prices_import
from tests.catalog.fixtures import ATTRIBUTES, build_small_catalog


@pytest.mark.django_db
def test_import_builds_the_tree_translations_and_unique_slugs(deliver_events: Any) -> None:
    built = build_small_catalog(deliver_events)
    jackets = Category.objects.get(pk=built["categories"]["jackets"])
    assert jackets.path == "0001.0001."
    assert jackets.depth == 1
    assert CategoryTranslation.objects.get(category=jackets, language="sv").slug == "jackor"
    # a language without its own text falls back to English, and slugs stay unique per language
    assert CategoryTranslation.objects.get(category=jackets, language="fr").name == "Vestes"
    assert ProductTranslation.objects.get(slug="ulljacka", language="sv").name == "Ulljacka"
    assert ProductTranslation.objects.filter(language="fr", name="Wool Jacket").count() == 1
    again = catalog_import(
        products=[
            ProductSpec(
                category_key="jackets",
                names={"en": "Wool Jacket"},
                variants=[VariantSpec(sku="WJ-2")],
            )
        ],
        existing_categories=built["categories"],
    )
    assert (
        ProductTranslation.objects.get(product_id=again.product_ids[0], language="en").slug
        == "wool-jacket-2"
    )
    # a third import of the same name must skip the stored "-2" too
    third = catalog_import(
        products=[
            ProductSpec(
                category_key="jackets",
                names={"en": "Wool Jacket"},
                variants=[VariantSpec(sku="WJ-3")],
            )
        ],
        existing_categories=built["categories"],
    )
    assert (
        ProductTranslation.objects.get(product_id=third.product_ids[0], language="en").slug
        == "wool-jacket-3"
    )


@pytest.mark.django_db
def test_a_bad_import_writes_nothing_and_names_every_problem() -> None:
    attributes_ensure(ATTRIBUTES)
    bad = [
        ProductSpec(
            category_key="nowhere", names={"en": "Lost"}, variants=[VariantSpec(sku="A-1")]
        ),
        ProductSpec(
            category_key="c", names={"sv": "Bara svenska"}, variants=[VariantSpec(sku="A-1")]
        ),
        ProductSpec(
            category_key="c",
            names={"en": "Odd"},
            variants=[VariantSpec(sku="B-1", values=[("colour", "mauve")])],
        ),
        ProductSpec(category_key="c", names={"en": "Empty"}, variants=[]),
    ]
    with pytest.raises(CatalogImportError) as error:
        catalog_import(categories=[CategorySpec("c", {"en": "C"})], products=bad)
    assert error.value.problems == [
        "product 1 (Lost): unknown category nowhere",
        "product 2 (?): no en name",
        "product 2 (?): SKU A-1 is used twice",
        "product 3 (Odd): unknown attribute value colour=mauve",
        "product 4 (Empty): no variants",
    ]
    assert Category.objects.count() == 0
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_prices_are_exact_and_a_bad_row_writes_nothing(deliver_events: Any) -> None:
    build_small_catalog(deliver_events)
    sek = price_list_ensure(code="web-sek", name="Web SEK", currency="SEK")
    before = list(VariantPrice.objects.order_by("pk").values_list("amount", flat=True))
    with pytest.raises(PriceImportError) as error:
        prices_import(
            price_list=sek,
            rows=[
                PriceRow("WOOL-JACKET-S", "99.999"),  # rounds to 100.00: fine
                PriceRow("WOOL-JACKET-M", "-5"),
                PriceRow("RAIN-JACKET-M", "100", "90"),
                PriceRow("NO-SUCH-SKU", "10"),
                PriceRow("RAIN-JACKET-L", "ten"),
            ],
        )
    assert error.value.problems == [
        "row 2 (WOOL-JACKET-M): a price cannot be negative",
        "row 3 (RAIN-JACKET-M): the compare-at price must be above the price",
        "row 5 (RAIN-JACKET-L): not an amount: 'ten'",
        "unknown SKU NO-SUCH-SKU",
    ]
    assert list(VariantPrice.objects.order_by("pk").values_list("amount", flat=True)) == before
    prices_import(price_list=sek, rows=[PriceRow("WOOL-JACKET-S", "99.999")])
    assert (
        str(VariantPrice.objects.get(price_list=sek, variant__sku="WOOL-JACKET-S").amount)
        == "100.00"
    )
    assert Variant.objects.count() == 6
