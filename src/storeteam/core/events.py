"""Domain events: past-tense facts one part of the store tells the others, through the outbox.

A domain declares its events as frozen dataclasses subclassing ``DomainEvent`` in its ``events.py``
and publishes them with ``event_publish`` inside the transaction that made the change. Another
domain reacts with a handler in its ``handlers.py``::

    @event_handler(OrderPlaced)
    def brief_warehouse(event: OrderPlaced, envelope: Envelope) -> None: ...

Handlers run later, in a worker, retried with backoff; each handler's effect happens once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from pydantic import TypeAdapter

from storeteam.core.errors import DomainError
from storeteam.core.models import DeliveryState, EventDelivery, OutboxEvent

E = TypeVar("E", bound="DomainEvent")


class EventOutsideTransactionError(DomainError):
    """An event was published outside a transaction, so it could outlive a change that failed."""


class UnknownEventError(DomainError):
    """An event type or handler that the running code does not know."""


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event. Subclasses are frozen dataclasses of JSON-friendly fields
    (str, int, bool, Decimal, datetime, lists and dicts of them)."""

    event_name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("event_name"):
            match = re.match(r"storeteam\.(\w+)\.", cls.__module__)
            domain = match.group(1) if match else cls.__module__.rsplit(".", 1)[-1]
            cls.event_name = f"{domain}.{cls.__name__}"


@dataclass(frozen=True)
class Envelope:
    """What a handler knows about the delivery besides the event itself.

    ``idempotency_key`` is one per delivery (event and handler) and stable across its retries:
    pass it to any outside system (payment provider, carrier, mail relay) so a retry after a lost
    answer is not a second effect, while two handlers of one event never share a key.
    """

    event_id: int
    event_name: str
    occurred_at: datetime
    actor: str
    attempt: int
    delivery_id: int

    @property
    def idempotency_key(self) -> str:
        return f"delivery-{self.delivery_id}"


Handler = Callable[[Any, Envelope], None]


@dataclass(frozen=True)
class HandlerSpec:
    name: str
    event_type: type[DomainEvent]
    func: Handler
    max_attempts: int


class EventRegistry:
    """Which event types exist and which handlers react to each. Filled at start-up by each app's
    ``handlers`` module; read by ``event_publish`` and the dispatcher."""

    def __init__(self) -> None:
        self._types: dict[str, type[DomainEvent]] = {}
        self._handlers: dict[str, HandlerSpec] = {}

    def register_type(self, event_type: type[DomainEvent]) -> None:
        known = self._types.get(event_type.event_name)
        if known is not None and known is not event_type:
            raise UnknownEventError(f"two event types are named {event_type.event_name}")
        self._types[event_type.event_name] = event_type

    def register_handler(self, spec: HandlerSpec) -> None:
        self.register_type(spec.event_type)
        self._handlers[spec.name] = spec

    def unregister_handler(self, name: str) -> None:
        self._handlers.pop(name, None)

    def event_type(self, name: str) -> type[DomainEvent]:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventError(f"unknown event type {name}") from None

    def find_handler(self, name: str) -> HandlerSpec | None:
        return self._handlers.get(name)

    def handlers_for(self, event_type: type[DomainEvent]) -> list[HandlerSpec]:
        return [h for h in self._handlers.values() if issubclass(event_type, h.event_type)]


registry = EventRegistry()


def event_handler(
    event_type: type[E], *, name: str | None = None, max_attempts: int | None = None
) -> Callable[[Callable[[E, Envelope], None]], Callable[[E, Envelope], None]]:
    """Register ``func`` to react to ``event_type`` (and its subclasses) through the outbox.

    The name (default: module.function) is stored with each delivery: keep it stable once
    deployed, or pending deliveries lose their handler.
    """

    def decorate(func: Callable[[E, Envelope], None]) -> Callable[[E, Envelope], None]:
        registry.register_handler(
            HandlerSpec(
                name=name or f"{func.__module__}.{func.__qualname__}",
                event_type=event_type,
                func=func,
                max_attempts=max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
            )
        )
        return func

    return decorate


_adapters: dict[type[DomainEvent], TypeAdapter[Any]] = {}


def _adapter(event_type: type[DomainEvent]) -> TypeAdapter[Any]:
    adapter = _adapters.get(event_type)
    if adapter is None:
        adapter = _adapters[event_type] = TypeAdapter(event_type)
    return adapter


def event_encode(event: DomainEvent) -> dict[str, Any]:
    encoded: dict[str, Any] = _adapter(type(event)).dump_python(event, mode="json")
    return encoded


def event_decode(name: str, payload: dict[str, Any]) -> DomainEvent:
    event_type = registry.event_type(name)
    decoded: DomainEvent = _adapter(event_type).validate_python(payload)
    return decoded


