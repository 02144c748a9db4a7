"""Placing an order (I2, I3, S10): one idempotent operation from cart to paid, allocated order;
sold-out and declined checkouts leave nothing behind; late payments finish their checkout."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from storeteam.checkout.choices import AttemptStatus, CartStatus
from storeteam.checkout.errors import CartChangedError, CartLineError, CheckoutInputError
from storeteam.checkout.models import Cart, CheckoutAttempt
from storeteam.checkout.services import (
    cart_create,
    cart_line_add,
    cart_merge,
    cart_priced,
    checkout_place,
    checkout_reconcile,
    checkout_status,
    order_cancel,
    order_refund,
)
from storeteam.core.models import OutboxEvent
from storeteam.inventory.models import Reservation
from storeteam.inventory.selectors import salable_quantity
from storeteam.inventory.services import reservations_expire
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.payments.choices import PaymentState
from storeteam.payments.gateways.testgateway import (
    CARD_ANSWER_LOST,
    CARD_DECLINED,
    CARD_REQUIRES_ACTION,
    sandbox_confirm,
)
from storeteam.payments.models import Payment, SandboxRequest
from storeteam.payments.services import payments_reconcile
from tests.checkout.fixtures import SWEDISH_ADDRESS, build_shop, cart_with, details
from tests.inventory.fixtures import assert_ledger_balances
from tests.payments.helpers import pending_webhooks, send

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def place(cart: Cart, **kwargs: Any) -> Any:
    return checkout_place(
        cart=cart, key=cart.checkout_key, details=details(**kwargs), language="sv"
    )


def test_an_order_is_priced_paid_and_allocated(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1, SHIRT: 2})

    result = place(cart)

    assert result.status == "completed", result.message
    order = result.order
    assert order is not None
    assert order.status == OrderStatus.ALLOCATED
    # 1200 + 2 x 450 = 2100 SEK, over the free-shipping threshold of 1000
    assert (order.subtotal, order.shipping_total, order.total) == (
        Decimal("2100.00"),
        Decimal("0.00"),
        Decimal("2100.00"),
    )
    assert order.tax_total == Decimal("420.00")  # 25 % Swedish VAT inside 2100
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        (JACKET, 1, Decimal("1200.00")),
        (SHIRT, 2, Decimal("450.00")),
    ]
    assert [h.to_status for h in order.history.all()] == ["placed", "paid", "allocated"]
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == order.total
    # One provider call took the money (a sale): no separate capture, no authorised step.
    assert list(payment.attempts.values_list("operation", "outcome")) == [
        ("authorise", "succeeded")
    ]
    assert payment.attempts.get().request["capture"] is True
    assert list(payment.transitions.values_list("from_state", "to_state")) == [
        ("created", "captured")
    ]
    assert SandboxRequest.objects.filter(operation="capture").count() == 0
    assert not OutboxEvent.objects.filter(name="payments.PaymentAuthorised").exists()
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 19
    assert Cart.objects.get(pk=cart.pk).status == CartStatus.ORDERED
    names = list(
        OutboxEvent.objects.filter(name__startswith="orders.")
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["orders.OrderPlaced", "orders.OrderPaid", "orders.OrderAllocated"]
    assert_ledger_balances()


def test_the_same_key_never_makes_two_orders_or_two_charges(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})

    first = place(cart)
    again = place(cart)  # a double click, a retry after a timeout, a second tab

    assert first.order == again.order
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Reservation.objects.count() == 1


def test_a_cart_changed_since_the_checkout_opened_is_not_ordered(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    stale_key = cart.checkout_key
    cart_line_add(cart=cart, variant_id=shop.variants[SHIRT])  # in another tab

    with pytest.raises(CartChangedError):
        checkout_place(cart=cart, key=stale_key, details=details(), language="en")
    assert not CheckoutAttempt.objects.exists()


def test_a_declined_card_charges_nothing_holds_nothing_and_can_be_retried(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 2})

    declined = place(cart, card=CARD_DECLINED)

    assert declined.status == "failed"
    assert declined.code == "payment_declined"
    assert "declined" in declined.message
    assert not Order.objects.exists()
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 20
    cart.refresh_from_db()
    assert cart.checkout_key != declined.key  # the shopper may try again

    retried = place(cart)
    assert retried.status == "completed"
    assert Order.objects.count() == 1
    assert_ledger_balances()


def test_a_sold_out_line_is_named_and_nothing_is_charged(deliver_events: Any) -> None:
    shop = build_shop(deliver_events, stock=1)  # one in each of three warehouses
    cart = cart_with(shop, {JACKET: 1})
    cart.lines.update(quantity=3)  # more than Sweden's warehouse has (another buyer was quicker)
    cart.refresh_from_db()

    result = place(cart)

    assert result.status == "failed"
    assert result.code == "sold_out"
    assert JACKET in result.message
    assert not Payment.objects.exists()
    assert not Reservation.objects.exists()  # nothing was held
    assert_ledger_balances()


def test_bad_details_are_named_by_field_and_nothing_is_written(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    address = {**SWEDISH_ADDRESS, "postcode": "ABC", "city": ""}

    with pytest.raises(CheckoutInputError) as error:
        place(cart, email="not-an-email", address=address)

    assert set(error.value.problems) == {"email", "postcode", "city"}
    assert not CheckoutAttempt.objects.exists()
    assert not Reservation.objects.exists()


def test_a_country_no_warehouse_serves_is_refused(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    with pytest.raises(CheckoutInputError) as error:
        place(cart, address={**SWEDISH_ADDRESS, "country": "US", "postcode": "10001"})
    assert set(error.value.problems) == {"country"}


def test_express_is_offered_only_where_it_delivers(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {SHIRT: 1}, currency="EUR")
    in_france = cart_priced(cart=cart, language="fr", country="FR")
    in_sweden = cart_priced(cart=cart, language="sv", country="SE", shipping_method="express")
    assert [o.code for o in in_france.shipping_options] == ["postal"]
    assert [o.code for o in in_sweden.shipping_options] == ["postal", "express"]
    assert in_sweden.total == Decimal("45.00") + Decimal("12.90")


def test_a_bank_confirmation_arriving_by_webhook_finishes_the_order(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})

    result = place(cart, card=CARD_REQUIRES_ACTION)
    assert result.status == "awaiting_payment"
    assert result.payment_provider_id
    assert not Order.objects.exists()

    sandbox_confirm(provider_id=result.payment_provider_id)
    hooks = pending_webhooks(result.payment_provider_id)
    # the bank's confirmation of a sale is the capture: PaymentCaptured completes the checkout
    assert [hook.event_type for hook in hooks] == ["payment.requires_action", "payment.captured"]
    send(hooks)
    send(hooks)  # providers repeat themselves
    deliver_events()

    status = checkout_status(key=result.key)
    assert status is not None
    assert status.status == "completed"
    assert Order.objects.get().status == OrderStatus.ALLOCATED
    payment = Payment.objects.get()
    assert payment.state == PaymentState.CAPTURED
    assert list(payment.transitions.values_list("from_state", "to_state")) == [
        ("created", "requires_action"),
        ("requires_action", "captured"),
    ]
    assert SandboxRequest.objects.filter(operation="capture").count() == 0
    assert_ledger_balances()


def test_a_bank_that_refuses_later_releases_the_stock(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    result = place(cart, card=CARD_REQUIRES_ACTION)

    sandbox_confirm(provider_id=result.payment_provider_id, succeed=False)
    send(pending_webhooks(result.payment_provider_id))
    deliver_events()

    status = checkout_status(key=result.key)
    assert status is not None
    assert status.status == "failed"
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 20
    assert not Order.objects.exists()


def test_a_lost_payment_answer_is_found_and_the_order_made(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})

    result = place(cart, card=CARD_ANSWER_LOST)
    assert result.status == "processing"
    assert not Order.objects.exists()

    later = timezone.now() + timedelta(minutes=10)
    payments_reconcile(now=later)  # the payment is looked up at the provider: captured
    assert Payment.objects.get().state == PaymentState.CAPTURED
    deliver_events()  # PaymentCaptured finishes the checkout

    assert Order.objects.get().status == OrderStatus.ALLOCATED
    assert checkout_reconcile(now=later).completed == 0  # nothing left to do
    assert_ledger_balances()


def test_a_worker_stopped_between_payment_and_order_is_repaired(
    deliver_events: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})

    import storeteam.checkout.services as services

    def worker_dies(**kwargs: Any) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(services, "checkout_complete", worker_dies)
    with pytest.raises(SystemExit):
        place(cart)
    monkeypatch.undo()
    # the money was taken (a sale) before the worker died, and no order made
    assert Payment.objects.get().state == PaymentState.CAPTURED
    assert not Order.objects.exists()

    report = checkout_reconcile(now=timezone.now() + timedelta(minutes=5))

    assert report.completed == 1
    order = Order.objects.get()
    assert order.status == OrderStatus.ALLOCATED
    payment = Payment.objects.get()
    assert (order.payment_id, payment.state) == (payment.pk, PaymentState.CAPTURED)
    assert list(payment.attempts.values_list("operation", flat=True)) == ["authorise"]
    assert checkout_reconcile(now=timezone.now() + timedelta(minutes=5)).completed == 0
    assert_ledger_balances()


def test_a_sale_confirmed_after_the_stock_ran_out_is_cancelled_and_refunded(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events, stock=1)  # one jacket for Sweden
    cart = cart_with(shop, {JACKET: 1})
    result = place(cart, card=CARD_REQUIRES_ACTION)
    assert result.status == "awaiting_payment"
    # given the bank takes so long that the hold on the jacket expires and another shopper
    # buys it
    Reservation.objects.filter(key=result.key).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert reservations_expire() == 1
    assert place(cart_with(shop, {JACKET: 1})).status == "completed"

    # when the shopper confirms and the provider captures the money
    sandbox_confirm(provider_id=result.payment_provider_id)
    send(pending_webhooks(result.payment_provider_id))
    deliver_events()

    # then the order that cannot be filled is cancelled and its money given back in full
    order = Order.objects.get(reference=result.key)
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_total == order.total
    assert list(order.history.values_list("kind", "to_status")) == [
        ("placed", "placed"),
        ("paid", "paid"),
        ("flagged", "paid"),
        ("cancelled", "cancelled"),
        ("refund", "refunded"),
    ]
    assert "the stock ran out" in order.attention_reason
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.state == PaymentState.REFUNDED
    assert payment.refunded_amount == payment.captured_amount == order.total
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 0  # not oversold
    assert Order.objects.filter(status=OrderStatus.ALLOCATED).count() == 1
    assert_ledger_balances()


def test_a_payment_only_authorised_is_captured_before_its_order_is_made(
    deliver_events: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout whose payment was authorised without capture (one placed before the checkout
    took sales, still waiting on the bank at the upgrade) is captured by checkout_complete."""
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    import storeteam.checkout.services as services

    sale = services.payment_authorise

    def authorise_only(**kwargs: Any) -> Payment:
        return sale(**{**kwargs, "capture": False})

    monkeypatch.setattr(services, "payment_authorise", authorise_only)
    result = place(cart, card=CARD_REQUIRES_ACTION)
    monkeypatch.undo()
    sandbox_confirm(provider_id=result.payment_provider_id)
    hooks = pending_webhooks(result.payment_provider_id)
    assert [hook.event_type for hook in hooks] == ["payment.requires_action", "payment.authorised"]
    send(hooks)
    deliver_events()  # PaymentAuthorised: checkout_complete captures, then makes the order

    order = Order.objects.get()
    assert order.status == OrderStatus.ALLOCATED
    payment = Payment.objects.get()
    assert payment.state == PaymentState.CAPTURED
    assert list(payment.attempts.values_list("operation", "idempotency_key")) == [
        ("authorise", f"{result.key}:authorise"),
        ("capture", f"{result.key}:capture"),
    ]
    assert list(payment.transitions.values_list("to_state", flat=True)) == [
        "requires_action",
        "authorised",
        "captured",
    ]
    assert SandboxRequest.objects.filter(operation="capture").count() == 1
    assert_ledger_balances()


