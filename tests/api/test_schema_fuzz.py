"""Robustness of the whole API: schemathesis generates requests from the API's own OpenAPI
document (valid and invalid ones) and sends them to the WSGI application in-process, signed in
as a staff member who may write the catalog and prices, with a valid CSRF token. Every answer
must be no server error, have a documented status code, and match its documented schema.

Deterministic (derandomized, a fixed number of examples per operation), so it stays fast and
repeatable on SQLite and PostgreSQL alike."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from storeteam.checkout.services import cart_create, cart_line_set
from storeteam.config.wsgi import application
from tests.checkout.fixtures import build_shop
from tests.factories import StaffFactory

EXAMPLES_PER_OPERATION = 20


@pytest.fixture(autouse=True)
def wsgi_in_test_transaction(db: Any, deliver_events: Any) -> Iterator[None]:
    # Django's test client keeps the test's transaction open across requests by not closing
    # connections at the start and end of each request; a WSGI call must do the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        build_shop(deliver_events)  # the small catalog, with stock, VAT and shipping methods
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_session(db: Any) -> dict[str, str]:
    client = Client()
    client.force_login(StaffFactory(role="ecommerce_manager"))
    token = secrets.token_hex(16)  # 32 characters, as Django's CSRF cookie holds
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}


_with_token = 0


def _a_variant() -> int:
    from storeteam.catalog.models import Variant

    return Variant.objects.order_by("pk").values_list("pk", flat=True)[0]


# The document is read once, at collection (it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_its_schema(case: Any, staff_session: dict[str, str]) -> None:
    # Signed in, with the CSRF cookie and header, whatever cookies the case generated.
    case.cookies = {**(case.cookies or {}), **staff_session}
    if "token" in (case.path_parameters or {}):
        # A random token finds no cart: half the cases reach a real cart with a line, so the
        # checkout's own checks (lines, details, keys) are exercised too.
        global _with_token
        _with_token += 1
        if _with_token % 2:
            cart = cart_create(currency="SEK")
            cart_line_set(cart=cart, variant_id=_a_variant(), quantity=1)
            case.path_parameters["token"] = str(cart.token)
    case.headers = {**(case.headers or {}), "X-CSRFToken": staff_session["csrftoken"]}
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
