"""Which cart is the shopper's: a guest's by the token kept in the session, a signed-in
customer's by the account (checkout.services.cart_find). At sign-in the guest cart is merged into
the customer's (``merge_at_sign_in``, connected in StorefrontConfig.ready).

Staff accounts shop as guests: carts and orders belong to customer accounts only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import get_language

from storeteam.accounts.models import User
from storeteam.checkout.choices import CartStatus
from storeteam.checkout.models import Cart, CartLine
from storeteam.checkout.services import cart_create, cart_currency_set, cart_find, cart_merge

SESSION_KEY = "storefront_cart"


def shopper_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def shopper_currency() -> str:
    language = shopper_language()
    currency: str = settings.STORE_CURRENCY_BY_LANGUAGE.get(
        language, settings.STORE_DEFAULT_CURRENCY
    )
    return currency


def shopper_customer(request: HttpRequest) -> User | None:
    """The signed-in customer, or None for a guest (and for staff, who shop as guests)."""
    user = request.user
    if user.is_authenticated and user.is_active and not user.is_staff:
        assert isinstance(user, User)
        return user
    return None


def _has_session(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def shopper_cart(request: HttpRequest) -> Cart | None:
    """The shopper's open cart, priced in the current language's currency; None when there is
    none. Never creates a session for a shopper who has none."""
    customer = shopper_customer(request)
    if customer is not None:
        cart = cart_find(customer=customer)
    elif _has_session(request):
        cart = cart_find(token=request.session.get(SESSION_KEY))
    else:
        cart = None
    if cart is not None and cart.currency != shopper_currency():
        cart = cart_currency_set(cart=cart, currency=shopper_currency())
    return cart


def shopper_cart_or_new(request: HttpRequest) -> Cart:
    """The shopper's open cart, made (and, for a guest, kept in the session) if there is none."""
    cart = shopper_cart(request)
    if cart is not None:
        return cart
    customer = shopper_customer(request)
    cart = cart_create(currency=shopper_currency(), customer=customer)
    if customer is None:
        request.session[SESSION_KEY] = str(cart.token)
    return cart


def cart_item_count(request: HttpRequest) -> int:
    """How many items the shopper's open cart holds, in one query (0 without a cart)."""
    customer = shopper_customer(request)
    lines = CartLine.objects.filter(cart__status=CartStatus.OPEN)
    if customer is not None:
        lines = lines.filter(cart__customer=customer)
    elif _has_session(request) and request.session.get(SESSION_KEY):
        token = str(request.session.get(SESSION_KEY))
        lines = lines.filter(cart__token=token, cart__customer__isnull=True)
    else:
        return 0
    try:
        total = lines.aggregate(items=Sum("quantity"))["items"]
    except ValidationError:  # a token that is not a UUID (a tampered session): no cart
        return 0
    return int(total or 0)


def merge_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Receiver of ``user_logged_in``: the guest cart joins the customer's cart, so nothing put
    in the cart before signing in is lost."""
    if request is None or getattr(user, "is_staff", True):
        return
    session = getattr(request, "session", None)
    token = session.pop(SESSION_KEY, None) if session is not None else None
    cart_merge(token=token, customer=user)
