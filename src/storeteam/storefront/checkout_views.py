"""The checkout page; with the built-in test gateway, the test bank's confirmation page; with
Stripe, the card form of Stripe.js (card data goes from the browser to Stripe, never to the store;
the store receives a payment method id) and the page where the shopper confirms with their bank.

One page, top to bottom on a phone: contact, delivery address, shipping method, payment, a review
of lines and totals, and "Place order". Everything shown is worked out on the server from the
cart (``cart_priced``); placing the order is ``checkout.services.checkout_place``, idempotent on
the cart's checkout key carried by the form, so a double submit gets the same order."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from storeteam.accounts.models import User
from storeteam.checkout.errors import CartChangedError, CartEmptyError, CheckoutInputError
from storeteam.checkout.models import Cart
from storeteam.checkout.services import (
    CheckoutDetails,
    CheckoutResult,
    PricedCart,
    cart_priced,
    checkout_details_check,
    checkout_place,
    checkout_status,
    countries_delivered,
)
from storeteam.core.access import public
from storeteam.core.money import Money
from storeteam.customers.forms import SignupForm
from storeteam.customers.services import CustomerEmailTakenError, customer_register
from storeteam.payments.gateways import gateway_codes
from storeteam.payments.gateways.base import (
    GatewayRefusedError,
    GatewayUnavailableError,
    WebhookSignatureError,
)
from storeteam.payments.selectors import payments_for_reference
from storeteam.payments.services import payment_browser_step, webhook_receive
from storeteam.storefront.carts import shopper_cart, shopper_customer, shopper_language
from storeteam.storefront.countries import country_choices, likely_country

FIELDS = (
    "email",
    "phone",
    "name",
    "line1",
    "line2",
    "postcode",
    "city",
    "country",
    "shipping_method",
)
ADDRESS_FIELDS = ("name", "line1", "line2", "postcode", "city", "country")
# Longer than any field allows: the service says what is too long; this only bounds the work.
MAX_FIELD_CHARS = 300
TEST_GATEWAY = "test"
STRIPE = "stripe"
# What Stripe.js hands the page: a PaymentMethod id. Anything else (a card number typed into a
# page without Stripe.js) is refused before any provider is called.
STRIPE_METHOD = re.compile(r"pm_[A-Za-z0-9_]{1,120}")
# Where each problem of the checkout is shown, and the name it has for the shopper.
PROBLEM_PLACES: dict[str, tuple[str, Any]] = {
    "email": ("f-email", gettext_lazy("Email address")),
    "phone": ("f-phone", gettext_lazy("Phone")),
    "name": ("f-name", gettext_lazy("Full name")),
    "line1": ("f-line1", gettext_lazy("Street address")),
    "line2": ("f-line2", gettext_lazy("Apartment, floor, c/o")),
    "postcode": ("f-postcode", gettext_lazy("Postcode")),
    "city": ("f-city", gettext_lazy("City")),
    "country": ("f-country", gettext_lazy("Country")),
    "shipping_method": ("shipping", gettext_lazy("Shipping method")),
    "payment": ("f-card_number", gettext_lazy("Card number")),
    "gateway": ("payment", gettext_lazy("Payment")),
    "account": ("f-create_account", gettext_lazy("Account")),
    "password": ("f-password", gettext_lazy("Password")),
    "cart": ("review", gettext_lazy("Your order")),
}


def _test_gateway_on() -> bool:
    return bool(settings.PAYMENTS_TEST_GATEWAY) and TEST_GATEWAY in gateway_codes()


def _gateway() -> str:
    codes = gateway_codes()
    return TEST_GATEWAY if TEST_GATEWAY in codes else (codes[0] if codes else "")


def _stripe_on() -> bool:
    return _gateway() == STRIPE


def _stripe(priced: PricedCart) -> dict[str, Any] | None:
    """What Stripe.js needs on the checkout page: the publishable key and, for its form, the
    amount in minor units (shown only; the store charges what it prices itself)."""
    if not _stripe_on():
        return None
    return {
        "key": settings.STRIPE_PUBLISHABLE_KEY,
        "amount": Money(priced.total, priced.currency).minor,
        "currency": priced.currency.lower(),
    }


def _payment_method(request: HttpRequest) -> dict[str, str]:
    """The payment details posted, in the form the gateway in use takes."""
    if _stripe_on():
        method = request.POST.get("payment_method_id", "").strip()
        return {"payment_method": method if STRIPE_METHOD.fullmatch(method) else ""}
    return {"card_number": "".join(request.POST.get("card_number", "").split())[:40]}


def _posted(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "").strip()[:MAX_FIELD_CHARS] for name in FIELDS}


def _initial(request: HttpRequest, countries: list[str]) -> dict[str, str]:
    customer = shopper_customer(request)
    values = dict.fromkeys(FIELDS, "")
    values["country"] = likely_country(shopper_language(), countries)
    if customer is not None:
        values["email"] = customer.email
        values["name"] = customer.full_name
    return values


def _priced(cart: Cart, values: dict[str, str], countries: list[str]) -> PricedCart:
    """The cart priced for the chosen country, with the chosen shipping method, or the first
    one that delivers there when the chosen one does not."""
    country = values.get("country") if values.get("country") in countries else None
    priced = cart_priced(
        cart=cart,
        language=shopper_language(),
        country=country,
        shipping_method=values.get("shipping_method", ""),
    )
    if priced.shipping is None and priced.shipping_options:
        priced = replace(priced, shipping=priced.shipping_options[0])
    if priced.shipping is not None:
        values["shipping_method"] = priced.shipping.code
    return priced


def _page(
    request: HttpRequest,
    cart: Cart,
    values: dict[str, str],
    *,
    problems: dict[str, str] | None = None,
    failure: CheckoutResult | None = None,
    create_account: bool = False,
    status: int = 200,
) -> HttpResponse:
    countries = countries_delivered()
    priced = _priced(cart, values, countries)
    problems = problems or {}
    summary = [
        (PROBLEM_PLACES.get(field, ("", field))[0], PROBLEM_PLACES.get(field, ("", field))[1], text)
        for field, text in problems.items()
    ]
    return render(
        request,
        "storefront/checkout.html",
        {
            "priced": priced,
            "values": values,
            "problems": problems,
            "problem_summary": summary,
            "failure": failure,
            "countries": country_choices(countries),
            "key": cart.checkout_key,
            "customer": shopper_customer(request),
            "create_account": create_account,
            "test_gateway": _test_gateway_on(),
            "stripe": _stripe(priced),
            "can_pay": bool(_gateway()),
        },
        status=status,
    )


def _details(values: dict[str, str], method: dict[str, str]) -> CheckoutDetails:
    return CheckoutDetails(
        email=values["email"],
        phone=values["phone"],
        address={name: values[name] for name in ADDRESS_FIELDS},
        shipping_method=values["shipping_method"],
        payment_method=method,
        gateway=_gateway(),
    )


def _account_problems(values: dict[str, str], password: str) -> dict[str, str]:
    form = SignupForm(
        data={"email": values["email"], "password": password, "full_name": values["name"]}
    )
    if form.is_valid():
        return {}
    problems = {}
    taken = [e for e in form.errors.as_data().get("email", []) if e.code == "taken"]
    if taken:  # a mistyped address is told at the email field already
        problems["account"] = " ".join(str(m) for e in taken for m in e.messages)
    if "password" in form.errors:
        problems["password"] = " ".join(str(m) for m in form.errors["password"])
    return problems


def _cart_or_none(request: HttpRequest) -> Cart | None:
    cart = shopper_cart(request)
    if cart is None or not cart.lines.exists():
        return None
    return cart


def _empty(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your cart is empty: add something first."))
    return redirect("storefront:cart")


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """Show the checkout (GET, or POST with ``action=update`` to reprice shipping for another
    country), or place the order (POST)."""
    if request.method != "POST":
        cart = _cart_or_none(request)
        if cart is None:
            return _empty(request)
        return _page(request, cart, _initial(request, countries_delivered()))
    values = _posted(request)
    create_account = request.POST.get("create_account") == "on"
    if request.POST.get("action") == "update":
        cart = _cart_or_none(request)
        if cart is None:
            return _empty(request)
        return _page(request, cart, values, create_account=create_account)
    key = request.POST.get("key", "").strip()
    already = checkout_status(key=key) if key else None
    if already is not None:  # a second submit of the same checkout: its result, not a new order
        return _after(request, already, values)
    cart = _cart_or_none(request)
    if cart is None:
        return _empty(request)
    if cart.checkout_key != key:
        messages.warning(
            request, _("Your cart changed since you opened the checkout. Check it, then order.")
        )
        return redirect("storefront:cart")
    customer = shopper_customer(request)
    create_account = create_account and customer is None
    password = request.POST.get("password", "")
    details = _details(values, _payment_method(request))
    problems = _account_problems(values, password) if create_account else {}
    try:
        checkout_details_check(cart=cart, details=details, language=shopper_language())
    except CheckoutInputError as exc:
        problems = {**exc.problems, **problems}
    if problems:
        return _page(
            request, cart, values, problems=problems, create_account=create_account, status=400
        )
    if create_account:
        try:
            customer = _register(request, values, password)
        except CustomerEmailTakenError as exc:
            problems = {"account": exc.message}
            return _page(request, cart, values, problems=problems, status=400)
        cart = shopper_cart(request) or cart  # the guest cart is the customer's now
    try:
        result = checkout_place(
            cart=cart, key=key, details=details, language=shopper_language(), customer=customer
        )
    except CheckoutInputError as exc:
        return _page(request, cart, values, problems=exc.problems, status=400)
    except CartChangedError:
        messages.warning(
            request, _("Your cart changed since you opened the checkout. Check it, then order.")
        )
        return redirect("storefront:cart")
    except CartEmptyError:
        return _empty(request)
    return _after(request, result, values)


def _register(request: HttpRequest, values: dict[str, str], password: str) -> User:
    """Create the shopper's account and sign them in; the sign-in moves the guest cart to it."""
    user = customer_register(
        email=values["email"],
        password=password,
        full_name=values["name"],
        language=shopper_language(),
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your account is ready; you are signed in."))
    return user


def _after(request: HttpRequest, result: CheckoutResult, values: dict[str, str]) -> HttpResponse:
    """Where the shopper goes once the order is placed, or what they are told when it was not."""
    if result.status == "failed":
        cart = _cart_or_none(request)
        if cart is None:
            messages.error(request, result.message)
            return redirect("storefront:cart")
        return _page(request, cart, values, failure=result)
    if result.status == "awaiting_payment" and _test_gateway_on() and result.payment_provider_id:
        return redirect("storefront:test_bank", key=result.key)
    if result.status == "awaiting_payment" and _stripe_on():
        return redirect("storefront:card_confirm", key=result.key)
    reference = result.order.reference if result.order is not None else result.key
    return redirect("storefront:order_receipt", reference=reference)


# --- the test gateway's bank (3-D Secure) -------------------------------------------------------


def _awaiting(key: str) -> CheckoutResult | None:
    if not _test_gateway_on():
        raise Http404
    result = checkout_status(key=key)
    if result is None:
        raise Http404
    return result if result.status == "awaiting_payment" else None


@public
@never_cache
def test_bank(request: HttpRequest, key: str) -> HttpResponse:
    """The test gateway's stand-in for a bank's 3-D Secure page: approve or decline."""
    result = _awaiting(key)
    if result is None:
        return redirect("storefront:order_receipt", reference=key)
    payments = [p for p in payments_for_reference(key) if p.provider_id]
    payment: Any = payments[-1] if payments else None
    return render(request, "storefront/test_bank.html", {"key": key, "payment": payment})


def _deliver_webhook(headers: dict[str, str], body: bytes) -> int:
    """Hand a signed provider message to the store, as the provider's HTTP call would."""
    try:
        webhook_receive(provider=TEST_GATEWAY, headers=headers, body=body)
    except WebhookSignatureError:
        return 400
    return 200


@public
@never_cache
@require_POST
def test_bank_decide(request: HttpRequest, key: str) -> HttpResponse:
    """The shopper approves or declines at the test bank; the test provider then tells the store
    by its signed webhooks, and the receipt page waits for the order."""
    from storeteam.payments.gateways.testgateway import (
        sandbox_confirm,
        sandbox_webhooks,
        sandbox_webhooks_send,
    )

    result = _awaiting(key)
    if result is not None and result.payment_provider_id:
        approved = request.POST.get("decision") == "approve"
        # A charge answered already (a second click) refuses; its webhooks below still go out.
        with contextlib.suppress(GatewayRefusedError):
            sandbox_confirm(provider_id=result.payment_provider_id, succeed=approved)
        sandbox_webhooks_send(
            sandbox_webhooks(provider_id=result.payment_provider_id, unsent_only=True),
            post=_deliver_webhook,
        )
    return redirect("storefront:order_receipt", reference=key)


# --- Stripe: the shopper confirms with their bank (3-D Secure) through Stripe.js ------------------


@public
@never_cache
def card_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """Stripe.js shows the bank's check for a payment waiting on the shopper, then the receipt
    page waits for Stripe's webhook to finish the order (or to say the payment failed)."""
    if not _stripe_on():
        raise Http404
    result = checkout_status(key=key)
    if result is None:
        raise Http404
    if result.status != "awaiting_payment":
        return redirect("storefront:order_receipt", reference=key)
    try:
        step = payment_browser_step(reference=key)
    except GatewayUnavailableError:
        return render(
            request, "storefront/card_confirm.html", {"key": key, "unavailable": True}, status=503
        )
    if step is None:
        return redirect("storefront:order_receipt", reference=key)
    return render(
        request,
        "storefront/card_confirm.html",
        {"key": key, "secret": step.secret, "publishable_key": settings.STRIPE_PUBLISHABLE_KEY},
    )