def test_a_checkout_that_stopped_before_paying_gives_its_stock_back(
    deliver_events: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop(deliver_events)
    cart = cart_with(shop, {JACKET: 1})
    import storeteam.checkout.services as services

    def worker_dies(**kwargs: Any) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(services, "payment_authorise", worker_dies)
    with pytest.raises(SystemExit):
        place(cart)
    monkeypatch.undo()
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 19

    report = checkout_reconcile(now=timezone.now() + timedelta(minutes=30))

    assert report.failed == 1
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 20
    assert CheckoutAttempt.objects.get().status == AttemptStatus.FAILED


def test_a_payment_no_checkout_accounts_for_is_flagged(deliver_events: Any) -> None:
    from storeteam.payments.services import payment_authorise

    build_shop(deliver_events)
    stray = payment_authorise(
        reference="not-a-checkout",
        amount="10.00",
        currency="EUR",
        method={"card_number": "4242424242424242"},
        idempotency_key="stray-1",
    )

    report = checkout_reconcile(now=timezone.now() + timedelta(minutes=5))

    assert report.flagged_payments == 1
    assert Payment.objects.get(pk=stray.pk).needs_attention


def test_the_confirmation_email_is_sent_once_in_the_customers_language(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    result = place(cart_with(shop, {JACKET: 1}))
    assert result.order is not None
    mail.outbox.clear()

    deliver_events()
    deliver_events()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["astrid@example.com"]
    assert result.order.number in message.subject
    assert "Tack för din beställning" in message.body
    assert f"/orders/{result.order.reference}/" in message.body


def test_cancelling_gives_back_stock_and_money(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = place(cart_with(shop, {JACKET: 1})).order
    assert order is not None

    cancelled = order_cancel(order_id=order.pk, actor="staff:1", reason="customer asked")
    again = order_cancel(order_id=order.pk, actor="staff:1", reason="customer asked")

    assert cancelled.status == OrderStatus.REFUNDED
    assert again.refunded_total == order.total
    assert Payment.objects.get().state == PaymentState.REFUNDED
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 20
    assert_ledger_balances()


def test_a_partial_refund_is_recorded_once(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = place(cart_with(shop, {JACKET: 1, SHIRT: 1})).order
    assert order is not None

    once = order_refund(
        order_id=order.pk,
        amount="450.00",
        actor="staff:1",
        note="shirt returned",
        idempotency_key="refund-form-1",
    )
    twice = order_refund(
        order_id=order.pk,
        amount="450.00",
        actor="staff:1",
        note="shirt returned",
        idempotency_key="refund-form-1",
    )

    assert once.refunded_total == twice.refunded_total == Decimal("450.00")
    assert twice.status == OrderStatus.ALLOCATED
    assert Payment.objects.get().state == PaymentState.PARTIALLY_REFUNDED


def test_cart_quantities_are_checked_against_salable_stock(deliver_events: Any) -> None:
    shop = build_shop(deliver_events, stock=2)
    cart = cart_create(currency="SEK")
    with pytest.raises(CartLineError) as error:
        cart_line_add(cart=cart, variant_id=shop.variants[JACKET], quantity=3, country="SE")
    assert "Only 2 are left" in error.value.message
    with pytest.raises(CartLineError):
        cart_line_add(cart=cart, variant_id=shop.variants[JACKET], quantity=0)


def test_a_guest_cart_is_merged_into_the_customers_at_sign_in(
    deliver_events: Any, customer: Any
) -> None:
    shop = build_shop(deliver_events)
    mine = cart_create(currency="SEK", customer=customer)
    cart_line_add(cart=mine, variant_id=shop.variants[JACKET], quantity=1)
    guest = cart_with(shop, {JACKET: 2, SHIRT: 1})

    merged = cart_merge(token=str(guest.token), customer=customer)

    assert merged is not None
    assert merged.pk == mine.pk
    assert dict(merged.lines.values_list("variant__sku", "quantity")) == {JACKET: 3, SHIRT: 1}
    assert Cart.objects.get(pk=guest.pk).status == CartStatus.MERGED


def test_a_refund_reported_twice_is_recorded_once(deliver_events: Any) -> None:
    from storeteam.orders.services import order_refund_record

    shop = build_shop(deliver_events)
    order = place(cart_with(shop, {JACKET: 1, SHIRT: 1})).order
    assert order is not None

    first = order_refund_record(
        order_id=order.pk, amount=Decimal("450.00"), actor="staff:1", refund_id=77
    )
    second = order_refund_record(
        order_id=order.pk, amount=Decimal("450.00"), actor="staff:2", refund_id=77
    )

    assert first.refunded_total == second.refunded_total == Decimal("450.00")
    assert order.history.filter(kind="refund").count() == 1


def test_a_refund_made_on_the_payments_page_reaches_the_order(deliver_events: Any) -> None:
    """Finance refunds from the payment itself (not from the order): the order learns it from
    PaymentRefunded, once, however often the event is delivered; a later refund from the order
    is counted on top, not instead."""
    from storeteam.checkout.services import order_refund_settled
    from storeteam.payments.services import payment_refund

    shop = build_shop(deliver_events)
    order = place(cart_with(shop, {JACKET: 1, SHIRT: 1})).order
    assert order is not None
    refund = payment_refund(
        payment_id=order.payment_id,
        amount="100.00",
        reason="goodwill, late parcel",
        idempotency_key="payments-page-1",
    )
    deliver_events()
    order.refresh_from_db()
    assert order.refunded_total == Decimal("100.00")
    assert order.status == OrderStatus.ALLOCATED
    # the same refund reported again (a redelivered event) changes nothing
    order_refund_settled(reference=order.reference, refund_id=refund.pk, amount=refund.amount)
    order.refresh_from_db()
    assert order.refunded_total == Decimal("100.00")
    assert order.history.filter(kind="refund").count() == 1

    order_refund(
        order_id=order.pk,
        amount=str(order.total - Decimal("100.00")),
        actor="staff:1",
        note="rest",
        idempotency_key="order-form-2",
    )
    deliver_events()
    order.refresh_from_db()
    assert order.refunded_total == order.total
    assert order.status == OrderStatus.REFUNDED
    assert order.history.filter(kind="refund").count() == 2
    assert not order.needs_attention


def test_a_refund_the_order_cannot_take_flags_it(deliver_events: Any) -> None:
    from storeteam.checkout.services import order_refund_settled

    shop = build_shop(deliver_events)
    order = place(cart_with(shop, {JACKET: 1})).order
    assert order is not None
    order_refund_settled(reference=order.reference, refund_id=991, amount=order.total + 1)
    order.refresh_from_db()
    assert order.refunded_total == 0
    assert order.needs_attention
    assert "991" in order.attention_reason
    assert order_refund_settled(reference="no-such-key", refund_id=1, amount=Decimal(1)) is None
