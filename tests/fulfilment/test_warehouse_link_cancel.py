"""Cancelling an order whose parcel went to an external warehouse system (F4, ADR 0009): a
message not yet tried is withdrawn and never sent; one that may have reached the system is
followed, in the same signed queue, by exactly one cancellation, also across an outage; the
system's answer comes back by the webhook: "cancelled" is written in the order's history, "too
late" flags the order for staff; answers repeated are applied once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from storeteam.checkout.services import order_cancel
from storeteam.fulfilment.link import (
    link_drain,
    link_queue,
    link_states,
    warehouse_link_pause,
    warehouse_link_resume,
    warehouse_link_set,
)
from storeteam.fulfilment.models import (
    CancelAnswer,
    DispatchKind,
    Shipment,
    ShipmentStatus,
    WarehouseDispatch,
    WarehouseLink,
)
from storeteam.fulfilment.services import shipments_cancel_for_order
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from tests.checkout.fixtures import Shop, build_shop
from tests.fulfilment.warehouse_system import SECRET, WarehouseSystem, answer, buy, drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def cancel(order: Order, deliver_events: Any) -> Order:
    cancelled = order_cancel(order_id=order.pk, actor="staff:1", reason="The customer asked.")
    deliver_events()  # OrderCancelled reaches fulfilment
    return cancelled


def notes(order: Order) -> list[str]:
    return list(order.history.filter(kind="note").values_list("note", flat=True))


def test_cancelled_while_the_link_is_down_one_cancellation_follows_each_order_message(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    # given: order A reached the warehouse system; then the system went down, and order B's
    # message was tried once (it may or may not have arrived)
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    first = buy(shop, deliver_events)
    assert drain(link.pk).sent == 1
    warehouse_system.stop()
    second = buy(shop, deliver_events)
    assert drain(link.pk).failed

    # when: both are cancelled while it is down, and the event is delivered again (a retry)
    cancel(first, deliver_events)
    cancel(second, deliver_events)
    assert shipments_cancel_for_order(order_id=first.pk) == 0
    assert shipments_cancel_for_order(order_id=second.pk) == 0
    assert drain(link.pk).failed  # still down: the cancellations wait in the queue

    # then: the queue holds B's order, then the two cancellations, nothing twice
    assert [(m.kind, m.shipment.order.number) for m in link_queue(link_id=link.pk)] == [
        (DispatchKind.ORDER, second.number),
        (DispatchKind.CANCEL, first.number),
        (DispatchKind.CANCEL, second.number),
    ]
    [state] = link_states()
    assert (state.is_up, state.waiting) == (False, 3)

    warehouse_system.start()  # back, on the same port
    assert drain(link.pk).sent == 3

    assert warehouse_system.kinds() == [
        ("order", first.number),
        ("order", second.number),
        ("cancel", first.number),
        ("cancel", second.number),
    ]
    assert warehouse_system.sequences == [1, 2, 3, 4]
    cancellation = warehouse_system.messages[2]
    assert cancellation["shipment"] == Shipment.objects.get(order=first).label
    assert cancellation["cancels"] == 1  # the sequence of the message it cancels
    assert WarehouseDispatch.objects.filter(kind=DispatchKind.CANCEL).count() == 2
    assert Shipment.objects.get(order=second).status == ShipmentStatus.CANCELLED
    second_notes = notes(second)
    assert len(second_notes) == 1
    assert "a cancellation is queued after it" in second_notes[0]


def test_an_order_still_waiting_in_the_queue_is_withdrawn_and_never_sent(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)  # queued; no worker has sent it yet

    cancel(order, deliver_events)
    report = drain(link.pk)

    assert report.sent == 0
    assert warehouse_system.deliveries == 0  # nothing ever reached the warehouse system
    message = WarehouseDispatch.objects.get(shipment__order=order)
    assert message.withdrawn_at is not None
    assert (message.attempts, message.delivered_at) == (0, None)
    assert not WarehouseDispatch.objects.filter(kind=DispatchKind.CANCEL).exists()
    [state] = link_states()
    assert state.waiting == 0
    [note] = notes(order)
    assert "before it was sent: the warehouse never received it" in note

    # the queue goes on: the next order is sent (its number follows the withdrawn one's)
    later = buy(shop, deliver_events)
    assert drain(link.pk).sent == 1
    assert warehouse_system.kinds() == [("order", later.number)]
    assert warehouse_system.sequences == [2]


def test_a_cancellation_racing_the_sender_either_withdraws_the_message_or_follows_it(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    # The sender has read two waiting messages; while it posts the first, the second order is
    # cancelled (its message not tried yet): the sender must not send it after all.
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    first = buy(shop, deliver_events)
    second = buy(shop, deliver_events)
    from storeteam.fulfilment.link import _http_post

    def post_then_cancel(url: str, headers: dict[str, str], body: bytes) -> int:
        status = _http_post(url, headers, body)
        if Order.objects.get(pk=second.pk).status != OrderStatus.CANCELLED:
            cancel(second, deliver_events)
        return status

    report = link_drain(link_id=link.pk, post=post_then_cancel)

    assert report.sent == 1
    assert warehouse_system.kinds() == [("order", first.number)]
    withdrawn = WarehouseDispatch.objects.get(shipment__order=second)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.attempts == 0
    assert drain(link.pk).sent == 0  # nothing left to send: no cancellation for it either


def test_too_late_flags_the_order_once_and_a_conflicting_answer_is_refused(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    drain(link.pk)
    cancel(order, deliver_events)
    assert drain(link.pk).sent == 1  # the cancellation
    parcel = Shipment.objects.get(order=order)
    code = shop.place.nl.code
    status = Order.objects.get(pk=order.pk).status  # cancelled, and its payment refunded

    first = answer(code, "too_late", parcel, tracking_number="3SABC987", note="left at 14:02")
    again = answer(code, "too_late", parcel, tracking_number="3SABC987", note="left at 14:02")
    conflicting = answer(code, "cancelled", parcel)

    assert (first.status_code, first.json()["outcome"]) == (200, "order flagged")
    assert (again.status_code, again.json()["outcome"]) == (200, "already recorded")
    assert conflicting.status_code == 400
    assert "already recorded" in conflicting.json()["message"]
    order.refresh_from_db()
    assert status == OrderStatus.REFUNDED
    assert order.status == status  # the answer moves nothing: a person decides what to do
    assert order.history.filter(kind=OrderStatus.CANCELLED).count() == 1
    assert order.needs_attention
    assert order.attention_reason.startswith(
        f"Cancelled too late: the warehouse system of {shop.place.nl.name} had already shipped "
        f"parcel {parcel.label}."
    )
    assert "Tracking number: 3SABC987." in order.attention_reason
    [flag] = order.history.filter(kind="flagged")
    assert flag.actor == f"warehouse-system:{code}"
    assert "The warehouse system says: left at 14:02" in flag.note
    request = WarehouseDispatch.objects.get(kind=DispatchKind.CANCEL)
    assert (request.answer, request.answer_note) == (
        CancelAnswer.TOO_LATE,
        "3SABC987 left at 14:02",
    )


def test_cancelled_is_written_in_the_history_once(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    drain(link.pk)
    cancel(order, deliver_events)
    parcel = Shipment.objects.get(order=order)
    code = shop.place.nl.code

    # The answer may come before the store saw its cancellation delivered (an answer lost).
    first = answer(code, "cancelled", parcel)
    again = answer(code, "cancelled", parcel)

    assert first.json()["outcome"] == "cancellation recorded"
    assert again.json()["outcome"] == "already recorded"
    confirmed = [n for n in notes(order) if "confirmed that parcel" in n]
    assert confirmed == [
        f"The warehouse system of {shop.place.nl.name} confirmed that parcel {parcel.label} is "
        "cancelled: it will not ship."
    ]
    order.refresh_from_db()
    assert not order.needs_attention


def test_answers_about_parcels_not_asked_or_forged_change_nothing(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    drain(link.pk)
    parcel = Shipment.objects.get(order=order)
    code = shop.place.nl.code

    not_asked = answer(code, "too_late", parcel)
    forged = answer(code, "too_late", parcel, secret="someone-else-entirely-1234")

    assert not_asked.status_code == 400
    assert not_asked.json()["message"] == (
        f"The store has not asked to cancel parcel {parcel.label}."
    )
    assert forged.status_code == 400
    order.refresh_from_db()
    assert (order.status, order.needs_attention) == (OrderStatus.ALLOCATED, False)
    assert not order.history.filter(kind__in=["flagged", "note"]).exists()


def test_a_shipped_report_for_a_parcel_being_cancelled_is_the_answer_too_late(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    drain(link.pk)
    cancel(order, deliver_events)
    parcel = Shipment.objects.get(order=order)
    code = shop.place.nl.code
    extra = {"carrier": "postnl", "service": "parcel", "tracking_number": "3SXYZ1"}

    first = answer(code, "shipped", parcel, **extra)
    again = answer(code, "shipped", parcel, **extra)

    assert first.json()["outcome"] == "order flagged"
    assert again.json()["outcome"] == "already recorded"
    order.refresh_from_db()
    assert order.needs_attention
    assert "Tracking number: 3SXYZ1." in order.attention_reason
    assert Shipment.objects.get(pk=parcel.pk).status == ShipmentStatus.CANCELLED
    assert order.history.filter(kind="flagged").count() == 1


def test_a_paused_link_keeps_queueing_and_sends_in_order_when_resumed(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem, staff_factory: Any
) -> None:
    manager = staff_factory(role="logistics_manager")
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    warehouse_link_pause(link_id=link.pk, actor=manager, reason="Stocktaking in Tilburg")
    placed = [buy(shop, deliver_events).number for _ in range(3)]

    assert drain(link.pk).skipped
    assert warehouse_system.deliveries == 0
    [state] = link_states()
    assert (state.is_paused, state.waiting, state.paused_by) == (True, 3, manager.email)

    warehouse_link_resume(link_id=link.pk, actor=manager)
    assert drain(link.pk).sent == 3
    assert warehouse_system.accepted == placed


def test_webhooks_signed_with_the_previous_secret_count_for_a_day_after_a_rotation(
    shop: Shop, deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    drain(link.pk)
    cancel(order, deliver_events)
    parcel = Shipment.objects.get(order=order)
    code = shop.place.nl.code
    new_secret = "the-new-shared-secret-of-2027"
    warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=new_secret)

    # Outgoing messages are signed with the new secret at once.
    warehouse_system.secret = new_secret
    assert drain(link.pk).sent == 1

    WarehouseLink.objects.filter(pk=link.pk).update(
        secret_changed_at=WarehouseLink.objects.get(pk=link.pk).secret_changed_at
        - timedelta(hours=25)
    )
    too_old = answer(code, "cancelled", parcel, secret=SECRET)
    assert too_old.status_code == 400

    WarehouseLink.objects.filter(pk=link.pk).update(
        secret_changed_at=WarehouseLink.objects.get(pk=link.pk).secret_changed_at
        + timedelta(hours=24)
    )
    within_grace = answer(code, "cancelled", parcel, secret=SECRET)
    assert within_grace.json()["outcome"] == "cancellation recorded"
    assert answer(code, "cancelled", parcel, secret=new_secret).json()["outcome"] == (
        "already recorded"
    )
