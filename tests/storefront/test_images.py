"""Product images on the shopper's pages (S1, S6, S7): srcset and sizes, width and height, the
first picture fetched eagerly and the rest lazily, social cards naming the picture, and no extra
queries for them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from storeteam.catalog.images import product_image_add
from storeteam.catalog.models import Product
from tests.catalog.fixtures import build_small_catalog


def picture(colour: tuple[int, int, int], size: tuple[int, int] = (1600, 1600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def by_slug(slug: str) -> Product:
    return Product.objects.get(translations__slug=slug, translations__language="en")


@pytest.fixture
def pictured(db: Any, deliver_events: Any) -> dict[str, Any]:
    catalog = build_small_catalog(deliver_events)
    wool, rain = by_slug("wool-jacket"), by_slug("rain-jacket")
    images = {
        "front": product_image_add(
            product=wool,
            file=picture((180, 30, 30)),
            alt={"en": "Red wool jacket, front", "sv": "Röd ulljacka, framifrån"},
        ),
        "back": product_image_add(
            product=wool, file=picture((150, 20, 20)), alt={"en": "Red wool jacket, back"}
        ),
        "rain": product_image_add(product=rain, file=picture((20, 40, 180), (1200, 900))),
    }
    for slug in ("linen-shirt", "field-shirt"):
        product_image_add(product=by_slug(slug), file=picture((30, 140, 60)))
    deliver_events()
    return {**catalog, **images}


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_the_product_page_offers_every_rendition_and_fetches_the_first_eagerly(
    pictured: dict[str, Any], client: Client
) -> None:
    html = client.get("/p/wool-jacket/").content.decode()
    first, second = img_tags(html)
    front, back = pictured["front"], pictured["back"]
    assert f'srcset="{front.srcset}"' in first
    assert all(f"/media/{r['name']} {r['width']}w" in first for r in front.renditions)
    assert [r["width"] for r in front.renditions] == [160, 320, 480, 800, 1200]
    assert 'sizes="' in first
    assert 'width="1600" height="1600"' in first
    assert 'loading="eager" fetchpriority="high"' in first
    assert 'alt="Red wool jacket, front"' in first
    assert 'loading="lazy"' in second
    assert "fetchpriority" not in second
    assert f'srcset="{back.srcset}"' in second

    share = f"http://testserver/media/{front.share_name}"
    assert f'<meta property="og:image" content="{share}">' in html
    assert f'<meta name="twitter:image" content="{share}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    product = json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)[0])
    assert product["image"] == [share, f"http://testserver/media/{back.share_name}"]


def test_alternative_text_follows_the_language(pictured: dict[str, Any], client: Client) -> None:
    html = client.get("/sv/p/ulljacka/").content.decode()
    assert 'alt="Röd ulljacka, framifrån"' in img_tags(html)[0]
    assert 'alt="Red wool jacket, back"' in img_tags(html)[1]  # no Swedish text: the default's


def test_category_cards_fetch_the_first_row_eagerly_and_the_rest_lazily(
    pictured: dict[str, Any], client: Client
) -> None:
    html = client.get("/c/clothing/?sort=price_desc").content.decode()
    cards = img_tags(html)
    assert len(cards) == 4
    assert 'loading="eager" fetchpriority="high"' in cards[0]
    assert 'loading="eager"' in cards[1]
    assert "fetchpriority" not in cards[1]
    assert all('loading="lazy"' in card for card in cards[2:])
    wool = cards[0]  # the dearest
    assert f'srcset="{pictured["front"].srcset}"' in wool
    assert 'width="1600" height="1600"' in wool
    assert 'alt="Red wool jacket, front"' in wool
    assert 'width="1200" height="900"' in cards[1]  # the rain jacket's picture is 4:3


@pytest.mark.parametrize(
    ("url", "cold"),
    [
        # the same counts as tests/storefront/test_pages.py, merchandising rules included
        ("/c/clothing/", 13),
        ("/c/clothing/?colour=red&material=cotton&sort=price_desc", 13),
        ("/p/wool-jacket/", 6),
    ],
)
def test_pictures_add_no_queries(
    pictured: dict[str, Any], client: Client, django_assert_num_queries: Any, url: str, cold: int
) -> None:
    from django.core.cache import cache

    assert client.get(url).status_code == 200  # loads this process's facet index
    cache.clear()
    with django_assert_num_queries(cold):  # the same numbers as without pictures (test_pages)
        html = client.get(url).content.decode()
    assert "srcset=" in html


def test_a_new_picture_reaches_a_cached_page_through_its_event(
    pictured: dict[str, Any], client: Client, deliver_events: Any
) -> None:
    before = client.get("/p/rain-jacket/").content.decode()
    assert len(img_tags(before)) == 1
    product_image_add(product=by_slug("rain-jacket"), file=picture((1, 2, 3)))
    # until the worker delivers the event, shoppers get the cached page
    assert len(img_tags(client.get("/p/rain-jacket/").content.decode())) == 1
    deliver_events()
    assert len(img_tags(client.get("/p/rain-jacket/").content.decode())) == 2
