"""Product images (S1, S6): validate an upload, keep the original, make resized renditions.

An upload is read at most ``CATALOG_IMAGE_MAX_BYTES`` bytes, opened by Pillow with only the
JPEG, PNG and WebP decoders, its pixel count checked from the header before any pixel is
decoded (a small file that unpacks to gigapixels is refused), verified, then decoded. Nothing
is written until all of that has passed.

Files are named by the SHA-256 of the original's bytes (ADR 0006):

    products/originals/ab/<sha256>.<jpg|png|webp>     the upload as it came (never served)
    products/ab/<sha256[:32]>-<recipe>-<width>.webp   a rendition, served and cached forever
    products/ab/<sha256[:32]>-<recipe>-<width>.jpg    the JPEG for social cards

so identical pictures share their files, a name never changes meaning, and renditions are made
once per picture. Renditions are made synchronously, inside the call that stores the image: a
picture is either on the product with every rendition or not there at all, and the work is
bounded by the pixel limit (a 40-megapixel photo takes about a second).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from storeteam.catalog.events import ProductImagesChanged
from storeteam.catalog.models import Product, ProductImage
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish

# Widths a page may ask for with srcset: phone cards (2 columns), phone product pages at 1x-3x,
# desktop cards and the desktop gallery. The picture's own width is added when it lies between.
RENDITION_WIDTHS = (160, 320, 480, 800, 1200)
SHARE_WIDTH = 1200
# A change to how renditions are made (sizes, quality, encoder) changes this, and so every
# rendition's name: caches keep serving the old files to old pages and new pages get new ones.
RECIPE = "r1"
WEBP_QUALITY = 80
JPEG_QUALITY = 82
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ALT_MAX_CHARS = 250
IMAGES_PER_PRODUCT = 20


class ProductImageInvalidError(DomainError):
    """The file is not a picture the store can use."""

    code = "image_invalid"


class ProductImageNotFoundError(NotFoundError):
    """There is no such image on this product."""


@dataclass(frozen=True)
class StoredImage:
    """A validated picture in storage: the original's name and size, and its renditions.

    ``written`` names the files this call created (the others were there already, from the same
    picture uploaded before)."""

    name: str
    content_hash: str
    width: int
    height: int
    renditions: list[dict[str, Any]]
    share_name: str
    written: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ImageAttachment:
    """A stored picture to put on a product, with its alternative text per language."""

    product_id: int
    image: StoredImage
    alt: Mapping[str, str] = field(default_factory=dict)


def _max_bytes() -> int:
    return int(getattr(settings, "CATALOG_IMAGE_MAX_BYTES", 20 * 1024 * 1024))


def _max_pixels() -> int:
    return int(getattr(settings, "CATALOG_IMAGE_MAX_PIXELS", 40_000_000))


def _read(file: IO[bytes] | bytes) -> bytes:
    limit = _max_bytes()
    if isinstance(file, bytes):
        data = file
    else:
        declared = getattr(file, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise _too_big(limit)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise ProductImageInvalidError(_("The file is empty."))
    return data


def _too_big(limit: int) -> ProductImageInvalidError:
    return ProductImageInvalidError(
        _("The file is larger than %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
    )


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The picture upright, in RGB (or RGBA when it has transparency), and its format."""
    pixels = _max_pixels()
    not_an_image = ProductImageInvalidError(_("The file is not a JPEG, PNG or WebP picture."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
                kind = str(probe.format)
                width, height = probe.size
                if width * height > pixels:
                    raise ProductImageInvalidError(
                        _("The picture has more than %(megapixels)s million pixels.")
                        % {"megapixels": pixels // 1_000_000}
                    )
                probe.verify()
            picture = Image.open(io.BytesIO(data), formats=list(FORMATS))
            picture.load()
    except UnidentifiedImageError:
        raise not_an_image from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ProductImageInvalidError(
            _("The picture has more than %(megapixels)s million pixels.")
            % {"megapixels": pixels // 1_000_000}
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ProductImageInvalidError(_("The picture is damaged or incomplete.")) from None
    if kind not in FORMATS:
        raise not_an_image
    upright = ImageOps.exif_transpose(picture) or picture
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    return upright.convert("RGBA" if has_alpha else "RGB"), kind


def _widths(width: int) -> list[int]:
    widths = [w for w in RENDITION_WIDTHS if w <= width]
    if width < RENDITION_WIDTHS[-1] and width not in widths:
        widths.append(width)
    return widths


def _encode(picture: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "WEBP":
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        if picture.mode == "RGBA":
            flat = Image.new("RGB", picture.size, (255, 255, 255))
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _save(name: str, content: bytes, written: list[str]) -> str:
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(content))
    written.append(saved)
    return saved


def image_store(*, file: IO[bytes] | bytes) -> StoredImage:
    """Validate an uploaded picture, store it, and make its renditions.

    Raises ProductImageInvalidError, before writing anything, for a file that is empty, too
    large, not a JPEG, PNG or WebP picture, damaged, or of too many pixels. A picture stored
    before (the same bytes) reuses its files.
    """
    data = _read(file)
    picture, kind = _decode(data)
    digest = hashlib.sha256(data).hexdigest()
    folder = f"products/{digest[:2]}"
    stem = f"{folder}/{digest[:32]}-{RECIPE}"
    written: list[str] = []
    name = _save(f"products/originals/{digest[:2]}/{digest}.{FORMATS[kind]}", data, written)
    width, height = picture.size
    widths = sorted(_widths(width), reverse=True)
    expected = [(w, max(1, round(height * w / width))) for w in widths]
    names = [f"{stem}-{w}.webp" for w, _h in expected] + [f"{stem}-{widths[0]}.jpg"]
    if all(default_storage.exists(n) for n in names):  # the same picture, stored before
        return StoredImage(
            name=name,
            content_hash=digest,
            width=width,
            height=height,
            renditions=[
                {"width": w, "height": h, "name": n}
                for (w, h), n in reversed(list(zip(expected, names, strict=False)))
            ],
            share_name=names[-1],
            written=tuple(written),
        )
    renditions: list[dict[str, Any]] = []
    share = ""
    source = picture
    # Widest first, each from the one before: a fraction of the work of resizing the original
    # every time, and no visible loss at these ratios.
    for target, target_height in expected:
        if source.size != (target, target_height):
            source = source.resize((target, target_height), Image.Resampling.LANCZOS)
        stored = _save(f"{stem}-{target}.webp", _encode(source, "WEBP"), written)
        renditions.append({"width": target, "height": target_height, "name": stored})
        if not share:  # the widest rendition, at most SHARE_WIDTH: the social cards' JPEG
            share = _save(f"{stem}-{target}.jpg", _encode(source, "JPEG"), written)
    renditions.reverse()
    return StoredImage(
        name=name,
        content_hash=digest,
        width=width,
        height=height,
        renditions=renditions,
        share_name=share,
        written=tuple(written),
    )


def _alt(alt: Mapping[str, str] | None) -> dict[str, str]:
    languages = {code for code, _name in settings.LANGUAGES}
    texts: dict[str, str] = {}
    for language, text in (alt or {}).items():
        if language not in languages:
            raise ProductImageInvalidError(
                _("Unknown language for the alternative text: %(language)s.")
                % {"language": language}
            )
        cleaned = " ".join(str(text).split())
        if len(cleaned) > ALT_MAX_CHARS:
            raise ProductImageInvalidError(
                _("The alternative text is longer than %(count)s characters.")
                % {"count": ALT_MAX_CHARS}
            )
        if cleaned:
            texts[language] = cleaned
    return texts


def _forget(names: Sequence[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _snapshot(image: ProductImage) -> dict[str, Any]:
    return {"position": image.position, "hash": image.content_hash, "alt": image.alt}


def product_image_add(
    *,
    product: Product,
    file: IO[bytes] | bytes,
    alt: Mapping[str, str] | None = None,
    actor: Any = None,
    ip_address: str | None = None,
) -> ProductImage:
    """Add a picture to the end of ``product``'s images (S1).

    Validates the file and the alternative texts (language code -> text) before anything is
    written; stores the original and its renditions (see ``image_store``); then, in one
    transaction, creates the image, records the audit entry and publishes
    ``ProductImagesChanged``. If that transaction fails, the files it wrote are removed again.
    """
    texts = _alt(alt)
    if ProductImage.objects.filter(product=product).count() >= IMAGES_PER_PRODUCT:
        raise ProductImageInvalidError(
            _("A product has at most %(count)s images.") % {"count": IMAGES_PER_PRODUCT}
        )
    stored = image_store(file=file)
    try:
        with transaction.atomic():
            created = _attach([ImageAttachment(product.pk, stored, texts)])[0]
            audit_record(
                actor=actor,
                action="product_image.add",
                target=created,
                after=_snapshot(created),
                ip_address=ip_address,
            )
            event_publish(ProductImagesChanged(product_ids=[product.pk]))
    except BaseException:
        _forget(stored.written)
        raise
    return created


def _attach(attachments: Sequence[ImageAttachment]) -> list[ProductImage]:
    product_ids = sorted({a.product_id for a in attachments})
    last = dict(
        ProductImage.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(last=Max("position"))
        .values_list("product_id", "last")
    )
    rows = []
    for a in attachments:
        position = last.get(a.product_id, -1) + 1
        last[a.product_id] = position
        rows.append(
            ProductImage(
                product_id=a.product_id,
                original=a.image.name,
                content_hash=a.image.content_hash,
                width=a.image.width,
                height=a.image.height,
                position=position,
                alt=dict(a.alt),
                renditions=a.image.renditions,
                share_name=a.image.share_name,
            )
        )
    return ProductImage.objects.bulk_create(rows)


EVENT_CHUNK = 1000


def product_images_attach(*, attachments: Sequence[ImageAttachment]) -> int:
    """Put stored pictures on many products at once (imports, the demo catalog), each after the
    product's existing images. One transaction; publishes ``ProductImagesChanged``. Returns how
    many images were created."""
    checked = [ImageAttachment(a.product_id, a.image, _alt(a.alt)) for a in attachments]
    with transaction.atomic():
        created = _attach(checked)
        ids = sorted({a.product_id for a in checked})
        for start in range(0, len(ids), EVENT_CHUNK):
            event_publish(ProductImagesChanged(product_ids=ids[start : start + EVENT_CHUNK]))
    return len(created)


def _image_of(product: Product, image_id: int) -> ProductImage:
    image = ProductImage.objects.select_for_update().filter(product=product, pk=image_id).first()
    if image is None:
        raise ProductImageNotFoundError()
    return image


def product_image_remove(
    *, product: Product, image_id: int, actor: Any = None, ip_address: str | None = None
) -> None:
    """Take an image off ``product``, close the gap in the order, audit, publish
    ``ProductImagesChanged``. Its files are deleted after the commit unless another image shows
    the same picture."""
    with transaction.atomic():
        image = _image_of(product, image_id)
        before = _snapshot(image)
        names = [image.original.name, image.share_name, *(r["name"] for r in image.renditions)]
        content_hash = image.content_hash
        audit_record(
            actor=actor,
            action="product_image.remove",
            target=image,
            before=before,
            ip_address=ip_address,
        )
        image.delete()
        for position, pk in enumerate(
            ProductImage.objects.filter(product=product)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        ):
            ProductImage.objects.filter(pk=pk).exclude(position=position).update(position=position)
        event_publish(ProductImagesChanged(product_ids=[product.pk]))

        def delete_unused_files() -> None:
            if not ProductImage.objects.filter(content_hash=content_hash).exists():
                _forget([n for n in names if n])

        transaction.on_commit(delete_unused_files)


def product_images_reorder(
    *,
    product: Product,
    image_ids: Sequence[int],
    actor: Any = None,
    ip_address: str | None = None,
) -> list[ProductImage]:
    """Put ``product``'s images in the order of ``image_ids`` (the first is the main picture, on
    cards and social cards). ``image_ids`` must name each of its images exactly once."""
    with transaction.atomic():
        images = {i.pk: i for i in ProductImage.objects.select_for_update().filter(product=product)}
        if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
            raise ProductImageInvalidError(
                _("Give every image of the product exactly once to reorder them.")
            )
        before = {pk: images[pk].position for pk in sorted(images)}
        for position, pk in enumerate(image_ids):
            if images[pk].position != position:
                images[pk].position = position
                images[pk].save(update_fields=["position"])
        audit_record(
            actor=actor,
            action="product_image.reorder",
            target=product,
            before={"order": sorted(before, key=lambda pk: (before[pk], pk))},
            after={"order": list(image_ids)},
            ip_address=ip_address,
        )
        event_publish(ProductImagesChanged(product_ids=[product.pk]))
    return [images[pk] for pk in image_ids]


def product_image_move(
    *,
    product: Product,
    image_id: int,
    steps: int,
    actor: Any = None,
    ip_address: str | None = None,
) -> list[ProductImage]:
    """Move one of ``product``'s images ``steps`` places later in its order (earlier when
    negative; at most to the first or last place), the others keeping theirs: the back office's
    move up and down. Through ``product_images_reorder`` (audited, evented); a move that changes
    nothing writes nothing. Returns the images in their new order."""
    with transaction.atomic():
        order = list(
            ProductImage.objects.select_for_update()
            .filter(product=product)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        if image_id not in order:
            raise ProductImageNotFoundError()
        start = order.index(image_id)
        end = max(0, min(len(order) - 1, start + steps))
        if end == start:
            return list(ProductImage.objects.filter(product=product).order_by("position", "id"))
        order.insert(end, order.pop(start))
        return product_images_reorder(
            product=product, image_ids=order, actor=actor, ip_address=ip_address
        )


def product_image_describe(
    *,
    product: Product,
    image_id: int,
    alt: Mapping[str, str],
    actor: Any = None,
    ip_address: str | None = None,
) -> ProductImage:
    """Set the alternative texts of one image (language code -> text; an empty text removes
    that language), audited, and publish ``ProductImagesChanged``."""
    texts = _alt(alt)
    with transaction.atomic():
        image = _image_of(product, image_id)
        before = _snapshot(image)
        image.alt = texts
        image.save(update_fields=["alt"])
        audit_record(
            actor=actor,
            action="product_image.describe",
            target=image,
            before=before,
            after=_snapshot(image),
            ip_address=ip_address,
        )
        event_publish(ProductImagesChanged(product_ids=[product.pk]))
    return image
