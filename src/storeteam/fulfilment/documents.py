"""The documents a packing station prints for a parcel (F2): the shipping label as ZPL (for
thermal label printers) or as PDF, and the packing slip as PDF.

Each renderer takes a ``Shipment`` (with its order and lines) and returns bytes; nothing here
writes to the database. Labels are 4 x 6 inches (the carriers' common size), slips A4, both in
the order's language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4, inch
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from storeteam.fulfilment.models import Shipment

LABEL_SIZE = (4 * inch, 6 * inch)
DPI = 203  # the usual thermal printer: 8 dots per mm


@dataclass(frozen=True)
class LabelData:
    sender: list[str]
    recipient: list[str]
    order_number: str
    parcel: str
    carrier: str
    service: str
    tracking_number: str
    item_count: int


def _address_lines(address: dict[str, str]) -> list[str]:
    lines = [address.get("name", ""), address.get("line1", ""), address.get("line2", "")]
    lines.append(f"{address.get('postcode', '')} {address.get('city', '')}".strip())
    lines.append(address.get("country", ""))
    return [line for line in lines if line]


def label_data(shipment: Shipment) -> LabelData:
    """What a label says, read once for the ZPL and the PDF renderers alike."""
    warehouse = shipment.warehouse
    return LabelData(
        sender=[settings.STORE_NAME, warehouse.name, warehouse.country],
        recipient=_address_lines(shipment.order.shipping_address or {}),
        order_number=shipment.order.number,
        parcel=shipment.label,
        carrier=shipment.carrier,
        service=shipment.service,
        tracking_number=shipment.tracking_number,
        item_count=sum(line.quantity for line in shipment.lines.all()),
    )


def _zpl_field(text: str) -> str:
    """Field data safe inside ``^FH_ ... ^FS``: the command characters and the hex escape
    character are written as hex, so an address cannot end the field or start a command."""
    out = []
    for char in text:
        if char in "^~_":
            out.append(f"_{ord(char):02X}")
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def label_zpl(shipment: Shipment) -> bytes:
    """The shipping label as ZPL II for a 4 x 6 inch label at 203 dpi: sender, recipient, order
    and parcel, carrier and service, and the tracking number as a Code 128 barcode (``^BC``)."""
    data = label_data(shipment)
    parts = ["^XA", "^CI28", "^PW812", "^LL1218", "^LH0,0"]

    def text(x: int, y: int, size: int, value: str) -> None:
        parts.append(f"^FO{x},{y}^A0N,{size},{size}^FH_^FD{_zpl_field(value)}^FS")

    text(40, 30, 24, "FROM")
    for i, line in enumerate(data.sender):
        text(40, 60 + i * 28, 26, line)
    parts.append("^FO30,160^GB752,3,3^FS")
    text(40, 180, 24, "TO")
    for i, line in enumerate(data.recipient[:6]):
        text(40, 215 + i * 48, 44, line)
    parts.append("^FO30,520^GB752,3,3^FS")
    text(40, 545, 34, f"{data.carrier.upper()} {data.service}".strip())
    text(40, 595, 30, f"ORDER {data.order_number}  PARCEL {data.parcel}")
    text(40, 640, 30, f"ITEMS {data.item_count}")
    parts.append("^FO30,690^GB752,3,3^FS")
    # Code 128 with the human-readable line under it; ^BY sets the module width.
    parts.append(f"^FO60,730^BY3^BCN,260,Y,N,N^FH_^FD{_zpl_field(data.tracking_number)}^FS")
    parts.append("^XZ")
    return ("\n".join(parts) + "\n").encode("utf-8")


def label_pdf(shipment: Shipment) -> bytes:
    """The same label as a one-page 4 x 6 inch PDF, for stations printing on paper."""
    data = label_data(shipment)
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=LABEL_SIZE, invariant=True)
    pdf.setTitle(f"Label {data.parcel}")
    width, height = LABEL_SIZE
    y = height - 0.35 * inch
    pdf.setFont("Helvetica-Bold", 8)
    pdf.drawString(0.2 * inch, y, "FROM")
    pdf.setFont("Helvetica", 9)
    for line in data.sender:
        y -= 11
        pdf.drawString(0.2 * inch, y, line)
    y -= 10
    pdf.line(0.15 * inch, y, width - 0.15 * inch, y)
    y -= 16
    pdf.setFont("Helvetica-Bold", 8)
    pdf.drawString(0.2 * inch, y, "TO")
    pdf.setFont("Helvetica-Bold", 14)
    for line in data.recipient[:6]:
        y -= 18
        pdf.drawString(0.2 * inch, y, line)
    y -= 14
    pdf.line(0.15 * inch, y, width - 0.15 * inch, y)
    pdf.setFont("Helvetica-Bold", 12)
    y -= 18
    pdf.drawString(0.2 * inch, y, f"{data.carrier.upper()} {data.service}".strip())
    pdf.setFont("Helvetica", 10)
    y -= 15
    pdf.drawString(0.2 * inch, y, f"ORDER {data.order_number}  PARCEL {data.parcel}")
    y -= 13
    pdf.drawString(0.2 * inch, y, f"ITEMS {data.item_count}")
    barcode = Code128(data.tracking_number, barHeight=0.9 * inch, barWidth=1.2)
    x = max((width - barcode.width) / 2, 0.1 * inch)
    barcode.drawOn(pdf, x, 0.55 * inch)
    pdf.setFont("Helvetica", 11)
    pdf.drawCentredString(width / 2, 0.3 * inch, data.tracking_number)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def packing_slip_pdf(shipment: Shipment) -> bytes:
    """The packing slip (A4, in the order's language): order number and parcel, the address,
    and each line with SKU, name and quantity, so the customer can check what is in the box."""
    order = shipment.order
    lines = list(shipment.lines.all())
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=True)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    with translation.override(order.language or settings.LANGUAGE_CODE):
        pdf.setTitle(_("Packing slip %(parcel)s") % {"parcel": shipment.label})
        y = height - 25 * mm
        pdf.setFont("Helvetica-Bold", 18)
        pdf.drawString(left, y, settings.STORE_NAME)
        pdf.setFont("Helvetica", 10)
        pdf.drawRightString(right, y, _("Packing slip"))
        y -= 14 * mm
        pdf.setFont("Helvetica", 11)
        facts = [
            (_("Order"), order.number),
            (_("Parcel"), shipment.label),
            (_("Order date"), timezone.localtime(order.placed_at).strftime("%Y-%m-%d")),
        ]
        if shipment.tracking_number:
            facts.append((_("Tracking number"), shipment.tracking_number))
        for label, value in facts:
            pdf.setFont("Helvetica-Bold", 11)
            pdf.drawString(left, y, label)
            pdf.setFont("Helvetica", 11)
            pdf.drawString(left + 40 * mm, y, value)
            y -= 6 * mm
        y -= 4 * mm
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(left, y, _("Deliver to"))
        pdf.setFont("Helvetica", 11)
        for text in _address_lines(order.shipping_address or {}):
            y -= 6 * mm
            pdf.drawString(left, y, text)
        y -= 12 * mm

        def header(y: float) -> float:
            pdf.setFont("Helvetica-Bold", 10)
            pdf.drawString(left, y, _("SKU"))
            pdf.drawString(left + 50 * mm, y, _("Product"))
            pdf.drawRightString(right, y, _("Quantity"))
            pdf.line(left, y - 2 * mm, right, y - 2 * mm)
            pdf.setFont("Helvetica", 10)
            return float(y - 8 * mm)

        y = header(y)
        for line in lines:
            if y < 25 * mm:
                pdf.showPage()
                y = header(height - 25 * mm)
            pdf.drawString(left, y, line.sku)
            pdf.drawString(left + 50 * mm, y, line.name[:70])
            pdf.drawRightString(right, y, str(line.quantity))
            y -= 6 * mm
        pdf.line(left, y + 2 * mm, right, y + 2 * mm)
        y -= 4 * mm
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawRightString(
            right,
            y,
            _("%(n)d items") % {"n": sum(line.quantity for line in lines)},
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