def event_publish(
    event: DomainEvent, *, actor: str = "system", using: str = "default"
) -> OutboxEvent:
    """Write ``event`` to the outbox with one pending delivery per registered handler.

    Must run inside the transaction of the change it reports (``transaction.atomic``): if that
    transaction rolls back, the event was never published. After commit the deliveries are handed
    to the task system; the periodic sweep picks up any that were not (a crash, a queue outage).
    """
    if not dataclasses.is_dataclass(event) or not isinstance(event, DomainEvent):
        raise UnknownEventError(f"{event!r} is not a DomainEvent")
    if not connections[using].in_atomic_block:
        raise EventOutsideTransactionError(
            f"{event.event_name} must be published inside transaction.atomic()"
        )
    registry.register_type(type(event))
    now = timezone.now()
    payload = event_encode(event)
    handlers = registry.handlers_for(type(event))
    event_id = _outbox_write(
        connections[using], event.event_name, payload, now, actor[:80], [h.name for h in handlers]
    )
    row = OutboxEvent(
        id=event_id, name=event.event_name, payload=payload, occurred_at=now, actor=actor[:80]
    )
    row._state.adding = False
    row._state.db = using
    if handlers:

        def hand_to_worker() -> None:
            batch = _handoffs.get()
            if batch is None:
                _hand_on([event_id])
            else:
                batch.append(event_id)

        transaction.on_commit(hand_to_worker, using=using)
    return row


def _outbox_write(
    conn: BaseDatabaseWrapper,
    name: str,
    payload: dict[str, Any],
    now: datetime,
    actor: str,
    handlers: list[str],
) -> int:
    """Write the event's row and one pending delivery per handler; return the event's id.

    Events are written on every order, several times: the SQL is written here once rather than
    built by the ORM per call, and on PostgreSQL the event and its deliveries go in one statement
    (one round trip). The values are prepared by the models' own fields."""
    event_table = conn.ops.quote_name(OutboxEvent._meta.db_table)
    delivery_table = conn.ops.quote_name(EventDelivery._meta.db_table)
    payload_db = OutboxEvent._meta.get_field("payload").get_db_prep_save(payload, conn)
    stamp = OutboxEvent._meta.get_field("occurred_at").get_db_prep_save(now, conn)
    insert_event = (
        f"INSERT INTO {event_table} (name, payload, occurred_at, actor) "  # noqa: S608
        "VALUES (%s, %s, %s, %s) RETURNING id"
    )
    delivery_columns = "event_id, handler, state, attempts, next_attempt_at, last_error, updated_at"
    pending = DeliveryState.PENDING.value
    with conn.cursor() as cursor:
        if handlers and conn.vendor == "postgresql":
            cursor.execute(
                f"WITH e AS ({insert_event}) "  # noqa: S608
                f"INSERT INTO {delivery_table} ({delivery_columns}) "
                f"SELECT e.id, h, %s, 0, %s, '', %s FROM e, unnest(%s::varchar[]) AS h "
                "RETURNING event_id",
                [name, payload_db, stamp, actor, pending, stamp, stamp, handlers],
            )
            return int(cursor.fetchone()[0])
        cursor.execute(insert_event, [name, payload_db, stamp, actor])
        event_id = int(cursor.fetchone()[0])
        if handlers:
            cursor.executemany(
                f"INSERT INTO {delivery_table} ({delivery_columns}) "  # noqa: S608
                "VALUES (%s, %s, %s, 0, %s, '', %s)",
                [(event_id, handler, pending, stamp, stamp) for handler in handlers],
            )
        return event_id


# The events committed so far inside ``handoffs_batched``: handed on together at its end.
_handoffs: ContextVar[list[int] | None] = ContextVar("storeteam_event_handoffs", default=None)


def _hand_on(event_ids: list[int]) -> None:
    from storeteam.core.tasks import deliver_event_batch, enqueue_safely

    enqueue_safely(deliver_event_batch, event_ids)


@contextlib.contextmanager
def handoffs_batched() -> Iterator[None]:
    """Hand the events committed inside the block to the workers in one task, when it ends,
    instead of one task per event as each transaction commits.

    A request that commits several transactions (placing an order commits four, with six events)
    then enqueues once. Only committed events are collected (the collecting is an ``on_commit``
    hook), and they are handed on even when the block raises. If the process dies inside the
    block, the periodic sweep delivers them, as it does any hand-off that was lost. An inner block
    joins the outer one."""
    if _handoffs.get() is not None:
        yield
        return
    batch: list[int] = []
    token = _handoffs.set(batch)
    try:
        yield
    finally:
        _handoffs.reset(token)
        if batch:
            _hand_on(batch)
