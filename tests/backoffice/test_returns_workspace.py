"""The returns workspace (R1): customer service starts a return for a customer and approves it,
the warehouse receives and inspects it, customer service refunds it; each step only for the
roles allowed to take it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from storeteam.returns.models import ReturnRequest, ReturnStatus
from tests.checkout.fixtures import build_shop
from tests.returns.test_returns import JACKET, SHIRT, shipped_order

pytestmark = pytest.mark.django_db


def signed_in(staff_factory: Any, role: str) -> Client:
    client = Client()
    client.force_login(staff_factory(role=role))
    return client


def test_a_return_from_start_to_refund_in_the_back_office(
    deliver_events: Any, staff_factory: Any
) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    shirt = order.lines.get(sku=SHIRT)
    agent = signed_in(staff_factory, "customer_service_agent")
    warehouse = signed_in(staff_factory, "logistics_manager")

    form = agent.get("/staff/returns/new/", {"order": order.number})
    assert form.status_code == 200
    assert SHIRT in form.content.decode()
    started = agent.post(
        "/staff/returns/new/",
        {
            "order": order.number,
            f"quantity-{shirt.pk}": "2",
            f"reason-{shirt.pk}": "too_small",
            f"quantity-{order.lines.get(sku=JACKET).pk}": "0",
        },
    )
    ret = ReturnRequest.objects.get()
    assert started.status_code == 302
    assert ret.requested_by.startswith("staff:")

    assert (
        warehouse.post(f"/staff/returns/{ret.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    agent.post(f"/staff/returns/{ret.pk}/decide/", {"decision": "approve"})
    line = ret.lines.get()
    assert agent.post(f"/staff/returns/{ret.pk}/receive/", {}).status_code == 403
    warehouse.post(
        f"/staff/returns/{ret.pk}/receive/", {f"restock-{line.pk}": "2", f"scrap-{line.pk}": "0"}
    )
    assert warehouse.post(f"/staff/returns/{ret.pk}/refund/").status_code == 403
    page = agent.get(f"/staff/returns/{ret.pk}/").content.decode()
    assert "900.00" in page
    agent.post(f"/staff/returns/{ret.pk}/refund/")

    ret.refresh_from_db()
    assert ret.status == ReturnStatus.REFUNDED
    assert ret.refund_amount == Decimal("900.00")
    reasons = agent.get("/staff/returns/reasons/").content.decode()
    assert SHIRT in reasons


def test_bad_input_is_told_and_changes_nothing(deliver_events: Any, staff_factory: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 1}, deliver_events)
    shirt = order.lines.get(sku=SHIRT)
    agent = signed_in(staff_factory, "customer_service_agent")

    response = agent.post(
        "/staff/returns/new/",
        {"order": order.number, f"quantity-{shirt.pk}": "5", f"reason-{shirt.pk}": "too_small"},
        follow=True,
    )
    assert "at most 1" in response.content.decode()
    assert not ReturnRequest.objects.exists()
    missing = agent.get("/staff/returns/new/", {"order": "12"})
    assert "There is no such order." in missing.content.decode()


def test_roles_without_returns_see_nothing(staff_factory: Any) -> None:
    marketing = signed_in(staff_factory, "marketing_manager")
    assert marketing.get("/staff/returns/").status_code == 403
