"""Fulfilment (F1): the parcels a warehouse picks, packs and ships.

An allocated order becomes one ``Shipment`` per warehouse holding its stock (the handler of
``OrderAllocated``, through the outbox, so an order reaches the warehouse even if the warehouse
side was down when it was placed). A packer may split a shipment (the unpacked rest becomes a new
one). Pick lists batch open shipments of one warehouse. Stock leaves the ledger only when a
shipment ships (``inventory.allocation_ship``)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import Variant
from storeteam.inventory.models import Warehouse
from storeteam.orders.models import NUMBER_OFFSET, Order


class ShipmentStatus(models.TextChoices):
    OPEN = "open", _("To pick")
    PICKING = "picking", _("Being picked")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = (ShipmentStatus.OPEN, ShipmentStatus.PICKING, ShipmentStatus.PACKED)


class PickList(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="pick_lists")
    created_by = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"pick list {self.pk}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="shipments")
    # 1 for the first parcel of the order from this warehouse, 2 ... for parcels split off it.
    sequence = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.OPEN
    )
    pick_list = models.ForeignKey(
        PickList, on_delete=models.SET_NULL, null=True, blank=True, related_name="shipments"
    )
    ship_by = models.DateTimeField()
    carrier = models.CharField(max_length=40, blank=True, default="")
    service = models.CharField(max_length=40, blank=True, default="")
    tracking_number = models.CharField(max_length=60, blank=True, default="")
    created_at = models.DateTimeField()
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.CharField(max_length=80, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ship_by", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "warehouse", "sequence"], name="shipment_once_per_sequence"
            )
        ]
        indexes = [
            models.Index(fields=["warehouse", "status", "ship_by"], name="shipment_open_work"),
        ]
        permissions = [
            ("view_fulfilment", _("Can see the warehouses' open work and shipments")),
            ("work_fulfilment", _("Can pick, pack and ship")),
            (
                "manage_fulfilment",
                _("Can set up packing stations, shifts and warehouse system links"),
            ),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"parcel {self.label}"

    @property
    def label(self) -> str:
        """The parcel's name for people and the warehouse system: order number, dash, sequence
        (from the order's id, so no query)."""
        return f"{NUMBER_OFFSET + self.order_id}-{self.sequence}" if self.order_id else ""


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=250)
    quantity = models.PositiveIntegerField()
    packed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sku", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity"),
            models.CheckConstraint(
                condition=Q(packed__lte=F("quantity")), name="shipment_line_packed_within"
            ),
            models.UniqueConstraint(fields=["shipment", "variant"], name="shipment_line_once"),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.packed}/{self.quantity} {self.sku}"


class TrackingEvent(models.Model):
    """One step of a parcel's journey as its carrier reported it (F5)."""

    class Code(models.TextChoices):
        BOOKED = "booked", _("Handed to the carrier")
        IN_TRANSIT = "in_transit", _("On its way")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Delayed")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking")
    code = models.CharField(max_length=20, choices=Code.choices)
    description = models.CharField(max_length=200, blank=True, default="")
    location = models.CharField(max_length=100, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "code", "at"], name="tracking_event_once")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.code} {self.at}"


