"""The shopper's cart: add from a product page, change quantities, remove lines (issue #4).

Prices are never taken from the browser: the page shows the cart as ``cart_priced`` works it
out now. The cart pages are made for one shopper and never cached."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from storeteam.checkout.errors import CheckoutError
from storeteam.checkout.models import MAX_LINE_QUANTITY
from storeteam.checkout.services import cart_line_add, cart_line_set, cart_priced
from storeteam.core.access import public
from storeteam.storefront.carts import shopper_cart, shopper_cart_or_new, shopper_language


def _number(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _back(request: HttpRequest, fallback: str) -> str:
    """Where the form came from (a product page), if it is this store's own address."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _quantity_problem() -> str:
    return _("Choose a quantity from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY}


@public
@never_cache
def cart(request: HttpRequest) -> HttpResponse:
    """The cart: every line priced now, what is wrong with a line (sold out, only N left),
    the subtotal and the way to checkout."""
    found = shopper_cart(request)
    priced = cart_priced(cart=found, language=shopper_language()) if found is not None else None
    return render(
        request,
        "storefront/cart.html",
        {"priced": priced, "max_quantity": MAX_LINE_QUANTITY},
    )


@public
@never_cache
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Put a variant in the cart from its product page; the cart page shows the result, or the
    product page says why it could not be added."""
    back = _back(request, reverse("storefront:cart"))
    variant_id = _number(request.POST.get("variant"))
    quantity = _number(request.POST.get("quantity") or "1")
    if variant_id is None:
        messages.error(request, _("Choose a variant first."))
        return HttpResponseRedirect(back)
    if quantity is None or not 1 <= quantity <= MAX_LINE_QUANTITY:
        messages.error(request, _quantity_problem())
        return HttpResponseRedirect(back)
    found = shopper_cart_or_new(request)
    try:
        cart_line_add(cart=found, variant_id=variant_id, quantity=quantity)
    except CheckoutError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    messages.success(request, _("Added to your cart."))
    return redirect("storefront:cart")


@public
@never_cache
@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """Change how many of a line the cart holds, or remove the line."""
    found = shopper_cart(request)
    variant_id = _number(request.POST.get("variant"))
    if found is None or variant_id is None:
        messages.error(request, _("Your cart has changed; have a look at it now."))
        return redirect("storefront:cart")
    removing = request.POST.get("action") == "remove"
    quantity = 0 if removing else _number(request.POST.get("quantity"))
    if quantity is None or not 0 <= quantity <= MAX_LINE_QUANTITY:
        messages.error(request, _quantity_problem())
        return redirect("storefront:cart")
    try:
        cart_line_set(cart=found, variant_id=variant_id, quantity=quantity)
    except CheckoutError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Removed from your cart.") if quantity == 0 else _("Your cart is updated.")
        )
    return redirect("storefront:cart")
