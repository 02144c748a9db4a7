"""A product's pictures on its page in the catalog workspace (S1, S12): upload with the
alternative texts, refuse what is not a usable picture with a message, describe, move up and
down, delete; for the roles that may edit products only."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from storeteam.catalog.models import Product, ProductImage
from storeteam.core.models import AuditEntry, OutboxEvent
from tests.catalog.fixtures import build_small_catalog
from tests.factories import StaffFactory


@pytest.fixture
def jacket(db: Any, deliver_events: Any) -> Product:
    build_small_catalog(deliver_events)
    return Product.objects.get(translations__slug="wool-jacket", translations__language="en")


def png(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def signed_in(role: str = "product_specialist") -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload(
    client: Client, product: Product, content: bytes, name: str = "jacket.png", **alt: str
) -> Any:
    return client.post(
        f"/staff/catalog/products/{product.pk}/pictures/",
        {"file": SimpleUploadedFile(name, content, "image/png"), **alt},
    )


def change(client: Client, product: Product, image_id: int, **data: str) -> Any:
    return client.post(f"/staff/catalog/products/{product.pk}/pictures/{image_id}/", data)


def order(product: Product) -> list[int]:
    return list(product.images.order_by("position").values_list("pk", flat=True))


def test_an_uploaded_picture_is_listed_with_its_thumbnail_and_texts(
    jacket: Product, media_root: Path
) -> None:
    client = signed_in()
    response = upload(
        client, jacket, png(), alt_en="Red wool jacket, front", alt_sv="Röd ulljacka framifrån"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalog/products/{jacket.pk}/#pictures"
    image = ProductImage.objects.get(product=jacket)
    assert image.alt == {"en": "Red wool jacket, front", "sv": "Röd ulljacka framifrån"}
    assert (image.width, image.height) == (640, 480)
    assert (media_root / image.renditions[0]["name"]).is_file()
    entry = AuditEntry.objects.get(action="product_image.add")
    assert entry.ip_address == "127.0.0.1"
    assert OutboxEvent.objects.filter(name__endswith="ProductImagesChanged").count() == 1

    page = client.get(f"/staff/catalog/products/{jacket.pk}/")
    assert "The picture was added." in page.content.decode()
    soup = BeautifulSoup(page.content, "html.parser")
    thumbnail = soup.select_one("#pictures .picture img")
    assert thumbnail is not None
    # the 320 px rendition shown 120 px wide, at the picture's own proportions
    assert thumbnail["src"] == f"/media/{image.renditions[1]['name']}"
    assert (thumbnail["width"], thumbnail["height"], thumbnail["alt"]) == (
        "120",
        "90",
        "Red wool jacket, front",
    )
    assert soup.select_one(f"#id_img{image.pk}-alt_sv")["value"] == "Röd ulljacka framifrån"
    assert client.get(f"/media/{image.renditions[1]['name']}").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "Choose a JPEG, PNG or WebP picture"),
        ("animation.gif", b"GIF89a", "Choose a JPEG, PNG or WebP picture"),
        ("fake.png", b"<html><script>alert(1)</script></html>", "not a JPEG, PNG or WebP picture"),
        ("cut.png", png()[:300], "damaged or incomplete"),
        ("empty.png", b"", "The submitted file is empty."),
    ],
    ids=["text", "gif", "html-named-png", "truncated", "empty"],
)
def test_a_file_that_is_not_a_usable_picture_is_refused_with_a_message(
    jacket: Product, media_root: Path, name: str, content: bytes, message: str
) -> None:
    response = upload(signed_in(), jacket, content, name=name, alt_en="Kept for another try")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one("#id_alt_en")["value"] == "Kept for another try"
    assert not ProductImage.objects.exists()
    assert files_under(media_root) == []
    assert not AuditEntry.objects.exists()


def test_a_picture_over_the_size_limit_is_refused_with_the_limit(
    jacket: Product, media_root: Path, settings: Any
) -> None:
    settings.CATALOG_IMAGE_MAX_BYTES = 1024 * 1024
    response = upload(signed_in(), jacket, png(size=(16, 16)) + b"\0" * (1024 * 1024))
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert "at most 1 MB" in response.content.decode()  # the help says so before the upload
    assert not ProductImage.objects.exists()
    assert files_under(media_root) == []


def test_alternative_texts_are_saved_and_checked(jacket: Product) -> None:
    client = signed_in()
    upload(client, jacket, png(), alt_en="Red")
    image = ProductImage.objects.get()
    prefix = f"img{image.pk}"
    saved = change(
        client,
        jacket,
        image.pk,
        do="describe",
        **{f"{prefix}-alt_en": "Red wool jacket", f"{prefix}-alt_fr": "Veste en laine rouge"},
    )
    assert saved.status_code == 302
    image.refresh_from_db()
    assert image.alt == {"en": "Red wool jacket", "fr": "Veste en laine rouge"}
    entry = AuditEntry.objects.get(action="product_image.describe")
    assert (entry.before["alt"], entry.after["alt"]) == ({"en": "Red"}, image.alt)

    too_long = change(client, jacket, image.pk, do="describe", **{f"{prefix}-alt_en": "x" * 251})
    assert too_long.status_code == 400
    assert "Ensure this value has at most 250 characters" in too_long.content.decode()
    image.refresh_from_db()
    assert image.alt == {"en": "Red wool jacket", "fr": "Veste en laine rouge"}


def test_pictures_move_up_and_down_and_the_first_is_the_main_one(
    jacket: Product, deliver_events: Any
) -> None:
    client = signed_in()
    for colour in [(10, 10, 10), (120, 120, 120), (250, 250, 250)]:
        assert upload(client, jacket, png(colour)).status_code == 302
    first, second, third = order(jacket)

    assert change(client, jacket, third, do="up").status_code == 302
    assert order(jacket) == [first, third, second]
    assert change(client, jacket, first, do="down").status_code == 302
    assert order(jacket) == [third, first, second]
    entries = AuditEntry.objects.filter(action="product_image.reorder").order_by("pk")
    assert [e.after["order"] for e in entries] == [
        [first, third, second],
        [third, first, second],
    ]
    # at the top already: nothing to write
    assert change(client, jacket, third, do="up").status_code == 302
    assert AuditEntry.objects.filter(action="product_image.reorder").count() == 2
    assert order(jacket) == [third, first, second]

    page = BeautifulSoup(client.get(f"/staff/catalog/products/{jacket.pk}/").content, "html.parser")
    ups = page.select('#pictures button[value="up"]')
    downs = page.select('#pictures button[value="down"]')
    assert [b.has_attr("disabled") for b in ups] == [True, False, False]
    assert [b.has_attr("disabled") for b in downs] == [False, False, True]
    assert ups[1]["aria-label"] == "Move picture 2 up"

    # the storefront shows the new main picture once the event is delivered
    deliver_events()
    main = ProductImage.objects.get(pk=third)
    shop = Client().get("/p/wool-jacket/").content.decode()
    assert shop.index(main.fallback_src) < shop.index(
        ProductImage.objects.get(pk=first).fallback_src
    )


def test_deleting_a_picture_closes_the_gap(
    jacket: Product, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in()
    upload(client, jacket, png((1, 1, 1)))
    upload(client, jacket, png((2, 2, 2)))
    first, second = order(jacket)
    names = [r["name"] for r in ProductImage.objects.get(pk=first).renditions]
    with django_capture_on_commit_callbacks(execute=True):
        response = change(client, jacket, first, do="remove")
    assert response.status_code == 302
    assert list(jacket.images.values_list("pk", "position")) == [(second, 0)]
    assert not any((media_root / name).exists() for name in names)
    assert AuditEntry.objects.filter(action="product_image.remove", target_id=str(first)).exists()
    # another product's picture is not reachable through this product's address
    shirt = Product.objects.get(translations__slug="linen-shirt", translations__language="en")
    assert change(client, shirt, second, do="remove").status_code == 404
    assert jacket.images.count() == 1


def test_a_role_that_may_not_edit_products_cannot_touch_pictures(
    jacket: Product, media_root: Path
) -> None:
    upload(signed_in(), jacket, png())
    image = ProductImage.objects.get()
    audit_before = AuditEntry.objects.count()
    marketer = signed_in("marketing_manager")
    assert upload(marketer, jacket, png((0, 0, 255))).status_code == 403
    for action in ("describe", "up", "down", "remove"):
        response = change(
            marketer, jacket, image.pk, do=action, **{f"img{image.pk}-alt_en": "Changed"}
        )
        assert response.status_code == 403
    assert marketer.get(f"/staff/catalog/products/{jacket.pk}/").status_code == 403
    assert list(ProductImage.objects.values_list("pk", "alt")) == [(image.pk, {})]
    assert AuditEntry.objects.count() == audit_before
    assert len(files_under(media_root)) == len(image.renditions) + 2  # original and share JPEG
