"""The core's API: the health of the store and the event outbox, for developers and monitors."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from storeteam.core import selectors
from storeteam.core.access import Access, api_access
from storeteam.core.api_schemas import ERRORS_STAFF
from storeteam.core.outbox import DeliveryNotRetryableError, delivery_retry

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: bool


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_name: str
    handler: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str


class DeliveryCountsOut(Schema):
    pending: int
    delivered: int
    dead: int


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None)
@api_access(Access("public"))
def health(request: HttpRequest) -> Status[HealthOut]:
    """Whether the store can reach its database: 200 when it can, 503 when it cannot (for load
    balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except Exception:
        database = False
    return Status(
        200 if database else 503,
        HealthOut(status="ok" if database else "degraded", database=database),
    )


@router.get(
    "/events/deliveries", response={200: list[DeliveryOut], **ERRORS_STAFF}, auth=django_auth
)
@api_access(Access("staff", "core.view_event_outbox"))
def deliveries(request: HttpRequest, state: str = "", limit: int = 100) -> list[DeliveryOut]:
    """Event deliveries newest first; ``state`` is pending, delivered or dead."""
    if not 1 <= limit <= 500:
        raise HttpError(422, "limit must be between 1 and 500")
    rows = selectors.deliveries_list(state=state)[:limit]
    return [
        DeliveryOut(
            id=d.pk,
            event_id=d.event_id,
            event_name=d.event.name,
            handler=d.handler,
            state=d.state,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
        )
        for d in rows
    ]


@router.get(
    "/events/deliveries/counts", response={200: DeliveryCountsOut, **ERRORS_STAFF}, auth=django_auth
)
@api_access(Access("staff", "core.view_event_outbox"))
def delivery_counts(request: HttpRequest) -> DeliveryCountsOut:
    """How many deliveries are pending, delivered and dead."""
    return DeliveryCountsOut(**selectors.delivery_counts())


@router.post(
    "/events/deliveries/{delivery_id}/retry",
    response={200: DeliveryCountsOut, **ERRORS_STAFF},
    auth=django_auth,
)
@api_access(Access("staff", "core.retry_event_delivery"))
def retry_delivery(request: HttpRequest, delivery_id: int) -> DeliveryCountsOut:
    """Queue a dead-lettered delivery again (audited)."""
    try:
        delivery_retry(
            delivery_id=delivery_id, actor=request.user, ip_address=request.META.get("REMOTE_ADDR")
        )
    except DeliveryNotRetryableError as exc:
        raise HttpError(409, exc.message) from exc
    return DeliveryCountsOut(**selectors.delivery_counts())