class CustomerNotice(models.Model):
    """An email the customer was sent about a parcel (shipped, delivered): claimed before it is
    sent, so a retried delivery of the event never sends it twice."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shipment", "kind"], name="customer_notice_once")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"


class SandboxParcel(models.Model):
    """The built-in test carrier's own records (its side of the world, like a carrier's
    database): when each parcel was booked, from which its journey unfolds."""

    tracking_number = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    service = models.CharField(max_length=40)
    postcode = models.CharField(max_length=12, blank=True, default="")
    booked_at = models.DateTimeField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return self.tracking_number


class WarehouseLink(models.Model):
    """A warehouse run by an external warehouse system (F4): orders are sent to it over HTTP,
    signed, in order, from a durable queue; it tells the store what shipped by a signed webhook.
    A warehouse without a link uses the built-in fulfilment."""

    warehouse = models.OneToOneField(Warehouse, on_delete=models.CASCADE, related_name="link")
    endpoint = models.URLField(max_length=300)
    # The shared secret signing messages both ways (HMAC-SHA256). Write-only for people: no
    # screen shows it back.
    secret = models.CharField(max_length=128)
    # The secret before the last rotation: the system's webhooks signed with it are still
    # accepted for a grace period after ``secret_changed_at``, so a rotation loses no message.
    previous_secret = models.CharField(max_length=128, blank=True, default="")
    secret_changed_at = models.DateTimeField(null=True, blank=True)
    is_up = models.BooleanField(default=True)
    # A person paused sending (the warehouse asked for it, maintenance): messages keep queueing.
    is_paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.CharField(max_length=200, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # One sender at a time keeps the order: a worker holds the link until this time.
    draining_until = models.DateTimeField(null=True, blank=True)
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        # The audit log's "concerning" column: the callers have the warehouse loaded.
        return f"warehouse system of {self.warehouse.code}"


class DispatchKind(models.TextChoices):
    ORDER = "order", _("Order")
    CANCEL = "cancel", _("Cancellation")


class CancelAnswer(models.TextChoices):
    CANCELLED = "cancelled", _("Cancelled by the warehouse system")
    TOO_LATE = "too_late", _("Too late: already shipped")


class WarehouseDispatch(models.Model):
    """One message to an external warehouse system, sent or waiting: a parcel's order, or the
    cancellation of it. At most one of each kind per parcel, numbered per link, so the queue
    drains in order and nothing goes twice. An order message withdrawn before any attempt to
    send it (the order was cancelled first) never leaves the store; its number is skipped."""

    link = models.ForeignKey(WarehouseLink, on_delete=models.CASCADE, related_name="dispatches")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField(max_length=10, choices=DispatchKind.choices, default=DispatchKind.ORDER)
    sequence = models.PositiveIntegerField()
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # A cancellation's answer from the warehouse system (its signed webhook).
    answer = models.CharField(max_length=10, choices=CancelAnswer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["link", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["link", "sequence"], name="dispatch_sequence_once"),
            models.UniqueConstraint(fields=["shipment", "kind"], name="dispatch_once_per_kind"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(delivered_at__isnull=True),
                name="dispatch_withdrawn_never_delivered",
            ),
        ]
        indexes = [
            models.Index(fields=["link", "delivered_at", "sequence"], name="dispatch_queue"),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.link_id}#{self.sequence}"

    @property
    def is_waiting(self) -> bool:
        return self.delivered_at is None and self.withdrawn_at is None


WEEKDAY_CODES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Shift(models.Model):
    """When a warehouse packs, and how fast (F3): orders per hour from start to end, either every
    week on a weekday or on one date. The shifts on a date replace that weekday's shifts for
    the day (a holiday, a campaign day with an extra team)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)  # 0 Monday
    date = models.DateField(_("date"), null=True, blank=True)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    orders_per_hour = models.PositiveIntegerField(_("orders per hour"))

    class Meta:
        ordering = ["warehouse", "weekday", "date", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shift_weekday"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_order"),
            models.CheckConstraint(
                condition=Q(weekday__isnull=False, date__isnull=True)
                | Q(weekday__isnull=True, date__isnull=False),
                name="shift_weekday_or_date",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "date"], name="shift_by_date")]
        default_permissions = ()

    def __str__(self) -> str:
        return (
            f"shift of warehouse {self.warehouse_id} on {self.day_code} "
            f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
        )

    @property
    def day_code(self) -> str:
        """The day in a form that does not depend on the reader's language (logs, audit)."""
        if self.date is not None:
            return self.date.isoformat()
        return WEEKDAY_CODES[self.weekday or 0]


class SameDayCutoff(models.Model):
    """The warehouse's same-day promise (F3): an order placed on a packing day before ``until``
    (the store's local time) leaves that day, by the end of its last shift. Without one, an order
    leaves within ``SHIP_WITHIN`` of being placed."""

    warehouse = models.OneToOneField(
        Warehouse, on_delete=models.CASCADE, primary_key=True, related_name="same_day_cutoff"
    )
    until = models.TimeField(_("same-day cut-off"))

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.warehouse_id} until {self.until}"


