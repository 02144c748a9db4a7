"""A store that can sell: the small catalog, three warehouses with stock, VAT rates and two
shipping methods."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from storeteam.checkout.models import Cart
from storeteam.checkout.services import (
    CheckoutDetails,
    cart_create,
    cart_line_set,
    shipping_method_ensure,
)
from storeteam.payments.gateways.testgateway import CARD_SUCCEEDS
from storeteam.pricing.services import tax_rates_set
from tests.inventory.fixtures import Place, build_stock_place, receive


@dataclass
class Shop:
    place: Place
    variants: dict[str, int]


def build_shop(deliver_events: Any, *, stock: int = 20) -> Shop:
    place = build_stock_place(deliver_events)
    for variant_id in place.variants.values():
        receive(place.se, variant_id, stock)
        receive(place.fr, variant_id, stock)
        receive(place.nl, variant_id, stock)
    tax_rates_set(
        rates={
            ("SE", "standard"): Decimal("0.25"),
            ("FR", "standard"): Decimal("0.20"),
            ("NL", "standard"): Decimal("0.21"),
        }
    )
    shipping_method_ensure(
        code="postal",
        names={"en": "Postal parcel", "sv": "Postpaket"},
        rates={"SEK": ("49.00", "1000.00"), "EUR": ("4.90", "100.00")},
        days=(2, 4),
    )
    shipping_method_ensure(
        code="express",
        names={"en": "Express", "sv": "Express"},
        rates={"SEK": ("129.00", None), "EUR": ("12.90", None)},
        countries=["SE", "NL"],
        days=(1, 1),
        position=1,
    )
    deliver_events()
    return Shop(place=place, variants=place.variants)


SWEDISH_ADDRESS = {
    "name": "Astrid Larsson",
    "line1": "Drottninggatan 1",
    "postcode": "11151",
    "city": "Stockholm",
    "country": "SE",
}


def details(
    *,
    card: str = CARD_SUCCEEDS,
    email: str = "astrid@example.com",
    address: dict[str, str] | None = None,
    shipping: str = "postal",
) -> CheckoutDetails:
    return CheckoutDetails(
        email=email,
        address=address or SWEDISH_ADDRESS,
        shipping_method=shipping,
        payment_method={"card_number": card},
    )


def cart_with(shop: Shop, lines: dict[str, int], *, currency: str = "SEK") -> Cart:
    cart = cart_create(currency=currency)
    for sku, quantity in lines.items():
        cart = cart_line_set(cart=cart, variant_id=shop.variants[sku], quantity=quantity)
    return cart
