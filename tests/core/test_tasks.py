"""Both task backends, for real: the database backend with `storeteam worker --batch`, and RQ on
the Redis server. Plus the schedule: many workers, one run per period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from storeteam.core.events import DomainEvent, Envelope, event_publish
from storeteam.core.models import DeliveryState, EventDelivery, ScheduledJob
from storeteam.core.scheduling import periodic_jobs, scheduler_tick


@dataclass(frozen=True, kw_only=True)
class LabelPrinted(DomainEvent):
    label: str


@pytest.mark.django_db(transaction=True)
def test_storeteam_worker_batch_delivers_through_the_database_backend(handlers: Any) -> None:
    seen: list[str] = []

    @handlers(LabelPrinted, name="test.db_backend")
    def on_label(event: LabelPrinted, envelope: Envelope) -> None:
        seen.append(event.label)

    with transaction.atomic():
        event_publish(LabelPrinted(label="L-1"))
    call_command("worker", batch=True, verbosity=0)
    assert seen == ["L-1"]
    assert EventDelivery.objects.get(handler="test.db_backend").state == DeliveryState.DELIVERED


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_backend_on_redis_delivers_events(
    handlers: Any, redis_server: str, monkeypatch: Any
) -> None:
    import django_rq.settings
    import redis
    from django_tasks_rq.backend import Job
    from rq import Queue, SimpleWorker

    monkeypatch.setitem(django_rq.settings.QUEUES["default"], "URL", redis_server)
    connection = redis.Redis.from_url(redis_server)
    connection.flushdb()
    seen: list[str] = []

    @handlers(LabelPrinted, name="test.rq_backend")
    def on_label(event: LabelPrinted, envelope: Envelope) -> None:
        seen.append(event.label)

    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_tasks):
        with transaction.atomic():
            event_publish(LabelPrinted(label="L-2"))
        queue = Queue("default", connection=connection, job_class=Job)
        assert queue.count == 1  # handed to Redis on commit
        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
    assert seen == ["L-2"]
    assert EventDelivery.objects.get(handler="test.rq_backend").state == DeliveryState.DELIVERED
    connection.flushdb()


@pytest.mark.django_db
def test_each_periodic_run_is_enqueued_once_however_many_workers_tick() -> None:
    now = timezone.now()
    first = scheduler_tick(now=now)
    second = scheduler_tick(now=now)  # a second worker ticking at the same moment
    assert set(first) == {job.name for job in periodic_jobs()}
    assert second == []
    sweep = ScheduledJob.objects.get(name="storeteam.core.tasks.outbox_sweep")
    assert sweep.runs == 1
    assert sweep.next_run_at == now + timedelta(seconds=15)
    assert "storeteam.core.tasks.outbox_sweep" in scheduler_tick(now=now + timedelta(seconds=15))


@pytest.mark.django_db
def test_health_answers_200_with_the_database_up(client: Any) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}
