"""What placing an order costs the database, pinned so that a change that adds queries to the hot
path is seen (bench/checkout.py measures the time)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storeteam.checkout.services import (
    cart_line_set_by_token,
    cart_priced,
    checkout_place,
)
from storeteam.inventory.models import Reservation, StockMovement
from tests.checkout.fixtures import build_shop, cart_with, details

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def statements(ctx: CaptureQueriesContext) -> list[str]:
    """The statements sent, without the test transaction's savepoints (in production the
    outermost of them are BEGIN and COMMIT)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def test_an_order_of_two_lines_is_placed_in_a_fixed_number_of_statements(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    place = [cart_with(shop, {JACKET: 1, SHIRT: 2}) for _ in range(2)]
    checkout_place(cart=place[0], key=place[0].checkout_key, details=details(), language="en")

    with CaptureQueriesContext(connection) as ctx:
        result = checkout_place(
            cart=place[1], key=place[1].checkout_key, details=details(), language="en"
        )

    assert result.status == "completed"
    # Reading the attempt and the cart, pricing the cart, the attempt with its reservation, the
    # test gateway's sale (authorised and captured in one call, its provider side included) and
    # the order with its allocation: 48 statements besides BEGIN/COMMIT. History: 79 before the
    # path was tightened, 69 after; 72 once the storefront followed StockLevelsChanged (the
    # reservation's and the allocation's) and the warehouse OrderAllocated (one delivery row
    # each); 56 since the checkout takes the money as a sale instead of authorising, then
    # capturing in a second provider call: that call's 16 statements are gone (reading the
    # payment and the key, the claim, its attempt, the provider side's six, the answer applied
    # under the row lock with its transition, and one payment event with its delivery row:
    # PaymentCaptured now comes instead of PaymentAuthorised, not after it); 50 since the cart
    # is priced in three precompiled statements instead of seven and the reservation reads
    # neither an earlier one with its key nor the SKUs before it writes; 49 since the payment's
    # idempotency key is checked by its unique index, not read first; 48 since the test
    # gateway's provider side numbers a new charge's first message as it creates the charge; 47
    # since the cart and any attempt with the key are read together. On PostgreSQL an event and
    # its delivery rows are one statement, so the five events with handlers take five fewer: 42.
    assert len(statements(ctx)) == (42 if connection.vendor == "postgresql" else 47)


def test_a_line_already_sold_out_fails_without_locking_stock(deliver_events: Any) -> None:
    shop = build_shop(deliver_events, stock=1)
    first = cart_with(shop, {JACKET: 1})
    late = cart_with(shop, {JACKET: 1})
    assert checkout_place(
        cart=first, key=first.checkout_key, details=details(), language="en"
    ).status == ("completed")

    with CaptureQueriesContext(connection) as ctx:
        result = checkout_place(cart=late, key=late.checkout_key, details=details(), language="en")

    assert (result.status, result.code, result.message) == (
        "failed",
        "sold_out",
        f"{JACKET} is sold out",
    )
    assert not any("FOR UPDATE" in sql for sql in statements(ctx))
    assert Reservation.objects.count() == 1
    assert StockMovement.objects.filter(reference=late.checkout_key).count() == 0
    late.refresh_from_db()
    assert late.checkout_key != result.key  # the shopper may try again


def test_a_cart_is_priced_and_changed_in_a_fixed_number_of_statements(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    warm = cart_with(shop, {JACKET: 1})
    cart_priced(cart=warm, language="sv", country="SE", shipping_method="postal")
    cart = cart_with(shop, {JACKET: 1, SHIRT: 2})

    # Pricing: the lines with their names, prices, VAT rates and stock; their variant labels;
    # the shipping rates. Three statements however many lines.
    with CaptureQueriesContext(connection) as ctx:
        priced = cart_priced(cart=cart, language="sv", country="SE", shipping_method="postal")
    assert len(statements(ctx)) == 3
    assert [(line.sku, line.quantity) for line in priced.lines] == [(JACKET, 1), (SHIRT, 2)]
    assert all(line.unit_price and line.tax_rate == Decimal("0.2500") for line in priced.lines)
    assert priced.shipping is not None

    # Changing a line as the API does: the open cart found and locked by its token in one read,
    # the variant with its price and stock, the cart's lines, the line's insert (or update) and
    # the new checkout key. Five statements, a new line or not (it was seven for a new line).
    for sku, quantity in (("FIELD-SHIRT-L", 1), (SHIRT, 1)):
        with CaptureQueriesContext(connection) as ctx:
            changed = cart_line_set_by_token(
                token=str(cart.token),
                customer=None,
                variant_id=shop.variants[sku],
                quantity=quantity,
                country="SE",
            )
        assert changed is not None
        assert len(statements(ctx)) == 5
    lines = cart_priced(cart=cart, language="sv", country="SE").lines
    assert [(line.sku, line.quantity) for line in lines] == [
        (JACKET, 1),
        (SHIRT, 1),
        ("FIELD-SHIRT-L", 1),
    ]
