"""Carriers (F5): the interface the store books parcels and reads their journey through, and the
built-in test carrier, which behaves like a real one (its own records, tracking numbers of its
own, a journey that unfolds over time, the same answer to a repeated booking).

Which carriers the store uses is the ``CARRIERS`` setting (code -> class path and options), read
by ``carrier_for``, like ``PAYMENT_GATEWAYS``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from storeteam.core.errors import DomainError
from storeteam.fulfilment.models import SandboxParcel, TrackingEvent

Code = TrackingEvent.Code


class UnknownCarrierError(DomainError):
    """No carrier of this name is configured."""

    code = "unknown_carrier"


class CarrierError(DomainError):
    """The carrier refused or could not be reached; nothing was booked."""

    code = "carrier_error"


@dataclass(frozen=True)
class Parcel:
    reference: str  # the shipment's label, e.g. 100042-1
    recipient: dict[str, str]
    weight_grams: int
    service: str


@dataclass(frozen=True)
class Booking:
    tracking_number: str
    tracking_url: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    code: str
    description: str
    at: datetime
    location: str = ""


class Carrier(Protocol):
    code: str
    services: tuple[str, ...]

    def book(self, *, parcel: Parcel, idempotency_key: str) -> Booking:
        """Book the parcel's transport; the same key returns the same booking."""

    def track(self, *, tracking_number: str, now: datetime | None = None) -> list[TrackingUpdate]:
        """The parcel's journey so far, oldest first."""


def carrier_codes() -> list[str]:
    return list(settings.CARRIERS)


def carrier_for(code: str) -> Carrier:
    config: dict[str, Any] | None = settings.CARRIERS.get(code)
    if config is None:
        raise UnknownCarrierError(f"no carrier {code!r} is configured")
    backend = import_string(str(config["BACKEND"]))
    carrier: Carrier = backend(code=code, **dict(config.get("OPTIONS", {})))
    return carrier


# The journey of a test parcel: each step at this fraction of TEST_CARRIER_JOURNEY_HOURS.
JOURNEY: tuple[tuple[str, float, str, str], ...] = (
    (Code.BOOKED, 0.0, "Parcel registered", "Sender's warehouse"),
    (Code.IN_TRANSIT, 0.1, "Parcel on its way", "Sorting terminal"),
    (Code.OUT_FOR_DELIVERY, 0.75, "Out for delivery", "Local depot"),
    (Code.DELIVERED, 1.0, "Delivered", "Recipient"),
)


class TestCarrier:
    """A carrier that runs in the store's own database (``SandboxParcel``) for development,
    tests and the demo. Postcodes starting with ``99`` are undeliverable: their parcels stop
    with a ``exception`` step, as real ones sometimes do."""

    services = ("parcel", "express")

    def __init__(self, *, code: str = "test") -> None:
        self.code = code

    def book(self, *, parcel: Parcel, idempotency_key: str) -> Booking:
        if parcel.service not in self.services:
            raise CarrierError(f"the test carrier has no service {parcel.service!r}")
        existing = SandboxParcel.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
            number = "TC" + str(int(digest[:15], 16)).zfill(18)[:12] + "SE"
            try:
                with transaction.atomic():
                    existing = SandboxParcel.objects.create(
                        tracking_number=number,
                        idempotency_key=idempotency_key,
                        service=parcel.service,
                        postcode=parcel.recipient.get("postcode", "")[:12],
                        booked_at=timezone.now(),
                    )
            except IntegrityError:
                existing = SandboxParcel.objects.get(idempotency_key=idempotency_key)
        return Booking(tracking_number=existing.tracking_number)

    def track(self, *, tracking_number: str, now: datetime | None = None) -> list[TrackingUpdate]:
        parcel = SandboxParcel.objects.filter(tracking_number=tracking_number).first()
        if parcel is None:
            raise CarrierError(f"the test carrier knows no parcel {tracking_number}")
        now = now or timezone.now()
        hours = settings.TEST_CARRIER_JOURNEY_HOURS
        if parcel.service == "express":
            hours /= 2
        updates = []
        undeliverable = parcel.postcode.replace(" ", "").startswith("99")
        for code, share, text, place in JOURNEY:
            at = parcel.booked_at + timedelta(hours=hours * share)
            if at > now:
                break
            if undeliverable and code == Code.OUT_FOR_DELIVERY:
                updates.append(
                    TrackingUpdate(Code.EXCEPTION, "Address not found", at, "Local depot")
                )
                break
            updates.append(TrackingUpdate(code, text, at, place))
        return updates
