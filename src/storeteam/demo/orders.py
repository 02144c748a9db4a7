"""Demo shipping methods and orders: a store that has been selling, for the order workspace.

Two shipping methods (a postal parcel, free above a threshold, everywhere the store delivers;
express in Sweden, Denmark, Finland and the Netherlands), named in the four languages, priced in
SEK and EUR; the VAT rates of the demo catalog when the store has none.

Then twelve orders, placed as shoppers place them: a cart (``cart_create``, ``cart_line_set``),
``checkout_place`` with the built-in test gateway and its test card, so stock is reserved and
allocated, the payment taken (authorised and captured in one call, a sale), and every step is in
the order's history and the stock ledger. Some then move on through the same services staff and
the warehouse use: one is cancelled (stock back, money back), one partly refunded, one partly
shipped, one shipped, one delivered, one flagged for customer service to look at. They are in
Swedish, French, Dutch and English, in SEK and EUR, for the demo shopper's account and for guests.

Deterministic by seed (which products, how many); added only when the store has no orders yet,
so running the demo twice adds nothing. The events they publish (stock levels for the listing,
the confirmation emails, what the other teams react to) are left in the outbox for the worker
that ``make demo`` starts next, unlike the demo catalog's: delivered here, the confirmation
emails would be printed by the console email backend over the staff logins.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from storeteam.accounts.models import User
from storeteam.catalog.models import Variant
from storeteam.checkout.services import (
    CheckoutDetails,
    cart_create,
    cart_line_set,
    checkout_place,
    order_cancel,
    order_refund,
    shipping_method_ensure,
)
from storeteam.demo.catalog import TAX_RATES
from storeteam.fulfilment.models import SandboxParcel, Shipment, ShipmentStatus
from storeteam.fulfilment.services import pack_scan, shipment_split, shipments_create_for_order
from storeteam.fulfilment.tracking import shipment_book_and_ship, tracking_refresh
from storeteam.inventory.selectors import salable_quantities
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.services import order_flag
from storeteam.payments.gateways.testgateway import CARD_SUCCEEDS
from storeteam.pricing.models import TaxRate, VariantPrice
from storeteam.pricing.services import tax_rates_set
from storeteam.returns.models import ReturnReason
from storeteam.returns.services import ReturnLineSpec, return_request

# How many variants (by id) the demo looks at for products to order: enough to find stocked,
# priced ones in any profile, few enough that the large profile costs nothing more.
CANDIDATES = 600


@dataclass(frozen=True)
class DemoShopper:
    name: str
    email: str  # "" for the demo shopper's own account
    country: str
    language: str
    currency: str
    line1: str
    postcode: str
    city: str


SHOPPERS = {
    "astrid": DemoShopper(
        "Astrid Lund", "", "SE", "sv", "SEK", "Drottninggatan 12", "111 51", "Stockholm"
    ),
    "johan": DemoShopper(
        "Johan Ek", "johan.ek@example.se", "SE", "sv", "SEK", "Storgatan 4", "411 38", "Göteborg"
    ),
    "emma": DemoShopper(
        "Emma Wilson",
        "emma.wilson@example.com",
        "SE",
        "en",
        "SEK",
        "Kungsgatan 8",
        "753 21",
        "Uppsala",
    ),
    "claire": DemoShopper(
        "Claire Moreau",
        "claire.moreau@example.fr",
        "FR",
        "fr",
        "EUR",
        "12 rue de la République",
        "69002",
        "Lyon",
    ),
    "hugo": DemoShopper(
        "Hugo Lefèvre",
        "hugo.lefevre@example.fr",
        "FR",
        "fr",
        "EUR",
        "3 place Bellecour",
        "69002",
        "Lyon",
    ),
    "sanne": DemoShopper(
        "Sanne de Boer",
        "sanne.deboer@example.nl",
        "NL",
        "nl",
        "EUR",
        "Heuvel 7",
        "5038 CS",
        "Tilburg",
    ),
    "ruben": DemoShopper(
        "Ruben Smit",
        "ruben.smit@example.nl",
        "NL",
        "nl",
        "EUR",
        "Oudegracht 101",
        "3511 AX",
        "Utrecht",
    ),
}

# (shopper, shipping method, number of lines, what happens after it is placed)
PLAN: tuple[tuple[str, str, int, str], ...] = (
    ("astrid", "postal", 2, "delivered"),
    ("johan", "express", 1, "shipped"),
    ("claire", "postal", 2, "partly_shipped"),
    ("sanne", "express", 2, "refunded_in_part"),
    ("hugo", "postal", 1, "cancelled"),
    ("emma", "postal", 1, "flagged"),
    ("ruben", "postal", 3, ""),
    ("astrid", "express", 1, ""),
    ("claire", "postal", 1, ""),
    ("johan", "postal", 3, ""),
    ("sanne", "postal", 1, ""),
    ("emma", "express", 2, ""),
)


@dataclass(frozen=True)
class DemoOrdersSummary:
    created: bool
    orders: int
    by_status: dict[str, int]
    seconds: float


def demo_shipping_ensure() -> None:
    """The demo's shipping methods (idempotent: updated in place on every run)."""
    shipping_method_ensure(
        code="postal",
        names={"en": "Postal parcel", "sv": "Postpaket", "fr": "Colis postal", "nl": "Postpakket"},
        rates={"SEK": ("49.00", "999.00"), "EUR": ("4.90", "89.00")},
        days=(2, 5),
        position=0,
    )
    shipping_method_ensure(
        code="express",
        names={
            "en": "Express, next working day",
            "sv": "Express, nästa vardag",
            "fr": "Express, jour ouvré suivant",
            "nl": "Express, volgende werkdag",
        },
        rates={"SEK": ("149.00", None), "EUR": ("14.90", None)},
        countries=["SE", "DK", "FI", "NL"],
        days=(1, 1),
        position=1,
    )