class ExpectedOrders(models.Model):
    """Orders a warehouse should expect on top of its usual flow: ``orders`` more, arriving
    between ``starts_at`` and ``ends_at`` (a campaign's forecast, G3). Marketing's campaigns write
    these; the logistics manager can too. The capacity projection counts the part still to come."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    orders = models.PositiveIntegerField(_("orders"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    source = models.CharField(_("source"), max_length=200)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=80)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["warehouse", "ends_at"], name="expected_orders_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="expected_orders_window"
            ),
            models.CheckConstraint(condition=Q(orders__gt=0), name="expected_orders_some"),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.orders} expected at {self.warehouse_id} ({self.source})"


class CapacityAlert(models.Model):
    """A projected shortfall of a warehouse on one day: raised once, updated if it grows, so
    the logistics manager is told early and not every few minutes."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    shortfall = models.PositiveIntegerField()
    deadline = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    emailed_shortfall = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "day"], name="capacity_alert_once_a_day")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.day} short {self.shortfall}"


# Print queue per packing station (F2) ------------------------------------------------------


class LabelFormat(models.TextChoices):
    ZPL = "zpl", _("ZPL (thermal label printer)")
    PDF = "pdf", _("PDF")


class PackingStation(models.Model):
    """A packing table with its printer. ``printer`` is ``tcp://host:9100`` (a raw network
    printer that takes ZPL, or PDF on its raw port) or ``dir:<path>`` (each document written as
    a file there; a relative path is under the store's var directory). ``labels_per_hour`` is
    what the station can print and pack in an hour: the queue's time to clear is measured
    against it (F2, F3)."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="packing_stations"
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    labels_per_hour = models.PositiveIntegerField(_("labels per hour"), default=120)
    printer = models.CharField(_("printer address"), max_length=300)
    label_format = models.CharField(
        _("label format"), max_length=3, choices=LabelFormat.choices, default=LabelFormat.ZPL
    )
    prints_packing_slips = models.BooleanField(_("prints packing slips"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse__priority", "warehouse__code", "code"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(labels_per_hour__gt=0), name="station_capacity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PrintKind(models.TextChoices):
    LABEL_ZPL = "label_zpl", _("Shipping label (ZPL)")
    LABEL_PDF = "label_pdf", _("Shipping label (PDF)")
    SLIP_PDF = "slip_pdf", _("Packing slip (PDF)")


LABEL_KINDS = (PrintKind.LABEL_ZPL, PrintKind.LABEL_PDF)


class PrintStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    PRINTED = "printed", _("Printed")
    # Nothing reached the printer and the retries are used up: safe to send again.
    FAILED = "failed", _("Failed")
    # The bytes may have reached the printer without a confirmation: a person decides.
    UNCERTAIN = "uncertain", _("Uncertain")


class PrintJob(models.Model):
    """One document for one parcel on one station's printer. ``key`` (parcel, kind, copy) is
    unique, so asking twice queues once; a reprint a person asks for is a new copy. The bytes
    are rendered once, when queued, so every attempt sends the same document."""

    station = models.ForeignKey(PackingStation, on_delete=models.PROTECT, related_name="jobs")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="print_jobs")
    kind = models.CharField(max_length=10, choices=PrintKind.choices)
    copy = models.PositiveSmallIntegerField(default=1)
    key = models.CharField(max_length=80, unique=True)
    content = models.BinaryField()
    status = models.CharField(
        max_length=10, choices=PrintStatus.choices, default=PrintStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    requested_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # Set when a worker claims the job; a job 'sending' for too long lost its worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    printed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()
        indexes = [
            models.Index(fields=["station", "status", "next_attempt_at"], name="print_job_queue"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_label(self) -> bool:
        return self.kind in LABEL_KINDS

    @property
    def needs_a_person(self) -> bool:
        return self.status in (PrintStatus.UNCERTAIN, PrintStatus.FAILED)
