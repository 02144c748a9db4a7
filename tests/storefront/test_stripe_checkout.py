"""The storefront's checkout with Stripe as the gateway (S10): the card form is Stripe.js (card
details never reach the store), the store takes a PaymentMethod id, and a payment the bank must
confirm goes through Stripe.js's 3-D Secure step, then the signed webhook finishes the order.
Stripe is the local imitation of its API, spoken to by the official SDK over real HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from django.core.management import call_command
from django.test import Client

from storeteam.checkout.models import CheckoutAttempt
from storeteam.orders.models import Order
from storeteam.payments.models import Payment
from tests.checkout.fixtures import Shop, build_shop
from tests.payments.stripe_server import FakeStripe
from tests.storefront.test_cart_checkout import JACKET, add, checkout_form, key_on

pytestmark = pytest.mark.django_db
WEBHOOK_SECRET = "whsec_storefront_local_only"


@pytest.fixture
def stripe_shop(settings: Any, deliver_events: Any) -> Iterator[tuple[Shop, FakeStripe]]:
    fake = FakeStripe().start()
    settings.PAYMENTS_TEST_GATEWAY = False
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_local_only"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PAYMENT_GATEWAYS = {
        "stripe": {
            "BACKEND": "storeteam.payments.gateways.stripe_gateway.StripeGateway",
            "OPTIONS": {
                "api_key": "sk_test_local_only",
                "webhook_secret": WEBHOOK_SECRET,
                "api_base": fake.url,
            },
        }
    }
    yield build_shop(deliver_events), fake
    fake.stop()


def stripe_form(key: str, method: str) -> dict[str, str]:
    form = checkout_form(key, payment_method_id=method)
    del form["card_number"]
    return form


def test_the_card_form_is_stripes_and_no_card_number_field_is_shown(
    client: Client, stripe_shop: tuple[Shop, FakeStripe]
) -> None:
    shop, _fake = stripe_shop
    add(client, shop, JACKET)
    page = client.get("/checkout/").content.decode()
    assert 'name="card_number"' not in page
    assert 'data-key="pk_test_local_only"' in page
    assert 'data-amount="12000"' in page  # 120.00 EUR, shown by Stripe's form
    assert 'data-currency="eur"' in page
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert 'name="payment_method_id"' in page
    assert "4242 4242 4242 4242" not in page  # no test cards: this is the real provider


def test_an_order_is_paid_with_the_payment_method_stripe_js_made(
    client: Client, stripe_shop: tuple[Shop, FakeStripe]
) -> None:
    shop, fake = stripe_shop
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post("/checkout/", stripe_form(key, "pm_card_visa"))

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{key}/"
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert (payment.gateway, payment.state) == ("stripe", "captured")
    assert payment.provider_id.startswith("pi_")
    assert fake.intents[payment.provider_id]["amount"] == 12000
    # a sale: Stripe captured the money in the call that created the intent, no capture follows
    assert fake.intents[payment.provider_id]["capture_method"] == "automatic"
    assert fake.intents[payment.provider_id]["status"] == "succeeded"
    assert [(method, path) for method, path, _key in fake.requests] == [
        ("POST", "/v1/payment_intents")
    ]
    assert order.payment_id == payment.pk


@pytest.mark.parametrize("typed", ["", "4242 4242 4242 4242", "pm_x; DROP TABLE", "tok_visa"])
def test_anything_but_a_payment_method_id_is_refused_before_stripe_is_called(
    client: Client, stripe_shop: tuple[Shop, FakeStripe], typed: str
) -> None:
    shop, fake = stripe_shop
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    form = stripe_form(key, typed)
    form["card_number"] = "4242 4242 4242 4242"  # a raw card number is never taken either

    response = client.post("/checkout/", form)

    assert response.status_code == 400
    assert "Enter your payment details." in response.content.decode()
    assert not fake.requests
    assert not CheckoutAttempt.objects.exists()
    assert not Payment.objects.exists()


def signed(event: dict[str, Any]) -> tuple[str, str]:
    payload = json.dumps(event)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(  # the SDK's own signing
        f"{timestamp}.{payload}", WEBHOOK_SECRET
    )
    return payload, f"t={timestamp},v1={signature}"


def test_the_bank_confirms_through_stripe_js_and_the_webhook_finishes_the_order(
    client: Client, stripe_shop: tuple[Shop, FakeStripe], deliver_events: Any
) -> None:
    shop, fake = stripe_shop
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post("/checkout/", stripe_form(key, "pm_card_threeDSecure2Required"))

    assert response["Location"] == f"/checkout/confirm/{key}/"
    payment = Payment.objects.get()
    intent = fake.intents[payment.provider_id]
    confirm = client.get(response["Location"])
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert f'data-secret="{intent["client_secret"]}"' in page  # for stripe.handleNextAction
    assert f'data-next="/orders/{key}/"' in page
    assert not Order.objects.exists()
    waiting = client.get(f"/orders/{key}/").content.decode()
    assert f'href="/checkout/confirm/{key}/">Confirm with your bank</a>' in waiting

    # the shopper passed the bank's check in Stripe.js; Stripe captures the sale at once and
    # says so by its webhook
    captured = fake.confirm(payment.provider_id)
    assert captured["status"] == "succeeded"
    payload, header = signed(
        {
            "id": "evt_local_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": captured},
        }
    )
    answer = client.post(
        "/payments/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert answer.status_code == 200
    deliver_events()

    order = Order.objects.get()
    assert order.reference == key
    assert Payment.objects.get().state == "captured"
    assert fake.calls("POST", f"/v1/payment_intents/{payment.provider_id}/capture") == 0
    assert client.get(f"/checkout/confirm/{key}/")["Location"] == f"/orders/{key}/"
    assert (
        f"Thank you for your order {order.number}."
        in client.get(f"/orders/{key}/").content.decode()
    )


def test_the_confirmation_page_says_so_when_stripe_cannot_be_reached(
    client: Client, stripe_shop: tuple[Shop, FakeStripe]
) -> None:
    shop, fake = stripe_shop
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    client.post("/checkout/", stripe_form(key, "pm_card_threeDSecure2Required"))
    fake.stop()

    page = client.get(f"/checkout/confirm/{key}/")

    assert page.status_code == 503
    assert "cannot be reached right now" in page.content.decode()
    assert not Order.objects.exists()


def test_the_confirmation_page_is_not_there_without_stripe(client: Client, db: Any) -> None:
    assert client.get("/checkout/confirm/0123456789abcdef/").status_code == 404


def test_stripe_without_its_publishable_or_webhook_key_refuses_to_deploy(settings: Any) -> None:
    from django.core.management.base import SystemCheckError

    settings.PAYMENT_GATEWAYS = {"stripe": {"BACKEND": "x"}}
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    assert "storeteam.E003" in str(refused.value)
    assert "storeteam.E004" in str(refused.value)
