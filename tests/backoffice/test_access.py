"""Every role against every URL and every API operation: allowed or denied, as declared.

The test fails when a view or API operation is added without declaring its access
(storeteam.core.access), so no screen can ship open by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from storeteam.api.main import api
from storeteam.core.access import Access, access_of
from storeteam.core.models import AuditEntry
from storeteam.team.roles import ROLES
from tests.factories import CustomerFactory, StaffFactory

# Values for URL parameters: ids that do not exist (a permitted request gets past the permission
# check to a 404), tokens that are not valid.
SAMPLE_ARGS = {
    "int": "987654",
    "str": "sample",
    "slug": "sample",
    "path": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


@dataclass(frozen=True)
class Route:
    url: str
    name: str
    access: Access | None
    method: str = "GET"


def _fill(pattern: str) -> str:
    def sample(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_ARGS.get(converter, "sample")

    return re.sub(r"<(?:(\w+):)?\w+>", sample, pattern)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            if "^" in route or "(?P" in route:  # i18n prefix: walk the default language
                route = ""
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback, entry.name or ""


def site_routes() -> list[Route]:
    routes = []
    for pattern, callback, name in _walk(get_resolver().url_patterns):
        if pattern.startswith("api/"):
            continue  # the API is walked operation by operation below
        routes.append(Route("/" + _fill(pattern), name, access_of(callback)))
    return routes


def api_routes() -> list[Route]:
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    url = "/api/v1/" + "/".join(
                        p.strip("/") for p in (prefix, path) if p.strip("/")
                    )
                    url = re.sub(r"\{\w+\}", SAMPLE_ARGS["int"], url)
                    routes.append(
                        Route(
                            url,
                            operation.view_func.__name__,
                            access_of(operation.view_func),
                            method,
                        )
                    )
    return routes


ALL_ROUTES = site_routes() + api_routes()
PEOPLE = ["anonymous", "customer", *[role.code for role in ROLES]]


def test_every_url_and_api_operation_declares_its_access() -> None:
    undeclared = [f"{r.method} {r.url} ({r.name})" for r in ALL_ROUTES if r.access is None]
    assert undeclared == []
    assert len(site_routes()) >= 14
    declared = {r.name: r.access.permission for r in site_routes() if r.access is not None}
    assert declared["orders"] == declared["order"] == "orders.view_orders"
    for name in ("order_cancel", "order_refund", "order_note", "order_attention_clear"):
        assert declared[name] == "orders.manage_orders", name
    assert len(api_routes()) >= 18  # platform, staff, storefront, catalog, pricing


def expected_allowed(access: Access, who: str) -> bool:
    if access.audience == "public":
        return True
    if who == "anonymous":
        return False
    if access.audience == "customer":
        return who == "customer"
    if who == "customer":
        return False
    role = next(r for r in ROLES if r.code == who)
    return access.permission is None or access.permission in role.permissions


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    people: dict[str, Any] = {"anonymous": None, "customer": CustomerFactory()}
    for role in ROLES:
        people[role.code] = StaffFactory(role=role.code)
    return people


def _client_for(who: str, people: dict[str, Any]) -> Client:
    client = Client()
    if people[who] is not None:
        client.force_login(people[who])
    return client


def _denied(route: Route, who: str, response: Any) -> bool:
    if route.url.startswith("/api/"):
        return response.status_code in (401, 403)
    if response.status_code == 403:
        return True
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    return "/login/" in location and "next=" in location


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_reaches_exactly_what_their_role_allows(
    who: str, people: dict[str, Any]
) -> None:
    client = _client_for(who, people)
    audit_before = AuditEntry.objects.count()
    mismatches = []
    for route in ALL_ROUTES:
        assert route.access is not None
        # Site views are tried with GET and POST (a POST-only view must still deny first);
        # API operations with their own method.
        is_api = route.url.startswith("/api/")
        for method in sorted({route.method} if is_api else {route.method, "POST"}):
            if people[who] is not None:
                client.force_login(people[who])  # a sign-out URL in the walk must not end it
            response = getattr(client, method.lower())(route.url)
            denied = _denied(route, who, response)
            allowed = expected_allowed(route.access, who)
            if allowed == denied:
                mismatches.append(
                    f"{who} {method} {route.url}: got {response.status_code}, expected {'allowed' if allowed else 'denied'}"
                )
    assert mismatches == []
    # A denied request changes nothing: no staff action was recorded.
    if who in ("anonymous", "customer"):
        assert AuditEntry.objects.count() == audit_before


def test_denied_staff_member_sees_a_403_page_not_an_error(people: dict[str, Any]) -> None:
    client = _client_for("marketing_manager", people)
    response = client.get("/staff/audit/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content


def test_navigation_shows_only_what_the_role_may_open(people: dict[str, Any]) -> None:
    head = _client_for("head_of_digital", people).get("/staff/").content.decode()
    marketing = _client_for("marketing_manager", people).get("/staff/").content.decode()
    developer = _client_for("developer", people).get("/staff/").content.decode()
    assert 'href="/staff/audit/"' in head
    assert 'href="/staff/staff/"' in head
    assert 'href="/staff/audit/"' not in marketing
    assert 'href="/staff/events/"' not in marketing
    assert 'href="/staff/events/"' in developer
    assert 'href="/staff/staff/"' not in developer
    agent = _client_for("customer_service_agent", people).get("/staff/").content.decode()
    logistics = _client_for("logistics_manager", people).get("/staff/").content.decode()
    assert 'href="/staff/orders/"' in agent
    assert 'href="/staff/orders/"' in logistics
    assert 'href="/staff/orders/"' in head
    assert 'href="/staff/orders/"' not in marketing
    assert 'href="/staff/orders/"' not in developer


def test_the_walk_includes_the_logistics_workspace() -> None:
    # The fulfilment screens (F1-F4): pages need view_fulfilment, the warehouse work
    # work_fulfilment, setting up stations, shifts and links manage_fulfilment.
    declared = {r.name: r.access for r in site_routes() if r.name.startswith("fulfilment")}
    assert {
        name for name, a in declared.items() if a == Access("staff", "fulfilment.view_fulfilment")
    } == {
        "fulfilment",
        "fulfilment_warehouse",
        "fulfilment_pick_list",
        "fulfilment_packing",
        "fulfilment_station",
        "fulfilment_stations",
        "fulfilment_shifts",
        "fulfilment_links",
        "fulfilment_link",
        "fulfilment_capacity",
    }
    assert {
        name for name, a in declared.items() if a == Access("staff", "fulfilment.manage_fulfilment")
    } == {
        "fulfilment_station_new",
        "fulfilment_station_edit",
        "fulfilment_shift_new",
        "fulfilment_shift_edit",
        "fulfilment_shift_delete",
        "fulfilment_link_settings",
        "fulfilment_link_pause",
        "fulfilment_link_resume",
        "fulfilment_link_retry",
        "fulfilment_cutoff",
        "fulfilment_forecast_add",
        "fulfilment_forecast_remove",
    }
    assert {
        name for name, a in declared.items() if a == Access("staff", "fulfilment.work_fulfilment")
    } == {
        "fulfilment_pick_list_new",
        "fulfilment_pack",
        "fulfilment_split",
        "fulfilment_ship",
        "fulfilment_reprint",
        "fulfilment_print_job_decide",
    }
