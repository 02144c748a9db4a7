"""Product images (S1): uploads are validated before anything is written; renditions come in the
right sizes under content-hashed names; removing, reordering and describing keep things tidy."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from storeteam.catalog.images import (
    ProductImageInvalidError,
    ProductImageNotFoundError,
    product_image_add,
    product_image_describe,
    product_image_move,
    product_image_remove,
    product_images_reorder,
)
from storeteam.catalog.models import Product, ProductImage
from storeteam.core.models import AuditEntry, OutboxEvent
from tests.catalog.fixtures import build_small_catalog


def picture(
    size: tuple[int, int] = (2000, 1500),
    kind: str = "JPEG",
    colour: tuple[int, ...] = (200, 40, 40),
    mode: str = "RGB",
    **options: Any,
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, kind, **options)
    return out.getvalue()


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def jacket(db: Any, deliver_events: Any) -> Product:
    build_small_catalog(deliver_events)
    return Product.objects.get(translations__slug="wool-jacket", translations__language="en")


def test_a_photo_gets_webp_renditions_in_every_width_and_a_jpeg_for_sharing(
    jacket: Product, media_root: Path
) -> None:
    upload = SimpleUploadedFile("holiday.jpg", picture(), content_type="image/jpeg")

    image = product_image_add(product=jacket, file=upload, alt={"en": "A red wool jacket"})

    assert (image.width, image.height, image.position) == (2000, 1500, 0)
    assert [(r["width"], r["height"]) for r in image.renditions] == [
        (160, 120),
        (320, 240),
        (480, 360),
        (800, 600),
        (1200, 900),
    ]
    for rendition in image.renditions:
        with Image.open(media_root / rendition["name"]) as stored:
            assert stored.format == "WEBP"
            assert stored.size == (rendition["width"], rendition["height"])
        # named by the original's content hash: cacheable forever
        assert rendition["name"].startswith(f"products/{image.content_hash[:2]}/")
        assert image.content_hash[:32] in rendition["name"]
    with Image.open(media_root / image.share_name) as share:
        assert (share.format, share.size) == ("JPEG", (1200, 900))
    # the original keeps its bytes under a name of the store's choosing, not the uploader's
    assert image.original.name.startswith("products/originals/")
    assert image.original.name.endswith(f"{image.content_hash}.jpg")
    assert "holiday" not in " ".join(files_under(media_root))
    assert (media_root / image.original.name).read_bytes() == picture()
    assert image.srcset.startswith(f"/media/{image.renditions[0]['name']} 160w, ")
    assert image.srcset.endswith(" 1200w")
    assert image.fallback_src == f"/media/{image.renditions[2]['name']}"  # 480 px
    assert image.alt_in("en") == image.alt_in("sv") == "A red wool jacket"
    assert AuditEntry.objects.filter(action="product_image.add", target_id=str(image.pk)).exists()
    assert OutboxEvent.objects.filter(name__contains="ProductImagesChanged").count() == 1


def test_a_small_transparent_png_is_never_enlarged_and_shares_on_white(
    jacket: Product, media_root: Path
) -> None:
    image = product_image_add(
        product=jacket, file=picture((300, 200), "PNG", (0, 0, 255, 0), "RGBA")
    )
    assert [(r["width"], r["height"]) for r in image.renditions] == [(160, 107), (300, 200)]
    with Image.open(media_root / image.renditions[-1]["name"]) as webp:
        assert webp.mode == "RGBA"  # transparency kept in WebP
    with Image.open(media_root / image.share_name) as share:
        assert share.size == (300, 200)
        assert share.getpixel((10, 10)) == (255, 255, 255)  # flattened on white for JPEG


def test_a_phone_photo_is_turned_upright_from_its_exif_orientation(jacket: Product) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    image = product_image_add(product=jacket, file=picture((400, 200), exif=exif))
    assert (image.width, image.height) == (200, 400)
    assert image.renditions[-1]["width"] == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"<html><script>alert(1)</script></html>", "not a JPEG, PNG or WebP picture"),
        (b"%PDF-1.7\n" + b"0" * 500, "not a JPEG, PNG or WebP picture"),
        (picture((50, 50), "GIF", 1, "P"), "not a JPEG, PNG or WebP picture"),
        (picture((50, 50), "BMP"), "not a JPEG, PNG or WebP picture"),
        (picture((800, 600))[:2000], "damaged or incomplete"),
        # 100 million pixels in a few kilobytes: refused from the header, never decoded
        (picture((10_000, 10_000), "PNG", 0, "1"), "more than 40 million pixels"),
    ],
    ids=["empty", "html", "pdf", "gif", "bmp", "truncated", "decompression-bomb"],
)
def test_a_file_that_is_not_a_usable_picture_is_refused_and_nothing_is_written(
    jacket: Product, media_root: Path, data: bytes, message: str
) -> None:
    events_before = OutboxEvent.objects.count()
    with pytest.raises(ProductImageInvalidError, match=message):
        product_image_add(product=jacket, file=SimpleUploadedFile("x.jpg", data))
    assert not ProductImage.objects.exists()
    assert files_under(media_root) == []
    assert OutboxEvent.objects.count() == events_before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    jacket: Product, media_root: Path, settings: Any
) -> None:
    settings.CATALOG_IMAGE_MAX_BYTES = 1024 * 1024
    noise = random.Random(1).randbytes(1200 * 1200 * 3)  # incompressible
    noisy = Image.frombytes("RGB", (1200, 1200), noise)
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    with pytest.raises(ProductImageInvalidError, match="larger than 1 MB"):
        product_image_add(product=jacket, file=SimpleUploadedFile("big.png", out.getvalue()))
    assert files_under(media_root) == []


def test_alternative_texts_must_be_in_a_store_language_and_short(jacket: Product) -> None:
    with pytest.raises(ProductImageInvalidError, match="Unknown language"):
        product_image_add(product=jacket, file=picture((200, 200)), alt={"de": "Jacke"})
    with pytest.raises(ProductImageInvalidError, match="longer than 250"):
        product_image_add(product=jacket, file=picture((200, 200)), alt={"en": "x" * 251})
    assert not ProductImage.objects.exists()


def test_the_same_picture_twice_shares_its_files(jacket: Product, media_root: Path) -> None:
    first = product_image_add(product=jacket, file=picture((500, 500)))
    count = len(files_under(media_root))
    second = product_image_add(product=jacket, file=picture((500, 500)))
    assert second.renditions == first.renditions
    assert second.position == 1
    assert len(files_under(media_root)) == count


def test_removing_closes_the_gap_and_deletes_files_only_when_unused(
    jacket: Product, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    red = product_image_add(product=jacket, file=picture((500, 500)))
    also_red = product_image_add(product=jacket, file=picture((500, 500)))
    blue = product_image_add(product=jacket, file=picture((500, 500), colour=(0, 0, 200)))

    with django_capture_on_commit_callbacks(execute=True):
        product_image_remove(product=jacket, image_id=red.pk)
    assert (media_root / also_red.renditions[0]["name"]).exists()  # still shown by also_red
    assert list(jacket.images.values_list("pk", "position")) == [(also_red.pk, 0), (blue.pk, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        product_image_remove(product=jacket, image_id=also_red.pk)
    assert not (media_root / also_red.renditions[0]["name"]).exists()
    assert not (media_root / also_red.original.name).exists()
    assert (media_root / blue.renditions[0]["name"]).exists()
    with pytest.raises(ProductImageNotFoundError):
        product_image_remove(product=jacket, image_id=red.pk)


def test_reordering_names_every_image_once(jacket: Product) -> None:
    a = product_image_add(product=jacket, file=picture((300, 300), colour=(1, 2, 3)))
    b = product_image_add(product=jacket, file=picture((300, 300), colour=(4, 5, 6)))
    c = product_image_add(product=jacket, file=picture((300, 300), colour=(7, 8, 9)))

    product_images_reorder(product=jacket, image_ids=[c.pk, a.pk, b.pk])
    assert list(jacket.images.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]

    for wrong in ([c.pk, a.pk], [c.pk, a.pk, a.pk], [c.pk, a.pk, b.pk, 999]):
        with pytest.raises(ProductImageInvalidError, match="exactly once"):
            product_images_reorder(product=jacket, image_ids=wrong)
    assert list(jacket.images.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_moving_one_image_keeps_the_others_in_their_order(jacket: Product) -> None:
    a, b, c = (
        product_image_add(product=jacket, file=picture((300, 300), colour=(n, n, n))).pk
        for n in (10, 20, 30)
    )
    product_image_move(product=jacket, image_id=a, steps=5)  # past the end: to the last place
    assert list(jacket.images.values_list("pk", flat=True)) == [b, c, a]
    product_image_move(product=jacket, image_id=a, steps=-1)
    assert list(jacket.images.values_list("pk", flat=True)) == [b, a, c]
    reorders = AuditEntry.objects.filter(action="product_image.reorder").count()
    product_image_move(product=jacket, image_id=b, steps=-1)  # first already: nothing written
    assert AuditEntry.objects.filter(action="product_image.reorder").count() == reorders
    other = Product.objects.exclude(pk=jacket.pk).first()
    assert other is not None
    with pytest.raises(ProductImageNotFoundError):
        product_image_move(product=other, image_id=a, steps=1)


def test_describing_sets_the_alternative_text_per_language(jacket: Product) -> None:
    image = product_image_add(product=jacket, file=picture((300, 300)), alt={"en": "Red"})
    product_image_describe(
        product=jacket, image_id=image.pk, alt={"en": "A red jacket", "sv": "En röd jacka"}
    )
    image.refresh_from_db()
    assert (image.alt_in("sv"), image.alt_in("fr")) == ("En röd jacka", "A red jacket")
