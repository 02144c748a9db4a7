"""The shopper's category and product pages: filters from the URL, translations, SEO data, and a
pinned number of queries per page (no N+1, whatever the catalog's size)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from storeteam.catalog.models import Variant
from tests.catalog.fixtures import build_small_catalog


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    return build_small_catalog(deliver_events)


def product_names(html: str) -> list[str]:
    return re.findall(r'<span class="name">([^<]+)</span>', html)


def test_category_page_filters_and_sorts_from_a_shareable_url(catalog: Any, client: Client) -> None:
    response = client.get("/c/clothing/?colour=red&colour=blue&sort=price_asc")
    html = response.content.decode()
    assert response.status_code == 200
    assert product_names(html) == ["Linen Shirt", "Rain Jacket", "Wool Jacket"]
    assert "3 products" in html
    assert 'name="colour" value="red" checked' in html
    assert (
        '<meta name="robots" content="noindex, follow">' in html
    )  # filtered views stay out of the index
    assert 'rel="canonical" href="http://testserver/c/clothing/"' in html


def test_category_page_ignores_junk_parameters(catalog: Any, client: Client) -> None:
    response = client.get("/c/clothing/?colour=mauve&min=abc&max=-5&sort=cheapest&page=zero")
    assert response.status_code == 200
    assert len(product_names(response.content.decode())) == 4


def test_category_page_in_swedish_shows_sek_and_swedish_names(catalog: Any, client: Client) -> None:
    html = client.get("/sv/c/jackor/?sort=price_desc").content.decode()
    assert product_names(html) == ["Ulljacka", "Regnjacka"]
    assert "1\xa0200,00\xa0SEK" in html
    assert "1\xa0500,00\xa0SEK" in html
    # an English slug under the Swedish prefix leads to the Swedish address, filters kept
    moved = client.get("/sv/c/jackets/?colour=red")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/sv/c/jackor/?colour=red"
    assert client.get("/sv/p/wool-jacket/").headers["Location"] == "/sv/p/ulljacka/"


def test_product_page_has_variants_prices_and_structured_data(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from tests.inventory.fixtures import build_warehouses, receive

    stockholm, _lyon, _tilburg = build_warehouses()
    receive(stockholm, Variant.objects.get(sku="WOOL-JACKET-S").pk, 20)
    deliver_events()
    response = client.get("/p/wool-jacket/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Wool Jacket</h1>" in html
    assert "Red / S" in html
    assert "Red / M" in html
    assert '<link rel="alternate" hreflang="sv" href="http://testserver/sv/p/ulljacka/">' in html
    # the language links go straight to the page in each language, no redirect on the way
    assert '<a href="/sv/p/ulljacka/" hreflang="sv" lang="sv">' in html
    assert '<a href="/fr/p/wool-jacket/" hreflang="fr" lang="fr">' in html
    assert '<meta property="og:title" content="Wool Jacket">' in html
    blocks = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    product, crumbs = blocks
    assert product["@type"] == "Product"
    assert product["offers"] == {
        "@type": "Offer",
        "url": "http://testserver/p/wool-jacket/",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "price": "120.00",
    }
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Clothing", "Jackets", "Wool Jacket"]


def test_structured_data_cannot_close_its_script_tag(
    db: Any, deliver_events: Any, client: Client
) -> None:
    from storeteam.catalog.services import CategorySpec, ProductSpec, VariantSpec, catalog_import

    catalog_import(
        categories=[CategorySpec("c", {"en": "C"})],
        products=[
            ProductSpec(
                category_key="c",
                names={"en": "Evil"},
                descriptions={"en": "</script><script>alert(1)</script>"},
                variants=[VariantSpec(sku="EVIL-1")],
            )
        ],
    )
    html = client.get("/p/evil/").content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_unknown_pages_are_a_friendly_404(db: Any, client: Client) -> None:
    response = client.get("/p/no-such-thing/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.parametrize(
    ("url", "cold", "warm"),
    [
        # a category page reads its merchandising rules and sorting setting: two queries, cold;
        # its counts are the facet index's (one query: is it current?), whatever the filters
        ("/c/clothing/", 13, 1),
        ("/c/clothing/?colour=red&material=cotton&sort=price_desc", 13, 1),
        # cold: the listing's and the page's versions (one query), the content (every
        # translation, the variants with their prices, their labels, pictures; the breadcrumb
        # from the process's category names, read by the first page) and the variants' salable
        # stock with what pages last showed of it (one query); warm, the versions only
        ("/p/wool-jacket/", 6, 1),
        # cold: the listing's versions, the search's (its vocabulary's and documents', read once),
        # the spelling index's words, the match, the listing's rows of the matches and the cards;
        # warm, the version only
        ("/search/?q=jakcet", 7, 1),
    ],
)
def test_queries_per_page_are_pinned(
    catalog: Any, client: Client, django_assert_num_queries: Any, url: str, cold: int, warm: int
) -> None:
    from django.core.cache import cache

    assert client.get(url).status_code == 200  # loads this process's facet index
    cache.clear()
    with django_assert_num_queries(cold):  # nothing cached: every query of the page
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):  # the whole page from the cache: only the version
        assert client.get(url).status_code == 200


def test_a_cached_category_page_is_stale_once_the_listing_changes(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from storeteam.pricing.services import PriceRow, prices_import

    assert (
        product_names(client.get("/c/clothing/?sort=price_desc").content.decode())[0]
        == "Wool Jacket"
    )
    prices_import(price_list=catalog["eur"], rows=[PriceRow("LINEN-SHIRT-S", "999.00")])
    deliver_events()  # the worker rebuilds the listing and raises its version
    assert (
        product_names(client.get("/c/clothing/?sort=price_desc").content.decode())[0]
        == "Linen Shirt"
    )


def test_a_product_pages_cached_content_follows_prices_texts_and_stock(
    catalog: Any, client: Client, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    from storeteam.catalog.product_services import ProductChanges, Texts, product_update
    from storeteam.pricing.services import PriceRow, prices_import
    from tests.inventory.fixtures import build_warehouses, receive

    stockholm, _lyon, _tilburg = build_warehouses()
    jacket = Variant.objects.get(sku="WOOL-JACKET-S")
    receive(stockholm, jacket.pk, 20)
    deliver_events()
    assert "120.00\u00a0EUR" in client.get("/p/wool-jacket/").content.decode()

    # a stock change the page shows: rendered again from the cached content, with fresh stock
    receive(stockholm, Variant.objects.get(sku="WOOL-JACKET-M").pk, 2)
    deliver_events()
    with django_assert_num_queries(2):  # the versions, then the stock
        html = client.get("/p/wool-jacket/").content.decode()
    assert "Only 2 left" in html

    # a new price and a new name: the worker raises the listing's version, the content is read
    prices_import(price_list=catalog["eur"], rows=[PriceRow("WOOL-JACKET-S", "130.00")])
    product_update(
        product_id=jacket.product_id,
        changes=ProductChanges(texts={"en": Texts(name="Felted Wool Jacket")}),
        actor=None,
    )
    html = client.get("/p/wool-jacket/").content.decode()
    assert "<h1>Wool Jacket</h1>" in html  # nothing handled yet: the cached page stands
    deliver_events()
    html = client.get("/p/wool-jacket/").content.decode()
    assert "<h1>Felted Wool Jacket</h1>" in html
    assert "130.00\u00a0EUR" in html
    assert "Only 2 left" in html


def test_new_attribute_values_reach_the_facets_through_an_event(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from storeteam.catalog.services import AttributeSpec, attributes_ensure

    client.get("/c/clothing/")  # cache the page and the facet names
    attributes_ensure(
        [
            AttributeSpec(
                "material",
                "choice",
                {"en": "Material"},
                [("linen", {"en": "Linen"})],
                is_facet=True,
            )
        ]
    )
    deliver_events()
    from storeteam.storefront.selectors import facet_vocabulary

    assert "linen" in facet_vocabulary("en").value_ids["material"]


def test_home_leads_to_the_departments_in_the_shoppers_language(
    catalog: Any, client: Client
) -> None:
    html = client.get("/nl/").content.decode()
    assert '<a href="/nl/c/kleding/">Kleding</a>' in html


def test_robots_txt_keeps_staff_and_accounts_out_and_names_the_sitemap(
    db: Any, client: Client
) -> None:
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in text
    assert "Disallow: /sv/account/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_every_page_in_every_language_with_alternates(
    catalog: Any, client: Client
) -> None:
    index = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/sitemap-categories.xml</loc>" in index
    assert "<loc>http://testserver/sitemap-products-1.xml</loc>" in index
    products = b"".join(client.get("/sitemap-products-1.xml").streaming_content).decode()
    assert products.count("<url>") == 4 * 4  # four products, four languages
    assert "<loc>http://testserver/sv/p/ulljacka/</loc>" in products
    assert (
        '<xhtml:link rel="alternate" hreflang="sv" href="http://testserver/sv/p/ulljacka/"/>'
        in products
    )
    assert (
        '<xhtml:link rel="alternate" hreflang="en" href="http://testserver/p/wool-jacket/"/>'
        in products
    )
    categories = b"".join(client.get("/sitemap-categories.xml").streaming_content).decode()
    assert categories.count("<url>") == 3 * 4
    assert client.get("/sitemap-products-2.xml").status_code == 404


def test_search_page_corrects_a_typo_and_prices_in_the_shoppers_currency(
    catalog: Any, client: Client
) -> None:
    html = client.get("/search/?q=jakcet").content.decode()
    assert sorted(product_names(html)) == ["Rain Jacket", "Wool Jacket"]
    assert "Showing results for “jacket”." in html
    assert '<meta name="robots" content="noindex, follow">' in html
    swedish = client.get("/sv/search/?q=ulljaka").content.decode()
    assert product_names(swedish) == ["Ulljacka"]
    assert "1\xa0200,00\xa0SEK" in swedish


def test_search_handles_empty_long_and_hostile_input(catalog: Any, client: Client) -> None:
    assert client.get("/search/").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000).status_code == 200
    hostile = client.get("/search/?q=<script>alert(1)</script>&page=abc")
    assert hostile.status_code == 200
    assert "<script>alert(1)</script>" not in hostile.content.decode()


def test_suggestions_while_typing(catalog: Any, client: Client) -> None:
    data = client.get("/search/suggest/?q=rain ja").json()
    assert data == {"suggestions": [{"name": "Rain Jacket", "url": "/p/rain-jacket/"}]}
    assert client.get("/search/suggest/?q=r").json() == {"suggestions": []}
    assert (
        client.get("/sv/search/suggest/?q=regn").json()["suggestions"][0]["url"]
        == "/sv/p/regnjacka/"
    )


def test_cached_search_results_follow_new_products(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    from storeteam.catalog.services import ProductSpec, VariantSpec, catalog_import
    from storeteam.pricing.services import PriceRow, prices_import

    assert sorted(product_names(client.get("/search/?q=jacket").content.decode())) == [
        "Rain Jacket",
        "Wool Jacket",
    ]
    catalog_import(
        products=[
            ProductSpec(
                category_key="jackets",
                names={"en": "Down Jacket"},
                variants=[VariantSpec(sku="DJ-1")],
            )
        ],
        existing_categories=catalog["categories"],
    )
    prices_import(price_list=catalog["eur"], rows=[PriceRow("DJ-1", "150.00")])
    deliver_events()
    names = sorted(product_names(client.get("/search/?q=jacket").content.decode()))
    assert names == ["Down Jacket", "Rain Jacket", "Wool Jacket"]


def test_signed_in_shoppers_never_get_the_anonymous_page(catalog: Any, client: Client) -> None:
    from tests.factories import CustomerFactory

    assert "Sign in" in client.get("/c/clothing/").content.decode()  # cached for anonymous visitors
    client.force_login(CustomerFactory())
    page = client.get("/c/clothing/").content.decode()
    assert "My account" in page
    assert "Sign in</a>" not in page


def test_a_page_cached_under_one_host_is_not_served_under_another(
    catalog: Any, client: Client
) -> None:
    client.get("/p/wool-jacket/", HTTP_HOST="localhost")
    html = client.get("/p/wool-jacket/").content.decode()
    assert 'rel="canonical" href="http://testserver/p/wool-jacket/"' in html


def test_long_categories_and_searches_are_paged(
    db: Any, deliver_events: Any, client: Client
) -> None:
    from storeteam.catalog.services import CategorySpec, ProductSpec, VariantSpec, catalog_import
    from storeteam.pricing.services import PriceRow, price_list_ensure, prices_import

    catalog_import(
        categories=[CategorySpec("lamps", {"en": "Lamps"})],
        products=[
            ProductSpec(
                category_key="lamps",
                names={"en": f"Desk Lamp {n:02d}"},
                variants=[VariantSpec(sku=f"L-{n}")],
            )
            for n in range(30)
        ],
    )
    eur = price_list_ensure(code="web-eur", name="Web EUR", currency="EUR")
    prices_import(price_list=eur, rows=[PriceRow(f"L-{n}", f"{10 + n}.00") for n in range(30)])
    deliver_events()
    first = client.get("/c/lamps/?sort=price_asc").content.decode()
    assert len(product_names(first)) == 24
    assert "Page 1 of 2" in first
    assert 'rel="next" href="?sort=price_asc&amp;page=2"' in first
    second = client.get("/c/lamps/?sort=price_asc&page=2").content.decode()
    assert product_names(second) == [f"Desk Lamp {n:02d}" for n in range(24, 30)]
    assert 'rel="prev"' in second
    found = client.get("/search/?q=desk+lamp&page=2").content.decode()
    assert len(product_names(found)) == 6
    assert "Page 2 of 2" in found


def test_the_breadcrumb_follows_a_renamed_category(
    catalog: Any, client: Client, deliver_events: Any
) -> None:
    """The process's category names (read once per listing version) give way to a rename."""
    from storeteam.catalog.category_services import category_update
    from storeteam.catalog.models import Category
    from storeteam.catalog.product_services import Texts

    assert ">Clothing</a>" in client.get("/p/wool-jacket/").content.decode()
    clothing = Category.objects.get(translations__slug="clothing", translations__language="en")
    category_update(category_id=clothing.pk, texts={"en": Texts(name="Apparel")}, actor=None)
    deliver_events()
    page = client.get("/p/wool-jacket/").content.decode()
    assert ">Apparel</a>" in page
    assert ">Clothing</a>" not in page
