"""The storefront's read API for headless fronts: the same listing, filters, facet counts, sort and
search as the pages, translated per ``lang``, priced in that language's currency, clear errors
for bad input, and a pinned number of queries per operation (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from storeteam.core.api_schemas import languages_match_settings
from tests.catalog.fixtures import build_small_catalog

API = "/api/v1/storefront"


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    return build_small_catalog(deliver_events)


def names(body: dict[str, Any]) -> list[str]:
    return [p["name"] for p in body["products"]]


def test_the_api_speaks_every_language_of_the_store() -> None:
    assert languages_match_settings()
    assert [code for code, _ in settings.LANGUAGES] == ["en", "sv", "fr", "nl"]


def test_category_tree_is_translated_and_nested(catalog: Any, client: Client) -> None:
    response = client.get(f"{API}/categories?lang=fr")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    [clothing] = response.json()
    assert (clothing["name"], clothing["slug"], clothing["depth"]) == ("Vêtements", "vêtements", 0)
    assert [(c["name"], c["slug"], c["children"]) for c in clothing["children"]] == [
        ("Vestes", "vestes", []),
        ("Chemises", "chemises", []),
    ]


def test_category_tree_leaves_out_unpublished_branches(catalog: Any, client: Client) -> None:
    from storeteam.catalog.models import Category

    Category.objects.filter(pk=catalog["categories"]["jackets"]).update(is_published=False)
    [clothing] = client.get(f"{API}/categories").json()
    assert [c["slug"] for c in clothing["children"]] == ["shirts"]


def test_listing_filters_sorts_and_counts_like_the_category_page(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from storeteam.catalog.models import Variant
    from tests.inventory.fixtures import build_warehouses, receive

    stockholm, _lyon, _tilburg = build_warehouses()
    for sku in ("LINEN-SHIRT-S", "WOOL-JACKET-M"):  # English shoppers count Stockholm's stock
        receive(stockholm, Variant.objects.get(sku=sku).pk, 3)
    deliver_events()
    response = client.get(
        f"{API}/categories/clothing/products",
        {"filter": ["colour:red", "colour:blue"], "sort": "price_asc"},
    )
    assert response.status_code == 200
    body = response.json()
    assert names(body) == ["Linen Shirt", "Rain Jacket", "Wool Jacket"]
    assert (body["total"], body["page"], body["pages"], body["per_page"]) == (3, 1, 1, 24)
    assert body["in_stock"] == 2  # of those three: the linen shirt and the wool jacket
    assert [p["is_available"] for p in body["products"]] == [True, False, True]
    assert body["category"]["name"] == "Clothing"
    wool = body["products"][2]
    assert wool["slug"] == "wool-jacket"
    assert wool["price"] == {"amount": "120.00", "currency": "EUR"}
    assert wool["image"] is None
    facets = {
        f["code"]: {v["code"]: (v["count"], v["selected"]) for v in f["values"]}
        for f in body["facets"]
    }
    # Disjunctive counts: a colour's counts ignore the colour filter itself.
    assert facets["colour"] == {"red": (2, True), "blue": (1, True), "green": (1, False)}
    assert facets["material"] == {"wool": (1, False), "cotton": (2, False)}
    # AND across facets, price range, availability
    narrowed = client.get(
        f"{API}/categories/clothing/products",
        {
            "filter": ["colour:red", "material:cotton"],
            "min": "10",
            "max": "100",
            "available": "true",
        },
    ).json()
    assert names(narrowed) == ["Linen Shirt"]


def test_listing_in_swedish_is_named_and_priced_in_sek(catalog: Any, client: Client) -> None:
    body = client.get(f"{API}/categories/jackor/products?lang=sv&sort=price_desc").json()
    assert names(body) == ["Ulljacka", "Regnjacka"]
    assert body["products"][0]["price"] == {"amount": "1200.00", "currency": "SEK"}
    assert body["products"][0]["compare_at"] == {"amount": "1500.00", "currency": "SEK"}
    colour = next(f for f in body["facets"] if f["code"] == "colour")
    assert colour["name"] == "Färg"
    assert {v["name"] for v in colour["values"]} == {"Röd", "Blå"}


def test_listing_pages(catalog: Any, client: Client, settings: Any) -> None:
    body = client.get(f"{API}/categories/clothing/products?page=9").json()
    assert (body["page"], body["pages"], len(body["products"])) == (1, 1, 4)  # clamped


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ("filter=colour:mauve", "Unknown filter: colour:mauve"),
        ("filter=colour", "Unknown filter: colour"),
        ("sort=cheapest", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("min=-5", "min"),
        ("max=1e9", "max"),
        ("lang=de", "lang"),
    ],
)
def test_listing_refuses_bad_parameters_with_a_clear_422(
    catalog: Any, client: Client, query: str, complaint: str
) -> None:
    response = client.get(f"{API}/categories/clothing/products?{query}")
    assert response.status_code == 422
    assert complaint in response.content.decode()


def test_unknown_slugs_and_ids_are_404_json(catalog: Any, client: Client) -> None:
    for url in (
        f"{API}/categories/no-such/products",
        f"{API}/products/by-slug/no-such",
        f"{API}/products/987654",
        f"{API}/products/by-slug/wool-jacket?lang=sv",  # the English slug is not the Swedish one
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert "There is no such" in response.json()["detail"]


def png(width: int, height: int) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return SimpleUploadedFile("jacket.png", buffer.getvalue(), content_type="image/png")


def test_product_has_variants_values_prices_images_and_slugs(
    catalog: Any, client: Client, settings: Any, tmp_path: Any, deliver_events: Any
) -> None:
    from storeteam.catalog.images import product_image_add
    from storeteam.catalog.models import Product

    settings.MEDIA_ROOT = tmp_path
    product_id = catalog["products"][0]
    product_image_add(
        product=Product.objects.get(pk=product_id),
        file=png(8, 6).read(),
        alt={"en": "A red jacket", "sv": "En röd jacka"},
    )
    by_slug = client.get(f"{API}/products/by-slug/ulljacka?lang=sv").json()
    by_id = client.get(f"{API}/products/{product_id}?lang=sv").json()
    assert by_slug == by_id
    assert by_slug["name"] == "Ulljacka"
    assert by_slug["price"] == {"amount": "1200.00", "currency": "SEK"}
    assert by_slug["is_available"] is False  # never stocked
    assert by_slug["category"]["slug"] == "jackor"
    assert by_slug["attributes"] == [
        {"attribute": "material", "attribute_name": "Material", "value": "wool", "name": "Ull"}
    ]
    assert [(v["sku"], [x["name"] for x in v["values"]]) for v in by_slug["variants"]] == [
        ("WOOL-JACKET-S", ["Röd", "S"]),
        ("WOOL-JACKET-M", ["Röd", "M"]),
    ]
    assert by_slug["variants"][0]["compare_at"] == {"amount": "1500.00", "currency": "SEK"}
    assert by_slug["slugs"] == {
        "en": "wool-jacket",
        "fr": "wool-jacket",
        "nl": "wool-jacket",
        "sv": "ulljacka",
    }
    [image] = by_slug["images"]
    assert image["url"].startswith("http://testserver/media/")
    assert image["url"].endswith(".webp")
    assert (image["width"], image["height"], image["alt"]) == (8, 6, "En röd jacka")
    assert client.get(image["url"].removeprefix("http://testserver")).status_code == 200

    # stocked in Stockholm, which serves Swedish shoppers: once the worker has the event
    from storeteam.catalog.models import Variant
    from tests.inventory.fixtures import build_warehouses, receive

    stockholm, _lyon, _tilburg = build_warehouses()
    receive(stockholm, Variant.objects.get(sku="WOOL-JACKET-M").pk, 2)
    assert client.get(f"{API}/products/{product_id}?lang=sv").json()["is_available"] is False
    deliver_events()
    assert client.get(f"{API}/products/{product_id}?lang=sv").json()["is_available"] is True
    assert client.get(f"{API}/products/by-slug/ulljacka?lang=sv").json()["is_available"] is True
    assert client.get(f"{API}/products/{product_id}?lang=nl").json()["is_available"] is False


def test_unpublished_products_are_not_served(catalog: Any, client: Client) -> None:
    from storeteam.catalog.models import Product

    Product.objects.filter(pk=catalog["products"][0]).update(is_published=False)
    assert client.get(f"{API}/products/{catalog['products'][0]}").status_code == 404


def test_search_corrects_typos_and_says_so(catalog: Any, client: Client) -> None:
    body = client.get(f"{API}/search?q=jakcet&sort=x").json()
    assert body["corrected"] is True
    assert body["searched_for"] == "jacket"
    assert body["query"] == "jakcet"
    assert sorted(names(body)) == ["Rain Jacket", "Wool Jacket"]
    exact = client.get(f"{API}/search?q=shirt&lang=en").json()
    assert exact["corrected"] is False
    assert exact["total"] == 2


def test_search_suggestions_while_typing(catalog: Any, client: Client) -> None:
    response = client.get(f"{API}/search/suggestions?q=ull&lang=sv")
    assert response.status_code == 200
    assert response.json() == [{"name": "Ulljacka", "slug": "ulljacka"}]
    assert client.get(f"{API}/search/suggestions?q=u").json() == []
    assert client.get(f"{API}/search/suggestions?q=").status_code == 422
    assert client.get(f"{API}/search?q=" + "a" * 201).status_code == 422
    assert client.get(f"{API}/search?q=a%00b").status_code == 422


@pytest.mark.parametrize(
    ("url", "cold", "warm"),
    [
        # the tree: one query, whatever its depth
        ("/categories?lang=sv", 1, 1),
        # category + version + vocabulary (3) + is the facet index current, rows, names, images
        ("/categories/jackor/products?lang=sv", 9, 2),
        # the same whatever the filters: the facet index counts them
        (
            "/categories/clothing/products?filter=colour:red&filter=material:cotton&sort=price_desc",
            9,
            2,
        ),
        # the listing's and the product's versions + product, values, variants with their
        # prices and stock, variant values, category, images, slugs
        ("/products/by-slug/wool-jacket", 8, 1),
        # the listing's and the search's versions (2; the search's read once) + vocabulary +
        # match + listing + names + images
        ("/search?q=jakcet", 7, 2),
        # versions + vocabulary + match + names (the answer is never cached: typed as it goes;
        # the match is, while the search documents are unchanged)
        ("/search/suggestions?q=jack", 4, 2),
    ],
)
def test_queries_per_operation_are_pinned(
    catalog: Any, client: Client, django_assert_num_queries: Any, url: str, cold: int, warm: int
) -> None:
    from django.core.cache import cache

    from storeteam.catalog import search

    assert client.get(API + url).status_code == 200  # loads this process's facet index
    cache.clear()
    search._spelling.clear()
    with django_assert_num_queries(cold):
        assert client.get(API + url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(API + url).status_code == 200


def test_the_listing_endpoint_follows_a_price_change(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from storeteam.pricing.services import PriceRow, prices_import

    url = f"{API}/categories/clothing/products?sort=price_desc"
    assert names(client.get(url).json())[0] == "Wool Jacket"
    prices_import(price_list=catalog["eur"], rows=[PriceRow("LINEN-SHIRT-S", "999.00")])
    deliver_events()
    body = client.get(url).json()
    assert names(body)[0] == "Linen Shirt"
    assert body["products"][0]["price"]["amount"] == "999.00"
