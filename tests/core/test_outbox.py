"""The transactional outbox: written with the change or not at all; delivered once; retried;
dead-lettered; retried by staff. Runs the real database task worker."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import close_old_connections, transaction
from django_tasks_db.models import DBTaskResult

from storeteam.core.events import (
    DomainEvent,
    Envelope,
    EventOutsideTransactionError,
    event_decode,
    event_encode,
    event_publish,
    handoffs_batched,
)
from storeteam.core.models import AuditEntry, DeliveryState, EventDelivery, OutboxEvent
from storeteam.core.outbox import DeliveryNotRetryableError, delivery_attempt, delivery_retry
from storeteam.core.scheduling import scheduler_tick
from tests.conftest import database_url_of_this_test


@dataclass(frozen=True, kw_only=True)
class ParcelWeighed(DomainEvent):
    """A test event with a Decimal, to prove the payload survives the round trip exactly."""

    parcel: str
    grams: int
    price: Decimal


def effect_count(parcel: str) -> int:
    return AuditEntry.objects.filter(action="test.effect", target_label=parcel).count()


def record_effect(event: ParcelWeighed) -> None:
    AuditEntry.objects.create(
        actor_label="handler", action="test.effect", target_label=event.parcel, at=event_time()
    )


def event_time() -> Any:
    from django.utils import timezone

    return timezone.now()


@pytest.fixture(autouse=True)
def no_backoff(settings: Any) -> None:
    settings.OUTBOX_BACKOFF_SECONDS = 0


def test_event_round_trips_its_payload_exactly() -> None:
    # given
    event = ParcelWeighed(parcel="P-1", grams=1200, price=Decimal("19.90"))
    # when
    decoded = event_decode(event.event_name, event_encode(event))
    # then
    assert event.event_name == "test_outbox.ParcelWeighed"
    assert event_encode(event)["price"] == "19.90"
    assert decoded == event


@pytest.mark.django_db(transaction=True)
def test_event_is_not_written_when_its_transaction_rolls_back(handlers: Any) -> None:
    @handlers(ParcelWeighed, name="test.rollback")
    def handler(event: ParcelWeighed, envelope: Envelope) -> None:
        record_effect(event)

    # when
    def change_that_fails() -> None:
        with transaction.atomic():
            event_publish(ParcelWeighed(parcel="P-2", grams=1, price=Decimal("1.00")))
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    # then
    assert OutboxEvent.objects.count() == 0
    assert EventDelivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_request_hands_its_committed_events_on_in_one_task(
    handlers: Any, drain_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    @handlers(ParcelWeighed, name="test.effect")
    def effect(event: ParcelWeighed, envelope: Envelope) -> None:
        record_effect(event)

    # given a block (a request) that commits three transactions with an event each, and rolls
    # one back
    with handoffs_batched():
        for parcel in ("P-1", "P-2", "P-3"):
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                event_publish(ParcelWeighed(parcel=parcel, grams=1, price=Decimal("1.00")))
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    event_publish(ParcelWeighed(parcel="P-9", grams=1, price=Decimal("1.00")))
                    raise RuntimeError("the change failed")
            except RuntimeError:
                pass
        # an inner block joins the outer one
        with (
            handoffs_batched(),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            event_publish(ParcelWeighed(parcel="P-4", grams=1, price=Decimal("1.00")))
        # then nothing is handed on before the block ends
        assert DBTaskResult.objects.count() == 0

    # and then one task carries the four committed events, not the rolled-back one
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("deliver_event_batch")
    published = list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(published) == 4
    assert task.args_kwargs["args"] == [published]
    drain_tasks()
    assert [effect_count(p) for p in ("P-1", "P-2", "P-3", "P-4", "P-9")] == [1, 1, 1, 1, 0]


def test_an_event_outside_a_batch_is_handed_on_at_commit(
    db: Any, handlers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    @handlers(ParcelWeighed, name="test.effect")
    def effect(event: ParcelWeighed, envelope: Envelope) -> None:
        record_effect(event)

    for parcel in ("P-1", "P-2"):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event_publish(ParcelWeighed(parcel=parcel, grams=1, price=Decimal("1.00")))
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_event_must_be_published_inside_a_transaction() -> None:
    with pytest.raises(EventOutsideTransactionError):
        event_publish(ParcelWeighed(parcel="P-3", grams=1, price=Decimal("1.00")))
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_event_survives_a_failing_handler_is_retried_and_delivered_once(
    handlers: Any, drain_tasks: Any
) -> None:
    # given a handler whose first two attempts write their effect and then fail
    calls: list[int] = []

    @handlers(ParcelWeighed, name="test.flaky")
    def flaky(event: ParcelWeighed, envelope: Envelope) -> None:
        calls.append(envelope.attempt)
        record_effect(event)
        if envelope.attempt < 3:
            raise ConnectionError("warehouse system did not answer")

    # when the event is published and the real worker runs
    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-4", grams=500, price=Decimal("9.50")))
    drain_tasks()

    # then the failed attempts left no effect, and the third one exactly one
    delivery = EventDelivery.objects.get(handler="test.flaky")
    assert calls == [1, 2, 3]
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 3
    assert delivery.last_error == ""
    assert effect_count("P-4") == 1

    # and running the sweep and the worker again delivers nothing twice
    scheduler_tick()
    drain_tasks()
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert calls == [1, 2, 3]
    assert effect_count("P-4") == 1


@pytest.mark.django_db(transaction=True)
def test_one_failing_handler_does_not_hold_back_another(handlers: Any, drain_tasks: Any) -> None:
    @handlers(ParcelWeighed, name="test.broken", max_attempts=2)
    def broken(event: ParcelWeighed, envelope: Envelope) -> None:
        raise ValueError("bug in this handler")

    @handlers(ParcelWeighed, name="test.fine")
    def fine(event: ParcelWeighed, envelope: Envelope) -> None:
        record_effect(event)

    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-5", grams=1, price=Decimal("1.00")))
    drain_tasks()

    assert EventDelivery.objects.get(handler="test.fine").state == DeliveryState.DELIVERED
    broken_delivery = EventDelivery.objects.get(handler="test.broken")
    assert broken_delivery.state == DeliveryState.DEAD
    assert broken_delivery.attempts == 2
    assert "bug in this handler" in broken_delivery.last_error
    assert effect_count("P-5") == 1


@pytest.mark.django_db(transaction=True)
def test_staff_retry_of_a_dead_letter_delivers_it_and_is_audited(
    handlers: Any, drain_tasks: Any, staff_factory: Any
) -> None:
    # given a dead letter whose cause is then fixed
    broken = {"yes": True}

    @handlers(ParcelWeighed, name="test.fixable", max_attempts=1)
    def fixable(event: ParcelWeighed, envelope: Envelope) -> None:
        if broken["yes"]:
            raise ConnectionError("carrier down")
        record_effect(event)

    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-6", grams=1, price=Decimal("1.00")))
    drain_tasks()
    delivery = EventDelivery.objects.get(handler="test.fixable")
    assert delivery.state == DeliveryState.DEAD
    broken["yes"] = False
    developer = staff_factory(role="developer")

    # when staff retry it
    delivery_retry(delivery_id=delivery.pk, actor=developer, ip_address="127.0.0.1")
    drain_tasks()

    # then it is delivered once and the retry is in the audit log
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 1  # a fresh set of attempts after the retry
    assert effect_count("P-6") == 1
    entry = AuditEntry.objects.get(action="event_delivery.retry")
    assert entry.actor_id == developer.pk
    assert entry.before == {"state": "dead", "attempts": 1}
    assert entry.after == {"state": "pending", "attempts": 0}
    # and a delivered one cannot be retried
    with pytest.raises(DeliveryNotRetryableError):
        delivery_retry(delivery_id=delivery.pk, actor=developer)


@pytest.mark.django_db(transaction=True)
def test_sweep_delivers_an_event_whose_hand_off_was_lost(handlers: Any, drain_tasks: Any) -> None:
    @handlers(ParcelWeighed, name="test.swept")
    def swept(event: ParcelWeighed, envelope: Envelope) -> None:
        record_effect(event)

    # given an event committed, but its task lost (a crash, a queue outage)
    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-7", grams=1, price=Decimal("1.00")))
    DBTaskResult.objects.all().delete()
    drain_tasks()
    assert effect_count("P-7") == 0

    # when a worker's scheduler runs the sweep
    assert "storeteam.core.tasks.outbox_sweep" in scheduler_tick()
    drain_tasks()

    # then it is delivered
    assert EventDelivery.objects.get(handler="test.swept").state == DeliveryState.DELIVERED
    assert effect_count("P-7") == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_attempting_one_delivery_at_once_make_one_effect(handlers: Any) -> None:
    started = threading.Event()

    @handlers(ParcelWeighed, name="test.slow")
    def slow(event: ParcelWeighed, envelope: Envelope) -> None:
        started.set()
        time.sleep(0.3)
        record_effect(event)

    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-8", grams=1, price=Decimal("1.00")))
    delivery = EventDelivery.objects.get(handler="test.slow")
    outcomes: list[Any] = []

    def worker() -> None:
        try:
            outcomes.append(delivery_attempt(delivery_id=delivery.pk))
        finally:
            close_old_connections()

    first = threading.Thread(target=worker)
    first.start()
    started.wait(5)
    second = threading.Thread(target=worker)
    second.start()
    first.join(10)
    second.join(10)

    assert sorted(o is None for o in outcomes) == [False, True]
    assert effect_count("P-8") == 1


CRASHING_WORKER = """
import os, sys, django
django.setup()
from storeteam.core.events import event_handler
from storeteam.core.outbox import delivery_attempt
from tests.core.test_outbox import ParcelWeighed

