"""Concurrent checkouts on real connections (I2, S10): the whole place-order path, not only the
reservation. Run on SQLite and on PostgreSQL by `make test`. Many buyers for the last units get
exactly the units there are, the others a "sold out" result; one key sent many times at once is
one order and one payment; and a buyer who saw the unit before another bought it is told it is
gone (ADR 0005, ADR 0007)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from storeteam.checkout.choices import AttemptStatus
from storeteam.checkout.models import Cart, CheckoutAttempt
from storeteam.checkout.services import CheckoutResult, checkout_place, checkout_status
from storeteam.inventory.checkpoints import checkpoint_hook
from storeteam.inventory.models import Stock
from storeteam.inventory.selectors import salable_quantity
from storeteam.orders.models import Order
from storeteam.payments.choices import PaymentState
from storeteam.payments.models import Payment
from tests.checkout.fixtures import build_shop, cart_with, details
from tests.inventory.fixtures import assert_ledger_balances
from tests.inventory.test_concurrency import Pause, run_in_threads, start

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 50
UNITS = 10
JACKET = "WOOL-JACKET-M"


def place(cart: Cart, key: str | None = None) -> CheckoutResult:
    return checkout_place(cart=cart, key=key or cart.checkout_key, details=details(), language="en")


def assert_stock_and_money_agree() -> None:
    """No stock row below zero or over-committed; no money taken without its order; the ledger
    explains every row, and `storeteam stock-audit` agrees."""
    bad = Stock.objects.filter(
        Q(on_hand__lt=0)
        | Q(reserved__lt=0)
        | Q(allocated__lt=0)
        | Q(on_hand__lt=F("reserved") + F("allocated"))
    )
    assert list(bad) == []
    captured = set(
        Payment.objects.filter(state=PaymentState.CAPTURED).values_list("reference", flat=True)
    )
    assert captured <= set(Order.objects.values_list("reference", flat=True))
    assert_ledger_balances()
    call_command("stock-audit", verbosity=0)  # raises CommandError on drift


def test_fifty_buyers_for_the_last_ten_units_get_ten_orders(deliver_events: Any) -> None:
    # given: 10 jackets in the one warehouse that serves Sweden, and 50 shoppers with a cart each
    shop = build_shop(deliver_events, stock=UNITS)
    carts = [cart_with(shop, {JACKET: 1}) for _ in range(BUYERS)]

    # when: all of them place their order at the same moment, each on its own connection
    results = run_in_threads(
        {f"buyer-{n}": (lambda c=cart: place(c)) for n, cart in enumerate(carts)}
    )

    # then: exactly ten orders; every other buyer is told it is sold out, nothing raised
    raised = [r for r in results.values() if not isinstance(r, CheckoutResult)]
    assert raised == []
    outcomes = Counter((r.status, r.code) for r in results.values())
    assert outcomes == {("completed", ""): UNITS, ("failed", "sold_out"): BUYERS - UNITS}
    assert all(
        r.message == f"{JACKET} is sold out" for r in results.values() if r.status == "failed"
    )
    assert Order.objects.count() == UNITS
    assert Payment.objects.count() == UNITS  # the losers never reached the payment provider
    assert Payment.objects.filter(state=PaymentState.CAPTURED).count() == UNITS
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 0
    allocated = Stock.objects.filter(variant_id=shop.variants[JACKET]).values_list("allocated")
    assert sum(n for (n,) in allocated) == UNITS
    assert_stock_and_money_agree()


def test_one_key_sent_ten_times_at_once_is_one_order_and_one_payment(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 2})
    key = cart.checkout_key

    results = run_in_threads({f"tab-{n}": (lambda: place(cart, key)) for n in range(10)})

    raised = [r for r in results.values() if not isinstance(r, CheckoutResult)]
    assert raised == []
    # the first to arrive places it; a repeat arriving meanwhile is told it is under way
    assert {r.status for r in results.values()} <= {"completed", "processing"}
    assert {r.key for r in results.values()} == {key}
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert CheckoutAttempt.objects.get().status == AttemptStatus.COMPLETED
    status = checkout_status(key=key)
    assert status is not None
    assert status.order == Order.objects.get()
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 18
    assert_stock_and_money_agree()


def test_a_buyer_who_saw_the_last_unit_is_told_another_bought_it(deliver_events: Any) -> None:
    # given: one jacket left; buyer A's cart was priced with it available (1 salable) ...
    shop = build_shop(deliver_events, stock=1)
    cart_a = cart_with(shop, {JACKET: 1})
    cart_b = cart_with(shop, {JACKET: 1})
    pause = Pause("buyer-a")
    results: dict[str, Any] = {}

    with checkpoint_hook("checkout.priced", pause):
        a = start("buyer-a", lambda: place(cart_a), results)
        assert pause.reached.wait(timeout=30)
        # ... and while A is paused there, buyer B places the order to the end
        b = start("buyer-b", lambda: place(cart_b), results)
        b.join(timeout=60)
        assert results["buyer-b"].status == "completed"
        pause.go.set()
        a.join(timeout=60)

    # then: A's reservation, taken under the stock row's lock, sees the unit gone
    refused = results["buyer-a"]
    assert isinstance(refused, CheckoutResult)
    assert (refused.status, refused.code) == ("failed", "sold_out")
    assert refused.message == f"{JACKET} is sold out"
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert_stock_and_money_agree()
