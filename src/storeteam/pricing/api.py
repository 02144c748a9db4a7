"""Pricing's staff API (S2): set variant prices in a price list. Session sign-in with CSRF,
permission ``pricing.manage_prices``; through ``price_services.prices_set`` (all or nothing,
audited, ``PricesChanged`` so the storefront's listing follows)."""

# No ``from __future__ import annotations``: see storefront/api.py.

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from storeteam.core.access import Access, api_access, api_session
from storeteam.core.api_schemas import ERRORS_STAFF, PlainText
from storeteam.pricing.price_services import MAX_ROWS, prices_set
from storeteam.pricing.services import PriceRow
from storeteam.team.roles import MANAGE_PRICES

router = Router(tags=["pricing (staff)"])
MANAGE = Access("staff", MANAGE_PRICES)  # checked before the body is read (api_session)

AMOUNT = r"^\d{1,10}(\.\d{1,2})?$"
Amount = Annotated[str, Field(pattern=AMOUNT, examples=["129.00"])]


class PriceIn(Schema):
    sku: Annotated[PlainText, Field(min_length=1, max_length=64)]
    amount: Amount = Field(description="Gross price (tax included), a decimal string.")
    compare_at: Amount | None = Field(None, description="Before-sale price, above ``amount``.")


class PricesIn(Schema):
    price_list: Annotated[PlainText, Field(min_length=1, max_length=40, examples=["web-eur"])]
    prices: Annotated[list[PriceIn], Field(min_length=1, max_length=MAX_ROWS)]


class PricesSetOut(Schema):
    updated: int


@router.put("/prices", response={200: PricesSetOut, **ERRORS_STAFF}, auth=api_session(MANAGE))
@api_access(MANAGE)
def prices_put(request: HttpRequest, body: PricesIn) -> PricesSetOut:
    """Set the price of each SKU in one price list (created or replaced), all or none."""
    updated = prices_set(
        price_list_code=body.price_list,
        rows=[PriceRow(p.sku, p.amount, p.compare_at) for p in body.prices],
        actor=request.user,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    return PricesSetOut(updated=updated)
