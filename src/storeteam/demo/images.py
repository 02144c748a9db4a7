"""Pictures for the demo catalog: a flat illustration per product type, in the product's colour on
a light background, drawn with Pillow (nothing downloaded, nothing copied).

Every product of one type and colour shows the same picture, so each (type, colour) picture is
drawn and stored once, through catalog.images like any upload, and its renditions are shared by
every product that shows it: honest (they would look the same) and fast at 308,000 products.
Deterministic: the picture depends only on the type and the colour.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw

from storeteam.catalog.images import StoredImage, image_store
from storeteam.demo.words import COLOURS, DEPARTMENTS, LANGUAGES

SIZE = 800
BACKGROUND = (238, 241, 245)
RGB: dict[str, tuple[int, int, int]] = {
    "black": (38, 38, 42),
    "white": (250, 250, 250),
    "grey": (140, 144, 150),
    "navy": (31, 45, 92),
    "blue": (44, 110, 196),
    "green": (46, 133, 80),
    "olive": (112, 118, 58),
    "beige": (214, 196, 160),
    "brown": (118, 78, 48),
    "red": (196, 48, 48),
    "pink": (232, 140, 170),
    "yellow": (240, 196, 50),
}
# Types without a colour axis (books, creams ...) get one colour each, by their position.
PLAIN = ("blue", "green", "red", "navy", "olive", "brown", "pink", "yellow", "grey")

Draw = Callable[[ImageDraw.ImageDraw, tuple[int, int, int], tuple[int, int, int]], None]


def _top(hood: bool = False, zip_: bool = False) -> Draw:
    def draw(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
        body = [(250, 190), (330, 160), (470, 160), (550, 190), (690, 330), (610, 400), (560, 350),
                (560, 650), (240, 650), (240, 350), (190, 400), (110, 330)]  # fmt: skip
        if hood:
            d.ellipse((320, 100, 480, 240), fill=fill, outline=ink, width=8)
        d.polygon(body, fill=fill, outline=ink, width=8)
        d.arc((350, 130, 450, 220), 0, 180, fill=ink, width=8)
        if zip_:
            d.line((400, 215, 400, 650), fill=ink, width=8)

    return draw


def _shoe(tall: bool = False) -> Draw:
    def draw(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
        top = 230 if tall else 360
        d.polygon([(190, top), (330, top), (360, 440), (620, 480), (660, 560), (150, 560)],
                  fill=fill, outline=ink, width=8)  # fmt: skip
        d.rectangle((150, 560, 660, 600), fill=ink)

    return draw


def _square(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rounded_rectangle((170, 170, 630, 630), radius=60, fill=fill, outline=ink, width=8)
    for x in (290, 400, 510):
        d.line((x, 210, x, 590), fill=ink, width=6)


def _lamp(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.polygon([(300, 150), (500, 150), (580, 380), (220, 380)], fill=fill, outline=ink, width=8)
    d.rectangle((385, 380, 415, 620), fill=ink)
    d.ellipse((280, 600, 520, 660), fill=ink)


def _vessel(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rectangle((350, 140, 450, 230), fill=fill, outline=ink, width=8)
    d.rounded_rectangle((260, 220, 540, 660), radius=90, fill=fill, outline=ink, width=8)


def _pot(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rounded_rectangle((200, 320, 600, 600), radius=50, fill=fill, outline=ink, width=8)
    d.rectangle((180, 290, 620, 330), fill=ink)
    d.rectangle((120, 360, 200, 390), fill=ink)
    d.rectangle((600, 360, 680, 390), fill=ink)


def _tool(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.polygon([(420, 120), (500, 140), (470, 460), (420, 460)], fill=(200, 205, 212), outline=ink,
              width=8)  # fmt: skip
    d.rounded_rectangle((405, 450, 485, 690), radius=30, fill=fill, outline=ink, width=8)


def _headphones(
    d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]
) -> None:
    d.arc((220, 170, 580, 560), 180, 360, fill=ink, width=30)
    d.rounded_rectangle((190, 380, 290, 580), radius=40, fill=fill, outline=ink, width=8)
    d.rounded_rectangle((510, 380, 610, 580), radius=40, fill=fill, outline=ink, width=8)


def _device(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rounded_rectangle((140, 280, 660, 540), radius=30, fill=fill, outline=ink, width=8)
    for row in range(3):
        for col in range(8):
            x, y = 180 + col * 58, 320 + row * 66
            d.rounded_rectangle((x, y, x + 40, y + 44), radius=8, outline=ink, width=5)


def _speaker(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rounded_rectangle((250, 140, 550, 660), radius=40, fill=fill, outline=ink, width=8)
    d.ellipse((310, 200, 490, 380), outline=ink, width=10)
    d.ellipse((330, 430, 470, 570), outline=ink, width=10)


def _bag(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.arc((300, 150, 500, 380), 180, 360, fill=ink, width=20)
    d.rounded_rectangle((170, 260, 630, 640), radius=40, fill=fill, outline=ink, width=8)


def _blocks(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    for box in ((180, 420, 390, 630), (410, 420, 620, 630), (295, 200, 505, 410)):
        d.rectangle(box, fill=fill, outline=ink, width=8)


def _bear(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    for box in ((250, 140, 340, 230), (460, 140, 550, 230), (260, 160, 540, 420),
                (230, 380, 570, 680)):  # fmt: skip
        d.ellipse(box, fill=fill, outline=ink, width=8)


def _book(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rectangle((220, 130, 580, 670), fill=fill, outline=ink, width=8)
    d.rectangle((220, 130, 270, 670), fill=ink)
    d.rectangle((320, 220, 530, 300), fill=BACKGROUND)


def _house(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.polygon([(400, 130), (620, 330), (180, 330)], fill=ink)
    d.rectangle((230, 330, 570, 640), fill=fill, outline=ink, width=8)
    d.ellipse((350, 410, 450, 510), fill=ink)


def _chair(d: ImageDraw.ImageDraw, fill: tuple[int, int, int], ink: tuple[int, int, int]) -> None:
    d.rectangle((250, 150, 300, 660), fill=ink)
    d.rectangle((500, 420, 550, 660), fill=ink)
    d.rectangle((250, 150, 300, 420), fill=fill, outline=ink, width=8)
    d.rectangle((250, 400, 560, 450), fill=fill, outline=ink, width=8)


SHAPES: dict[str, Draw] = {
    "jackets": _top(zip_=True),
    "sports-jackets": _top(zip_=True),
    "hoodies": _top(hood=True),
    "shirts": _top(),
    "knitwear": _top(),
    "t-shirts": _top(),
    "sports-tops": _top(),
    "boots": _shoe(tall=True),
    "lamps": _lamp,
    "outdoor-lighting": _lamp,
    "cookware": _pot,
    "tableware": _pot,
    "food-storage": _pot,
    "plant-pots": _pot,
    "knives": _tool,
    "utensils": _tool,
    "garden-tools": _tool,
    "headphones": _headphones,
    "speakers": _speaker,
    "keyboards": _device,
    "desk": _device,
    "chargers": _device,
    "cases": _device,
    "sports-bags": _bag,
    "building-blocks": _blocks,
    "puzzles-games": _blocks,
    "soft-toys": _bear,
    "dolls": _bear,
    "birdhouses": _house,
    "pretend-play": _house,
    "garden-furniture": _chair,
}
DEPARTMENT_SHAPES: dict[str, Draw] = {
    "shoes": _shoe(),
    "home": _square,
    "beauty": _vessel,
    "books": _book,
    "sports": _square,
    "clothing": _top(),
    "garden": _vessel,
}
VESSELS = ("vases", "candle-holders", "bottles", "watering")


def _shape(department: str, kind: str) -> Draw:
    if kind in VESSELS:
        return _vessel
    return SHAPES.get(kind) or DEPARTMENT_SHAPES.get(department, _square)


def _ink(fill: tuple[int, int, int]) -> tuple[int, int, int]:
    """A darker line colour that stays visible on the light background, even for white."""
    if sum(fill) < 250:  # black, navy: lighter lines, so the details show
        return (fill[0] + 90, fill[1] + 90, fill[2] + 90)
    return (int(fill[0] * 0.55), int(fill[1] * 0.55), int(fill[2] * 0.55))


def demo_picture(*, department: str, kind: str, colour: str) -> bytes:
    """The illustration of one product type in one colour, as PNG bytes."""
    fill = RGB[colour]
    canvas = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    _shape(department, kind)(ImageDraw.Draw(canvas), fill, _ink(fill))
    out = io.BytesIO()
    canvas.save(out, "PNG", compress_level=1)
    return out.getvalue()


ALT = {
    "en": "Illustration in {colour}: {kind}",
    "sv": "Illustration i {colour}: {kind}",
    "fr": "Illustration {colour} : {kind}",
    "nl": "Illustratie in {colour}: {kind}",
}
KINDS = {t.code: (d.code, t) for d in DEPARTMENTS for t in d.types}


class DemoPictures:
    """Draws and stores each (type, colour) picture once and hands it out again after."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], StoredImage] = {}

    def colour_of(self, kind: str, colour: str | None) -> str:
        if colour in RGB:
            return str(colour)
        codes = list(KINDS)
        return PLAIN[codes.index(kind) % len(PLAIN)] if kind in KINDS else PLAIN[0]

    def picture(self, *, kind: str, colour: str | None) -> tuple[StoredImage, dict[str, str]]:
        """The stored picture of ``kind`` in ``colour`` and its alternative text per language."""
        chosen = self.colour_of(kind, colour)
        department, product_type = KINDS[kind]
        key = (kind, chosen)
        if key not in self.stored:
            self.stored[key] = image_store(
                file=demo_picture(department=department, kind=kind, colour=chosen)
            )
        colour_names = dict(zip(LANGUAGES, COLOURS[chosen], strict=True))
        kind_names = dict(zip(LANGUAGES, product_type.names, strict=True))
        alt = {
            language: template.format(
                colour=colour_names[language].lower(), kind=kind_names[language].lower()
            )
            for language, template in ALT.items()
        }
        return self.stored[key], alt
