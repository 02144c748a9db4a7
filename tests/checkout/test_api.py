"""The checkout API (docs/api.md): a guest builds a cart by its token, places the order once per
key, and follows it; every refusal is a 4xx with a message, never a 500."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client

from storeteam.checkout.models import Cart
from storeteam.orders.models import Order
from storeteam.payments.gateways.testgateway import CARD_DECLINED, CARD_SUCCEEDS
from storeteam.payments.models import Payment
from tests.checkout.fixtures import SWEDISH_ADDRESS, Shop, build_shop
from tests.inventory.fixtures import assert_ledger_balances

pytestmark = pytest.mark.django_db

API = "/api/v1/checkout"
JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def new_cart(client: Client, shop: Shop, lines: dict[str, int]) -> dict[str, Any]:
    created = client.post(f"{API}/carts?lang=sv", {}, content_type="application/json")
    assert created.status_code == 201, created.content
    token = created.json()["token"]
    for sku, quantity in lines.items():
        put = client.put(
            f"{API}/carts/{token}/lines/{shop.variants[sku]}?country=SE",
            {"quantity": quantity},
            content_type="application/json",
        )
        assert put.status_code == 200, put.content
    cart = client.get(f"{API}/carts/{token}?country=SE&lang=sv&shipping_method=postal").json()
    return cart


def checkout_body(cart: dict[str, Any], *, card: str = CARD_SUCCEEDS, **changes: Any) -> Any:
    return {
        "key": cart["checkout_key"],
        "email": "astrid@example.com",
        "address": SWEDISH_ADDRESS,
        "shipping_method": "postal",
        "payment": {"gateway": "test", "card_number": card},
        **changes,
    }


def post_checkout(client: Client, cart: dict[str, Any], body: Any) -> Any:
    return client.post(
        f"{API}/carts/{cart['token']}/checkout?lang=sv", body, content_type="application/json"
    )


def test_a_guest_orders_through_the_api_once_per_key(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    client = Client()
    cart = new_cart(client, shop, {JACKET: 1, SHIRT: 2})
    assert cart["currency"] == "SEK"
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [(JACKET, 1), (SHIRT, 2)]
    assert cart["total"] == {"amount": "2100.00", "currency": "SEK"}
    assert [o["code"] for o in cart["shipping_options"]] == ["postal", "express"]
    assert cart["problems"] == []

    first = post_checkout(client, cart, checkout_body(cart))
    again = post_checkout(client, cart, checkout_body(cart))  # a retry after a timeout

    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert first.json() == again.json()
    placed = first.json()
    assert placed["total"] == {"amount": "2100.00", "currency": "SEK"}
    assert placed["status"] == "allocated"
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1

    status = client.get(f"{API}/checkouts/{cart['checkout_key']}").json()
    assert status["status"] == "completed"
    assert status["order_number"] == placed["number"]
    order = client.get(f"{API}/orders/{placed['reference']}").json()
    assert order["number"] == placed["number"]
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(JACKET, 1), (SHIRT, 2)]
    # the ordered cart can no longer be changed
    late = client.put(
        f"{API}/carts/{cart['token']}/lines/{shop.variants[JACKET]}",
        {"quantity": 3},
        content_type="application/json",
    )
    assert late.status_code == 404
    assert Order.objects.get().lines.get(sku=JACKET).quantity == 1
    assert_ledger_balances()


def test_a_declined_card_is_402_and_the_cart_can_try_again(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    client = Client()
    cart = new_cart(client, shop, {JACKET: 1})

    declined = post_checkout(client, cart, checkout_body(cart, card=CARD_DECLINED))

    assert declined.status_code == 402
    assert declined.json()["code"] == "payment_declined"
    fresh = client.get(f"{API}/carts/{cart['token']}?country=SE").json()
    assert fresh["checkout_key"] != cart["checkout_key"]
    stale = post_checkout(client, fresh, checkout_body(cart))  # the old key answers as before
    assert stale.status_code == 402
    assert post_checkout(client, fresh, checkout_body(fresh)).status_code == 201


def test_sold_out_is_409_naming_the_sku(deliver_events: Any) -> None:
    shop = build_shop(deliver_events, stock=1)
    client = Client()
    cart = new_cart(client, shop, {JACKET: 1})
    Cart.objects.filter(token=cart["token"]).get().lines.update(quantity=3)

    response = post_checkout(client, cart, checkout_body(cart))

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert JACKET in response.json()["detail"]  # "only 1 is available (3 asked for)"
    assert not Payment.objects.exists()


def test_a_changed_cart_and_bad_details_are_refused_with_reasons(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    client = Client()
    cart = new_cart(client, shop, {JACKET: 1})
    client.put(
        f"{API}/carts/{cart['token']}/lines/{shop.variants[SHIRT]}",
        {"quantity": 1},
        content_type="application/json",
    )

    changed = post_checkout(client, cart, checkout_body(cart))
    fresh = client.get(f"{API}/carts/{cart['token']}").json()
    invalid = post_checkout(
        client,
        fresh,
        checkout_body(
            fresh, email="nope", address={**SWEDISH_ADDRESS, "postcode": "ABC", "city": " "}
        ),
    )

    assert changed.status_code == 409
    assert changed.json()["code"] == "cart_changed"
    assert invalid.status_code == 422
    assert set(invalid.json()["fields"]) == {"email", "postcode", "city"}
    assert not Order.objects.exists()


def test_lines_are_checked_and_removed(deliver_events: Any) -> None:
    shop = build_shop(deliver_events, stock=2)
    client = Client()
    cart = new_cart(client, shop, {JACKET: 1})
    token = cart["token"]

    too_many = client.put(
        f"{API}/carts/{token}/lines/{shop.variants[JACKET]}?country=SE",
        {"quantity": 3},
        content_type="application/json",
    )
    unknown = client.put(
        f"{API}/carts/{token}/lines/999999", {"quantity": 1}, content_type="application/json"
    )
    removed = client.delete(f"{API}/carts/{token}/lines/{shop.variants[JACKET]}")

    assert too_many.status_code == 409
    assert "Only 2 are left" in too_many.json()["detail"]
    assert unknown.status_code == 409
    assert removed.status_code == 200
    assert removed.json()["lines"] == []
    assert client.get(f"{API}/carts/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get(f"{API}/carts/not-a-uuid").status_code == 422
    assert client.get(f"{API}/checkouts/unknown-key").status_code == 404
    assert client.get(f"{API}/orders/unknown-key").status_code == 404
    bad_currency = client.post(f"{API}/carts", {"currency": "XYZ"}, content_type="application/json")
    assert bad_currency.status_code == 422


def test_shipping_methods_by_country_and_currency(deliver_events: Any) -> None:
    build_shop(deliver_events)
    response = Client().get(f"{API}/shipping-methods?country=FR&currency=EUR")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "postal",
            "name": "Postal parcel",
            "price": {"amount": "4.90", "currency": "EUR"},
            "free_above": {"amount": "100.00", "currency": "EUR"},
            "days_min": 2,
            "days_max": 4,
        }
    ]


def test_a_customer_uses_their_own_cart_with_csrf(deliver_events: Any, customer: Any) -> None:
    shop = build_shop(deliver_events)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    token = secrets.token_hex(16)  # as the csrftoken cookie of any page holds it
    client.cookies["csrftoken"] = token

    refused = client.post(f"{API}/carts", {}, content_type="application/json")
    created = client.post(
        f"{API}/carts", {}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    again = client.post(
        f"{API}/carts", {}, content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 403
    assert created.status_code == 201
    assert again.json()["token"] == created.json()["token"]  # one open cart per customer
    cart = Cart.objects.get(token=created.json()["token"])
    assert cart.customer_id == customer.pk
    # a guest who knows the token cannot reach a customer's cart, nor change it
    assert Client().get(f"{API}/carts/{cart.token}").status_code == 404
    sneaked = Client().put(
        f"{API}/carts/{cart.token}/lines/{shop.variants[JACKET]}",
        {"quantity": 1},
        content_type="application/json",
    )
    assert sneaked.status_code == 404
    assert not cart.lines.exists()
    put = client.put(
        f"{API}/carts/{cart.token}/lines/{shop.variants[JACKET]}",
        {"quantity": 1},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert put.status_code == 200
