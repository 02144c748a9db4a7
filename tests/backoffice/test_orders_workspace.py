"""The order workspace (I3, S10, S12, C4): customer service finds orders by number, email, status
and date; sees an order with its lines, payment, allocations and history; cancels (stock back,
money back), refunds once however often the form is sent, notes; and nobody else can."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from storeteam.checkout.services import checkout_place
from storeteam.core.models import AuditEntry
from storeteam.inventory.selectors import salable_quantity
from storeteam.inventory.services import StockLine, allocation_ship
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.services import order_flag, order_shipment_record
from storeteam.payments.choices import PaymentState
from storeteam.payments.models import Payment, Refund
from tests.checkout.fixtures import Shop, build_shop, cart_with, details
from tests.factories import StaffFactory
from tests.inventory.fixtures import assert_ledger_balances

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def place(shop: Shop, lines: dict[str, int], *, email: str = "astrid@example.com") -> Order:
    cart = cart_with(shop, lines)
    result = checkout_place(
        cart=cart, key=cart.checkout_key, details=details(email=email), language="sv"
    )
    assert result.status == "completed", result.message
    assert result.order is not None
    return result.order


def signed_in(role: str) -> tuple[Client, Any]:
    member = StaffFactory(role=role)
    client = Client()
    client.force_login(member)
    return client, member


def numbers(response: Any) -> list[str]:
    return re.findall(r'href="/staff/orders/\d+/">(\d+)</a>', response.content.decode())


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def test_orders_are_found_by_number_email_status_and_date(shop: Shop) -> None:
    # given three orders, one of them placed last week and one cancelled
    astrid = place(shop, {JACKET: 1})
    bram = place(shop, {SHIRT: 1}, email="bram@example.nl")
    old = place(shop, {SHIRT: 2}, email="claire@example.fr")
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=7))
    client, _agent = signed_in("customer_service_agent")
    client.post(
        f"/staff/orders/{bram.pk}/cancel/", {"reason": "changed their mind", "confirm": "on"}
    )
    today = timezone.localdate()

    # when / then
    everything = client.get("/staff/orders/")
    assert everything.status_code == 200
    assert numbers(everything) == [bram.number, astrid.number, old.number]
    assert numbers(client.get("/staff/orders/", {"q": astrid.number})) == [astrid.number]
    assert numbers(client.get("/staff/orders/", {"q": f"#{astrid.number}"})) == [astrid.number]
    assert numbers(client.get("/staff/orders/", {"q": "BRAM@example.nl"})) == [bram.number]
    assert numbers(client.get("/staff/orders/", {"q": "claire"})) == [old.number]
    assert numbers(client.get("/staff/orders/", {"status": "refunded"})) == [bram.number]
    assert numbers(client.get("/staff/orders/", {"placed_from": today.isoformat()})) == [
        bram.number,
        astrid.number,
    ]
    last_week = (today - timedelta(days=3)).isoformat()
    assert numbers(client.get("/staff/orders/", {"placed_to": last_week})) == [old.number]
    assert numbers(client.get("/staff/orders/", {"q": "nobody@example.com"})) == []
    backwards = client.get(
        "/staff/orders/", {"placed_from": today.isoformat(), "placed_to": last_week}
    )
    assert "The end date is before the start date." in backwards.content.decode()


def test_orders_to_look_at_come_first_and_can_be_listed_alone(shop: Shop) -> None:
    first = place(shop, {JACKET: 1})
    second = place(shop, {SHIRT: 1})
    order_flag(order_id=first.pk, reason="Address looks wrong")
    client, _agent = signed_in("customer_service_agent")

    listed = client.get("/staff/orders/")
    assert numbers(listed) == [first.number, second.number]
    assert "To look at" in listed.content.decode()
    assert numbers(client.get("/staff/orders/", {"attention": "1"})) == [first.number]
    home = client.get("/staff/").content.decode()
    assert 'href="/staff/orders/"' in home
    assert "1 order to look at" in home


def test_the_list_is_paginated(shop: Shop, monkeypatch: Any) -> None:
    from storeteam.backoffice import orders_views

    monkeypatch.setattr(orders_views, "PAGE_SIZE", 2)
    placed = [place(shop, {SHIRT: 1}) for _ in range(3)]
    client, _agent = signed_in("customer_service_agent")

    first = client.get("/staff/orders/", {"status": "allocated"})
    second = client.get("/staff/orders/", {"status": "allocated", "page": "2"})

    assert numbers(first) == [placed[2].number, placed[1].number]
    assert "Page 1 of 2" in first.content.decode()
    assert "status=allocated" in first.content.decode()
    assert numbers(second) == [placed[0].number]


def test_an_order_shows_lines_totals_payment_allocations_and_history(shop: Shop) -> None:
    order = place(shop, {JACKET: 1, SHIRT: 2})
    client, agent = signed_in("customer_service_agent")
    client.post(f"/staff/orders/{order.pk}/note/", {"note": "Customer called about delivery"})

    page = client.get(f"/staff/orders/{order.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Order {order.number}" in html
    assert JACKET in html
    assert SHIRT in html
    assert "2100.00 SEK" in html  # total
    assert "420.00 SEK" in html  # of which VAT, 25 %
    assert "Drottninggatan 1" in html
    assert "Postpaket" in html  # named in the language the customer ordered in
    assert "Captured" in html
    assert f'href="/staff/payments/{order.payment_id}/"' in html  # agents may see payments
    assert "Stockholm" in html  # the allocation's warehouse
    history = page.context["history"]
    assert [(h["what"], h["to_status"]) for h in history] == [
        ("Placed", "Placed"),
        ("Paid", "Paid"),
        ("Allocated", "Allocated"),
        ("Note", "Allocated"),
    ]
    assert history[-1]["who"] == agent.get_full_name()
    assert history[-1]["note"] == "Customer called about delivery"
    assert AuditEntry.objects.filter(action="order.note", actor_id=agent.pk).count() == 1


def test_the_payment_link_is_only_for_those_who_may_see_payments(shop: Shop) -> None:
    order = place(shop, {SHIRT: 1})
    client, _logistics = signed_in("logistics_manager")

    html = client.get(f"/staff/orders/{order.pk}/").content.decode()

    assert "/staff/payments/" not in html
    assert "Cancel order" not in html  # may see, not change


def test_cancelling_puts_the_stock_back_and_refunds_the_customer(shop: Shop) -> None:
    order = place(shop, {JACKET: 2})
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 18
    client, agent = signed_in("customer_service_agent")

    page = client.get(f"/staff/orders/{order.pk}/").content.decode()
    assert "Cancelling puts the stock back on the shelves" in page
    response = client.post(
        f"/staff/orders/{order.pk}/cancel/",
        {"reason": "Customer ordered twice", "confirm": "on"},
        follow=True,
    )

    assert f"Order {order.number} is cancelled" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED  # captured money went back in full
    assert order.refunded_total == order.total
    assert Payment.objects.get(pk=order.payment_id).state == PaymentState.REFUNDED
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 20
    steps = list(order.history.values_list("kind", "actor", "note"))
    assert ("cancelled", f"staff:{agent.pk}", "Customer ordered twice") in steps
    entry = AuditEntry.objects.get(action="order.cancel")
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        agent.pk,
        str(order.pk),
        "Customer ordered twice",
    )
    assert entry.before["status"] == "allocated"
    assert entry.after["status"] == "refunded"
    assert_ledger_balances()


def test_cancelling_needs_a_reason_and_the_confirmation(shop: Shop) -> None:
    order = place(shop, {JACKET: 1})
    client, _agent = signed_in("customer_service_agent")

    unconfirmed = client.post(f"/staff/orders/{order.pk}/cancel/", {"reason": "asked"})
    no_reason = client.post(f"/staff/orders/{order.pk}/cancel/", {"confirm": "on"})

    assert unconfirmed.status_code == no_reason.status_code == 400
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED
    assert not AuditEntry.objects.filter(action="order.cancel").exists()


def test_a_shipped_order_cannot_be_cancelled_and_says_why(shop: Shop) -> None:
    order = place(shop, {SHIRT: 1})
    allocation_ship(reference=order.number, lines=[StockLine(shop.variants[SHIRT], 1)])
    order_shipment_record(order_id=order.pk, quantities={SHIRT: 1}, actor="warehouse")
    client, _agent = signed_in("customer_service_agent")

    assert "Cancel order" not in client.get(f"/staff/orders/{order.pk}/").content.decode()
    response = client.post(
        f"/staff/orders/{order.pk}/cancel/", {"reason": "too late", "confirm": "on"}
    )

    assert response.status_code == 400
    assert "only orders not yet shipped can be cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def refund_key(client: Client, order: Order) -> str:
    html = client.get(f"/staff/orders/{order.pk}/").content.decode()
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_a_refund_form_sent_twice_refunds_once(shop: Shop) -> None:
    order = place(shop, {JACKET: 1, SHIRT: 1})
    client, agent = signed_in("customer_service_agent")
    form = {
        "amount": "450.00",
        "note": "Shirt came back",
        "confirm": "on",
        "idempotency_key": refund_key(client, order),
    }

    first = client.post(f"/staff/orders/{order.pk}/refund/", form, follow=True)
    again = client.post(f"/staff/orders/{order.pk}/refund/", form, follow=True)

    assert "450.00 SEK was refunded." in first.content.decode()
    assert "This refund was already made" in again.content.decode()
    order.refresh_from_db()
    assert order.refunded_total == Decimal("450.00")
    assert order.status == OrderStatus.ALLOCATED
    assert Refund.objects.count() == 1
    assert Payment.objects.get(pk=order.payment_id).state == PaymentState.PARTIALLY_REFUNDED
    assert AuditEntry.objects.filter(action="order.refund", actor_id=agent.pk).count() == 1
    # a new form is a new refund: the rest can go back
    rest = {**form, "amount": "1200.00", "idempotency_key": refund_key(client, order)}
    client.post(f"/staff/orders/{order.pk}/refund/", rest)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Refund.objects.count() == 2


def test_a_refund_above_what_is_left_is_refused_with_the_reason(shop: Shop) -> None:
    order = place(shop, {SHIRT: 1})
    client, _agent = signed_in("customer_service_agent")

    response = client.post(
        f"/staff/orders/{order.pk}/refund/",
        {
            "amount": "9999.00",
            "note": "too much",
            "confirm": "on",
            "idempotency_key": refund_key(client, order),
        },
    )

    assert response.status_code == 400
    # 450 SEK of goods and 49 SEK of shipping (under the free-shipping threshold)
    assert "A refund must be above zero and at most 499.00 SEK." in response.content.decode()
    assert not Refund.objects.exists()
    assert Order.objects.get(pk=order.pk).refunded_total == 0


def test_the_attention_flag_is_cleared_with_what_was_done(shop: Shop) -> None:
    order = place(shop, {SHIRT: 1})
    order_flag(order_id=order.pk, reason="Refund failed at the provider")
    client, agent = signed_in("customer_service_lead")

    client.post(f"/staff/orders/{order.pk}/attention/", {"note": "Refunded by bank transfer"})

    order.refresh_from_db()
    assert not order.needs_attention
    assert order.history.last().note == "Refunded by bank transfer"
    assert AuditEntry.objects.get(action="order.attention_clear").actor_id == agent.pk


@pytest.mark.parametrize("role", ["logistics_manager", "inventory_manager", "head_of_digital"])
def test_a_role_that_may_only_see_orders_cannot_change_them(shop: Shop, role: str) -> None:
    order = place(shop, {JACKET: 1})
    order_flag(order_id=order.pk, reason="look")
    client, _member = signed_in(role)
    assert client.get(f"/staff/orders/{order.pk}/").status_code == 200

    answers = [
        client.post(f"/staff/orders/{order.pk}/cancel/", {"reason": "x", "confirm": "on"}),
        client.post(
            f"/staff/orders/{order.pk}/refund/",
            {"amount": "1.00", "note": "x", "confirm": "on", "idempotency_key": "k-1"},
        ),
        client.post(f"/staff/orders/{order.pk}/note/", {"note": "x"}),
        client.post(f"/staff/orders/{order.pk}/attention/", {"note": "x"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    order.refresh_from_db()
    assert (order.status, order.refunded_total, order.needs_attention) == (
        OrderStatus.ALLOCATED,
        0,
        True,
    )
    assert order.history.count() == 4  # placed, paid, allocated, flagged
    assert not Refund.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="order.").exists()
    assert salable_quantity(variant_id=shop.variants[JACKET], country="SE") == 19


@pytest.mark.parametrize("role", ["marketing_manager", "product_specialist", "developer"])
def test_a_role_without_orders_cannot_see_them(shop: Shop, role: str) -> None:
    order = place(shop, {JACKET: 1})
    client, _member = signed_in(role)

    assert client.get("/staff/orders/").status_code == 403
    assert client.get(f"/staff/orders/{order.pk}/").status_code == 403
    assert 'href="/staff/orders/"' not in client.get("/staff/").content.decode()


def test_customers_and_visitors_cannot_open_staff_order_pages(shop: Shop, customer: Any) -> None:
    order = place(shop, {JACKET: 1})
    shopper = Client()
    shopper.force_login(customer)

    for client in (shopper, Client()):
        for url in ("/staff/orders/", f"/staff/orders/{order.pk}/"):
            response = client.get(url)
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/staff/login/?next=")
        cancelled = client.post(
            f"/staff/orders/{order.pk}/cancel/", {"reason": "x", "confirm": "on"}
        )
        assert cancelled.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED


def test_an_order_that_does_not_exist_is_a_404(shop: Shop) -> None:
    client, _agent = signed_in("customer_service_agent")
    assert client.get("/staff/orders/987654/").status_code == 404
    assert client.post("/staff/orders/987654/note/", {"note": "x"}).status_code == 404
