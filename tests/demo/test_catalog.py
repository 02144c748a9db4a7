"""The demo catalog: sizes by profile, four languages, two currencies, and one catalog per seed."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils.text import slugify

from storeteam.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductKind,
    ProductTranslation,
    Variant,
)
from storeteam.core.models import DeliveryState, EventDelivery
from storeteam.demo.catalog import (
    PROFILES,
    DemoCatalogSummary,
    demo_catalog_build,
    demo_catalog_data,
)
from storeteam.demo.fulfilment import demo_capacity_plans_ensure, demo_stations_ensure
from storeteam.demo.images import demo_picture
from storeteam.demo.words import vocabulary_problems
from storeteam.fulfilment.models import ExpectedOrders, PackingStation, SameDayCutoff
from storeteam.pricing.models import PriceList, TaxRate, VariantPrice
from storeteam.storefront.models import ListingEntry

LANGUAGES = ("en", "sv", "fr", "nl")


class Rollback(Exception):
    pass


def snapshot() -> list[tuple[str, str, str, Decimal, Decimal]]:
    """(SKU, English name, Swedish name, SEK price, EUR price) of every variant, by SKU."""
    names = {
        (t.product_id, t.language): t.name
        for t in ProductTranslation.objects.filter(language__in=["en", "sv"])
    }
    prices = {
        (p.variant_id, p.price_list.currency): p.amount
        for p in VariantPrice.objects.select_related("price_list")
    }
    return sorted(
        (
            v.sku,
            names[v.product_id, "en"],
            names[v.product_id, "sv"],
            prices[v.pk, "SEK"],
            prices[v.pk, "EUR"],
        )
        for v in Variant.objects.all()
    )


def planned(seed: int) -> list[tuple[str, str, str, Decimal, Decimal]]:
    _categories, products = demo_catalog_data(profile="small", seed=seed)
    return sorted(
        (v.sku, p.spec.names["en"], p.spec.names["sv"], p.sek, p.eur)
        for p in products
        for v in p.spec.variants
    )


def digest(rows: list[tuple[str, str, str, Decimal, Decimal]]) -> str:
    return hashlib.sha256(repr([(*r[:3], str(r[3]), str(r[4])) for r in rows]).encode()).hexdigest()


def test_the_vocabulary_gives_unique_names_and_fills_every_profile() -> None:
    assert vocabulary_problems() == []
    expected = {"small": 30, "medium": 300, "large": 3000}
    for name, profile in PROFILES.items():
        categories, _products = demo_catalog_data(profile=name, seed=3)
        assert len(categories) == profile.categories == expected[name]
        assert len({c.key for c in categories}) == len(categories)


def test_medium_names_and_slugs_are_unique_in_every_language() -> None:
    _categories, products = demo_catalog_data(profile="medium", seed=7)
    slugs: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    kinds: Counter[str] = Counter()
    count = 0
    for product in products:
        count += 1
        kinds["configurable" if len(product.spec.variants) > 1 else "simple"] += 1
        assert len(set(product.spec.names.values())) == 4, product.spec.names
        for lang in LANGUAGES:
            slug = slugify(product.spec.names[lang], allow_unicode=True)
            assert slug not in slugs[lang], product.spec.names[lang]
            slugs[lang].add(slug)
    assert count == 24_640
    assert kinds == {"simple": 24_000, "configurable": 640}


def test_the_data_is_the_same_for_a_seed_and_differs_between_seeds() -> None:
    assert digest(planned(7)) == digest(planned(7))
    assert digest(planned(7)) != digest(planned(8))


@pytest.mark.django_db
def test_small_profile_sizes_languages_prices_and_tax_rates(media_root: Path) -> None:
    summary = demo_catalog_build(profile="small")

    assert summary == DemoCatalogSummary(
        profile="small",
        created=True,
        categories=30,
        products=816,
        variants=Variant.objects.count(),
        seconds=summary.seconds,
    )
    assert Category.objects.count() == 30
    assert Category.objects.filter(parent=None).count() == 10
    assert Product.objects.count() == 816
    simple = Product.objects.filter(kind=ProductKind.SIMPLE)
    configurable = Product.objects.filter(kind=ProductKind.CONFIGURABLE)
    assert simple.count() == 800
    assert configurable.count() == 16
    variants_per_product = Counter(Variant.objects.values_list("product_id", flat=True))
    assert all(variants_per_product[p] == 1 for p in simple.values_list("pk", flat=True))
    assert all(
        4 <= variants_per_product[p] <= 12 for p in configurable.values_list("pk", flat=True)
    )
    for lang in LANGUAGES:
        names = ProductTranslation.objects.filter(language=lang).exclude(name="")
        assert names.exclude(description="").count() == 816, lang
    for translations in _names_by_product().values():
        assert len(set(translations)) == 4, translations  # a name of its own in each language
    sek = PriceList.objects.get(code="web-sek", currency="SEK", is_default=True)
    eur = PriceList.objects.get(code="web-eur", currency="EUR", is_default=True)
    for price_list in (sek, eur):
        assert VariantPrice.objects.filter(price_list=price_list).count() == Variant.objects.count()
    discounted = VariantPrice.objects.filter(price_list=sek, compare_at__isnull=False)
    assert 0.08 < discounted.values("variant__product").distinct().count() / 816 < 0.25
    assert TaxRate.objects.get(country="SE", tax_class="standard").rate == Decimal("0.2500")
    assert TaxRate.objects.get(country="FI", tax_class="reduced").rate == Decimal("0.1400")
    # Every event was delivered in process: the listing is current.
    assert not EventDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    # one row per product and market: SEK in Sweden, EUR in Sweden, France and the Netherlands
    assert ListingEntry.objects.count() == 816 * 4

    # a picture per product, drawn once per product type and colour and shared
    images = ProductImage.objects.all()
    assert images.count() == 816
    assert set(images.values_list("product_id", flat=True)) == set(
        Product.objects.values_list("pk", flat=True)
    )
    pictures = images.values("content_hash").distinct().count()
    assert 50 < pictures < 300
    for image in images.order_by("content_hash").distinct()[:20]:
        for rendition in image.renditions:
            assert (media_root / rendition["name"]).is_file()
        assert (media_root / image.share_name).is_file()
        assert [r["width"] for r in image.renditions] == [160, 320, 480, 800]
        assert set(image.alt) == set(LANGUAGES)
    first = (
        Variant.objects.filter(product__kind=ProductKind.SIMPLE, values__attribute__code="colour")
        .order_by("pk")
        .first()
    )
    assert first is not None
    colour = first.values.get(attribute__code="colour").code
    alt = ProductImage.objects.get(product_id=first.product_id).alt["en"]
    assert alt.startswith(f"Illustration in {colour}: ")

    again = demo_catalog_build(profile="small")
    assert not again.created
    assert again.products == 816
    assert Product.objects.count() == 816


def _names_by_product() -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for product_id, name in ProductTranslation.objects.values_list("product_id", "name"):
        names.setdefault(product_id, []).append(name)
    return names


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_catalog_as_planned() -> None:
    snapshots: list[list[tuple[str, str, str, Decimal, Decimal]]] = []

    def build_snapshot_and_roll_back() -> None:
        with transaction.atomic():
            demo_catalog_build(profile="small", seed=7)
            snapshots.append(snapshot())
            raise Rollback

    for _run in range(2):  # each in an empty catalog: the first build is rolled back
        with pytest.raises(Rollback):
            build_snapshot_and_roll_back()
        assert not Product.objects.exists()
    assert len(snapshots[0]) > 816  # a row per variant
    assert snapshots[0] == snapshots[1] == planned(7)


@pytest.mark.django_db
def test_the_command_builds_the_catalog_lists_it_and_prints_the_logins() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", "--profile", "small", "--seed", "7", stdout=out, stderr=err)

    # one row per product and market: SEK in Sweden, EUR in Sweden, France and the Netherlands
    assert ListingEntry.objects.count() == 816 * 4
    assert set(ListingEntry.objects.values_list("currency", flat=True)) == {"SEK", "EUR"}
    # the stock's events were delivered as it was received: the listing says what is in stock
    # (about 5 % of the variants are never stocked)
    in_sweden = ListingEntry.objects.filter(currency="EUR", country="SE")
    assert 0.85 < in_sweden.filter(is_available=True).count() / 816 < 1
    assert "30 categories, 816 products" in out.getvalue()
    assert "customer" in out.getvalue()
    assert "100% products 816/816" in err.getvalue()
    assert "Packing stations: 4" in out.getvalue()
    assert sorted(PackingStation.objects.values_list("code", "printer")) == [
        ("lyon-1", "dir:prints/lyon-1"),
        ("sto-1", "dir:prints/sto-1"),
        ("sto-2", "dir:prints/sto-2"),
        ("tilburg-1", "dir:prints/tilburg-1"),
    ]
    assert len(demo_stations_ensure()) == 4  # idempotent: the same four, updated
    assert PackingStation.objects.count() == 4
    # the same-day promises and the campaign forecast the capacity projection weighs
    assert "Same-day cut-offs and campaign forecasts: 1 forecast" in out.getvalue()
    assert sorted(SameDayCutoff.objects.values_list("warehouse__code", flat=True)) == [
        "sto",
        "tilburg",
    ]
    assert demo_capacity_plans_ensure() == 1  # idempotent: the forecast is replaced
    assert ExpectedOrders.objects.get().orders == 300


def test_demo_pictures_are_drawn_the_same_every_time_and_differ_by_colour_and_type() -> None:
    navy = demo_picture(department="clothing", kind="jackets", colour="navy")
    assert navy == demo_picture(department="clothing", kind="jackets", colour="navy")
    assert navy != demo_picture(department="clothing", kind="jackets", colour="red")
    assert navy != demo_picture(department="shoes", kind="boots", colour="navy")