@event_handler(ParcelWeighed, name="test.crasher", max_attempts=2)
def crash(event, envelope):
    os._exit(3)  # the worker dies in the middle of the handler

delivery_attempt(delivery_id=int(sys.argv[1]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_kills_its_worker_ends_as_a_dead_letter(handlers: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.utils import timezone

    @handlers(ParcelWeighed, name="test.crasher", max_attempts=2)
    def placeholder(event: ParcelWeighed, envelope: Envelope) -> None:
        raise AssertionError("only the crashing worker runs this handler")

    with transaction.atomic():
        event_publish(ParcelWeighed(parcel="P-9", grams=1, price=Decimal("1.00")))
    delivery = EventDelivery.objects.get(handler="test.crasher")
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_this_test(),
        "DJANGO_SETTINGS_MODULE": "storeteam.config.settings",
    }
    root = Path(__file__).resolve().parents[2]

    for attempt in (1, 2):
        worker = subprocess.run(
            [sys.executable, "-c", CRASHING_WORKER, str(delivery.pk)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert worker.returncode == 3, worker.stderr
        delivery.refresh_from_db()
        # the attempt was counted before the handler ran, and the delivery is leased, not lost
        assert delivery.attempts == attempt
        assert delivery.state == DeliveryState.PENDING
        assert delivery.next_attempt_at > timezone.now()
        # time passes: the lease of the dead worker runs out
        EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    # the next worker finds no attempts left and dead-letters it for staff, instead of looping
    outcome = delivery_attempt(delivery_id=delivery.pk)
    assert outcome is not None
    assert outcome.state == DeliveryState.DEAD
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    assert "worker stopped" in delivery.last_error


def test_each_delivery_has_its_own_idempotency_key() -> None:
    from django.utils import timezone

    common = {
        "event_id": 7,
        "event_name": "x.Y",
        "occurred_at": timezone.now(),
        "actor": "system",
        "attempt": 1,
    }
    first = Envelope(delivery_id=11, **common)
    second = Envelope(delivery_id=12, **common)
    assert first.idempotency_key != second.idempotency_key
    assert (
        first.idempotency_key
        == Envelope(**{**common, "attempt": 2}, delivery_id=11).idempotency_key
    )


@pytest.mark.django_db(transaction=True)
def test_prune_keeps_unfinished_and_recent_events(handlers: Any, drain_tasks: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from storeteam.core.outbox import outbox_prune

    @handlers(ParcelWeighed, name="test.prune_ok")
    def ok(event: ParcelWeighed, envelope: Envelope) -> None:
        pass

    @handlers(ParcelWeighed, name="test.prune_dead", max_attempts=1)
    def dead(event: ParcelWeighed, envelope: Envelope) -> None:
        if event.parcel == "old-dead":
            raise ValueError("still broken")

    for parcel in ("old-done", "old-dead", "new-done"):
        with transaction.atomic():
            event_publish(ParcelWeighed(parcel=parcel, grams=1, price=Decimal("1.00")))
    drain_tasks()
    long_ago = timezone.now() - timedelta(days=40)
    old = OutboxEvent.objects.filter(payload__parcel__startswith="old")
    EventDelivery.objects.filter(event__in=old, state="delivered").update(delivered_at=long_ago)
    old.update(occurred_at=long_ago)

    assert outbox_prune(older_than=timedelta(days=30)) == 3  # the event and its two deliveries
    remaining = sorted(OutboxEvent.objects.values_list("payload__parcel", flat=True))
    assert remaining == ["new-done", "old-dead"]
