"""Booking carriers and following parcels (F5): a parcel ships with a carrier's tracking number,
its journey is read from the carrier every few minutes, and the order becomes ``delivered`` when
every parcel has arrived. The customer is emailed when a parcel ships and when the order arrives,
in their language, once each."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.catalog.models import Variant
from storeteam.core.errors import DomainError
from storeteam.core.mail import email_in_language
from storeteam.fulfilment.carriers import CarrierError, Parcel, carrier_for
from storeteam.fulfilment.models import (
    ACTIVE,
    CustomerNotice,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from storeteam.fulfilment.services import FulfilmentError, shipment_ship
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.selectors import order_pk_from_number
from storeteam.orders.services import order_transition

logger = logging.getLogger(__name__)
POLL_BATCH = 500


def shipment_book_and_ship(*, shipment_id: int, carrier: str, service: str, actor: str) -> Shipment:
    """Book the packed parcel with ``carrier`` (no transaction open during the call; the same
    parcel always books once, by its idempotency key) and ship it with the tracking number."""
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None:
        raise FulfilmentError(_("There is no such shipment."))
    if shipment.status == ShipmentStatus.SHIPPED:
        return shipment
    if shipment.status != ShipmentStatus.PACKED:
        raise FulfilmentError(
            _("Pack every item of the parcel before it ships (it is %(status)s).")
            % {"status": shipment.get_status_display()}
        )
    provider = carrier_for(carrier)
    weights = dict(
        Variant.objects.filter(pk__in=shipment.lines.values("variant_id")).values_list(
            "pk", "weight_grams"
        )
    )
    parcel = Parcel(
        reference=shipment.label,
        recipient=dict(shipment.order.shipping_address),
        weight_grams=sum(
            weights.get(li.variant_id, 0) * li.quantity for li in shipment.lines.all()
        ),
        service=service,
    )
    try:
        booking = provider.book(parcel=parcel, idempotency_key=f"shipment-{shipment.pk}")
    except CarrierError as exc:
        raise FulfilmentError(
            _("The carrier did not take the parcel: %(error)s") % {"error": exc.message}
        ) from exc
    return shipment_ship(
        shipment_id=shipment.pk,
        carrier=carrier,
        service=service,
        tracking_number=booking.tracking_number,
        actor=actor,
    )


def tracking_refresh(*, shipment: Shipment, now: datetime | None = None) -> int:
    """Read the parcel's journey from its carrier and record what is new; the order becomes
    ``delivered`` once all its parcels are. Returns how many steps were new."""
    updates = carrier_for(shipment.carrier).track(tracking_number=shipment.tracking_number, now=now)
    known = set(shipment.tracking.values_list("code", "at"))
    fresh = [u for u in updates if (u.code, u.at) not in known]
    if not fresh:
        return 0
    with transaction.atomic():
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    shipment=shipment,
                    code=u.code,
                    description=u.description[:200],
                    location=u.location[:100],
                    at=u.at,
                )
                for u in fresh
            ],
            ignore_conflicts=True,
        )
        delivered = next((u for u in fresh if u.code == TrackingEvent.Code.DELIVERED), None)
        if delivered is not None:
            Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=True).update(
                delivered_at=delivered.at
            )
            _order_delivered_if_complete(shipment.order_id)
    return len(fresh)


def _order_delivered_if_complete(order_id: int) -> None:
    shipments = Shipment.objects.filter(order_id=order_id).exclude(status=ShipmentStatus.CANCELLED)
    if shipments.filter(delivered_at__isnull=True).exists():
        return
    order = Order.objects.filter(pk=order_id).only("status").first()
    if order is not None and order.status == OrderStatus.SHIPPED:
        order_transition(order_id=order_id, to_status=OrderStatus.DELIVERED, actor="carrier")


def tracking_poll(*, now: datetime | None = None, limit: int = POLL_BATCH) -> int:
    """Refresh every shipped parcel not yet delivered (a periodic job). A carrier that cannot be
    reached is logged and asked again next time. Returns how many new steps were recorded."""
    found = 0
    parcels = (
        Shipment.objects.filter(status=ShipmentStatus.SHIPPED, delivered_at__isnull=True)
        .exclude(carrier="")
        .filter(carrier__in=list(settings.CARRIERS))
        .order_by("shipped_at")[:limit]
    )
    for shipment in parcels:
        try:
            found += tracking_refresh(shipment=shipment, now=now)
        except (CarrierError, DomainError):
            logger.warning("tracking of shipment %s failed; retried next time", shipment.pk)
    return found


# --- the customer's emails ----------------------------------------------------------------------


def _claim(shipment: Shipment, kind: str) -> bool:
    try:
        with transaction.atomic():
            CustomerNotice.objects.create(shipment=shipment, kind=kind, sent_at=timezone.now())
    except IntegrityError:
        return False
    return True


def _send(order: Order, template: str, context: dict[str, object]) -> None:
    email_in_language(
        to=order.email,
        language=order.language,
        template=f"fulfilment/email/{template}",
        context=lambda: {
            **context,
            "order": order,
            "link": settings.STORE_URL + reverse("storefront:track"),
        },
    )


def notify_shipped(*, shipment_id: int) -> bool:
    """Tell the customer a parcel left, with its tracking number (once per parcel)."""
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None or not _claim(shipment, "shipped"):
        return False
    try:
        _send(
            shipment.order, "shipped", {"shipment": shipment, "lines": list(shipment.lines.all())}
        )
    except Exception:
        CustomerNotice.objects.filter(shipment=shipment, kind="shipped").delete()
        raise
    return True


def notify_delivered(*, order_id: int) -> bool:
    """Tell the customer the order arrived (once)."""
    shipment = Shipment.objects.select_related("order").filter(order_id=order_id).first()
    if shipment is None or not _claim(shipment, "delivered"):
        return False
    try:
        _send(shipment.order, "delivered", {})
    except Exception:
        CustomerNotice.objects.filter(shipment=shipment, kind="delivered").delete()
        raise
    return True


# --- the public tracking page -------------------------------------------------------------------


@dataclass(frozen=True)
class ParcelView:
    shipment: Shipment
    events: list[TrackingEvent] = field(default_factory=list)


@dataclass(frozen=True)
class TrackingView:
    order: Order
    parcels: list[ParcelView]
    waiting_for_warehouse: bool


def _normal(text: str) -> str:
    return "".join(text.split()).lower()


def order_tracking(*, number: str, secret: str) -> TrackingView | None:
    """The order ``number`` if ``secret`` is its email address or delivery postcode, with its
    parcels and their journeys; None otherwise (the same answer for a wrong number and a wrong
    secret, so the page tells nobody which orders exist)."""
    pk = order_pk_from_number(number)
    secret = _normal(secret or "")
    if pk is None or not secret:
        return None
    order = Order.objects.filter(pk=pk).first()
    if order is None:
        return None
    if secret not in (_normal(order.email), _normal(order.shipping_address.get("postcode", ""))):
        return None
    shipments = list(
        Shipment.objects.filter(order=order)
        .exclude(status=ShipmentStatus.CANCELLED)
        .prefetch_related("tracking", "lines")
        .order_by("sequence", "id")
    )
    waiting = order.status in (OrderStatus.PAID, OrderStatus.ALLOCATED) and (
        not shipments or all(s.status in ACTIVE for s in shipments)
    )
    return TrackingView(
        order=order,
        parcels=[ParcelView(s, list(s.tracking.all())) for s in shipments],
        waiting_for_warehouse=waiting,
    )