def _candidates(rng: random.Random) -> dict[str, list[int]]:
    """Published variants priced in both currencies, shuffled by the seed; per country those
    with at least 3 salable units there."""
    ids = list(
        Variant.objects.filter(product__is_published=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    priced: dict[int, int] = {}
    for variant_id in VariantPrice.objects.filter(
        variant_id__in=ids, price_list__is_default=True, price_list__currency__in=["SEK", "EUR"]
    ).values_list("variant_id", flat=True):
        priced[variant_id] = priced.get(variant_id, 0) + 1
    both = [i for i in ids if priced.get(i) == 2]
    rng.shuffle(both)
    by_country = {}
    for country in ("SE", "FR", "NL"):
        salable = salable_quantities(variant_ids=both, country=country)
        by_country[country] = [i for i in both if salable[i] >= 3]
    return by_country


def demo_orders_build(*, seed: int = 7, staff_actor: str = "demo") -> DemoOrdersSummary:
    """Create the demo shipping methods and, when the store has no orders yet, the demo orders
    (module docstring). ``staff_actor`` names who cancels, refunds and flags in their history."""
    started = time.monotonic()
    if not TaxRate.objects.filter(country__in=["SE", "FR", "NL"]).exists():
        tax_rates_set(rates=TAX_RATES)
    demo_shipping_ensure()
    if Order.objects.exists():
        return DemoOrdersSummary(False, Order.objects.count(), {}, 0.0)
    shopper_account = User.objects.filter(
        email="shopper@demo.storeteam.example", is_staff=False
    ).first()
    rng = random.Random(seed * 104729 + 3)  # noqa: S311 (demo data: reproducible by seed)
    candidates = _candidates(rng)
    used: dict[str, int] = dict.fromkeys(candidates, 0)
    by_status: dict[str, int] = {}
    for shopper_code, method, line_count, then in PLAN:
        shopper = SHOPPERS[shopper_code]
        pool = candidates[shopper.country]
        if len(pool) < line_count:
            continue  # a store with too little stock: fewer demo orders
        start = used[shopper.country]
        variant_ids = [pool[(start + i) % len(pool)] for i in range(line_count)]
        used[shopper.country] = start + line_count
        account = shopper_account if not shopper.email else None
        order = _place(shopper, account, method, variant_ids, rng)
        if order is None:
            continue
        order = _then(order, then, staff_actor)
        by_status[order.status] = by_status.get(order.status, 0) + 1
    return DemoOrdersSummary(True, sum(by_status.values()), by_status, time.monotonic() - started)


def _place(
    shopper: DemoShopper,
    account: User | None,
    method: str,
    variant_ids: list[int],
    rng: random.Random,
) -> Order | None:
    cart = cart_create(currency=shopper.currency, customer=account)
    for variant_id in variant_ids:
        cart = cart_line_set(
            cart=cart,
            variant_id=variant_id,
            quantity=rng.choice((1, 1, 1, 2)),
            country=shopper.country,
        )
    email = shopper.email or (account.email if account else "shopper@demo.storeteam.example")
    result = checkout_place(
        cart=cart,
        key=cart.checkout_key,
        details=CheckoutDetails(
            email=email,
            address={
                "name": shopper.name,
                "line1": shopper.line1,
                "postcode": shopper.postcode,
                "city": shopper.city,
                "country": shopper.country,
            },
            shipping_method=method,
            payment_method={"card_number": CARD_SUCCEEDS},
            gateway="test",
            phone="",
        ),
        language=shopper.language,
        customer=account,
    )
    return result.order if result.status == "completed" else None


def _ship(order: Order, lines: int | None = None) -> Order:
    """Pick, pack and ship the order's first ``lines`` lines (all when None) through the
    warehouse's own services: its parcels opened, the units scanned, the rest split off into a
    parcel still to pack, the packed parcel booked with the test carrier and shipped."""
    shipments = shipments_create_for_order(order_id=order.pk)
    wanted = {
        line.sku for line in (list(order.lines.all())[:lines] if lines else order.lines.all())
    }
    for shipment in shipments:
        packed = 0
        for line in shipment.lines.all():
            if line.sku in wanted:
                pack_scan(
                    shipment_id=shipment.pk, code=line.sku, quantity=line.quantity, actor="demo"
                )
                packed += 1
        if not packed:
            continue
        if packed < shipment.lines.count():
            shipment_split(shipment_id=shipment.pk, actor="warehouse:demo")
        shipment_book_and_ship(
            shipment_id=shipment.pk, carrier="test", service="parcel", actor="warehouse:demo"
        )
    order.refresh_from_db()
    return order


def _then(order: Order, then: str, staff_actor: str) -> Order:
    if order.status != OrderStatus.ALLOCATED:
        return order
    if then == "partly_shipped":
        return _ship(order, lines=1)
    if then == "shipped":
        return _ship(order)
    if then == "delivered":
        _ship(order)
        for shipment in Shipment.objects.filter(order=order, status=ShipmentStatus.SHIPPED):
            # the test carrier took it two days ago: its journey is over, delivered
            SandboxParcel.objects.filter(tracking_number=shipment.tracking_number).update(
                booked_at=timezone.now() - timedelta(days=2)
            )
            tracking_refresh(shipment=shipment)
        order.refresh_from_db()
        if order.status == OrderStatus.DELIVERED:
            # one return in progress: the customer sends back an item that runs small
            first = order.lines.first()
            assert first is not None
            return_request(
                order_id=order.pk,
                lines=[ReturnLineSpec(first.pk, 1, ReturnReason.TOO_SMALL)],
                requested_by="customer",
                customer_id=order.customer_id,
            )
        return order
    if then == "cancelled":
        return order_cancel(
            order_id=order.pk, actor=staff_actor, reason="The customer ordered the wrong size"
        )
    if then == "refunded_in_part":
        first = order.lines.first()
        assert first is not None
        return order_refund(
            order_id=order.pk,
            amount=first.unit_price,
            actor=staff_actor,
            note="One item arrived damaged; kept by the customer",
            idempotency_key=f"demo-refund-{order.number}",
        )
    if then == "flagged":
        return order_flag(
            order_id=order.pk,
            reason="The customer called: the delivery address lacks a door code",
            actor=staff_actor,
        )
    return order
