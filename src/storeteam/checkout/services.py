"""Carts and placing orders (I2, I3, S10).

Placing an order is one idempotent operation on the cart's ``checkout_key`` (ADR 0008):

1. The cart is priced from the price lists (never from what the browser sent) and checked; the
   priced order is written, with the key, as a ``CheckoutAttempt``. A second request with the
   same key (a double click, a retry, a second tab) finds it and gets its result.
2. In the same short transaction, stock is reserved for the key, locking the stock rows in
   primary-key order (``inventory.reservation_create``); a shopper who cannot have the units is
   told which are sold out (the attempt is written failed), and nothing is held.
3. The payment is taken as a sale (``payment_authorise(..., capture=True)``): one provider call,
   with no transaction open and no stock locked, authorises and captures the whole amount. A
   decline releases the reservation and gives the cart a new key, so the shopper can try another
   card.
4. Once the provider has captured the money (at once, or later by webhook when the shopper's bank
   had to confirm, or found by the reconciliation job) ``checkout_complete``, in one transaction,
   creates the order, marks it paid and turns the reservation into allocations. A payment it finds
   only authorised (a checkout placed before the checkout took sales, or a provider that reported
   the authorisation on its own) it captures first. It is idempotent and runs under the attempt's
   row lock, so however many of those paths arrive, one order exists.

``checkout_reconcile`` (every minute) finishes or undoes every attempt left half-way by a crash,
and flags payments that no checkout accounts for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storeteam.accounts.models import User
from storeteam.checkout.addresses import Address, address_check
from storeteam.checkout.choices import OPEN_ATTEMPTS, AttemptStatus, CartStatus
from storeteam.checkout.errors import (
    CartChangedError,
    CartEmptyError,
    CartLineError,
    CheckoutError,
    CheckoutInputError,
)
from storeteam.checkout.models import (
    MAX_CART_LINES,
    MAX_LINE_QUANTITY,
    Cart,
    CartLine,
    CheckoutAttempt,
    ShippingMethod,
    ShippingRate,
    new_key,
)
from storeteam.checkout.selectors import (
    PricedLine,
    cart_at_checkout,
    cart_lines_priced,
    shipping_rates,
    variant_for_sale,
)
from storeteam.core.money import Money
from storeteam.inventory.checkpoints import checkpoint
from storeteam.inventory.errors import (
    InsufficientStockError,
    ReservationNotActiveError,
    Shortage,
)
from storeteam.inventory.selectors import countries_served
from storeteam.inventory.services import (
    StockLine,
    allocation_release,
    reservation_allocate,
    reservation_create,
    reservation_release,
)
from storeteam.orders.choices import CANCELLABLE, OrderStatus
from storeteam.orders.errors import OrderError, OrderNotFoundError, OrderStateError
from storeteam.orders.models import Order
from storeteam.orders.services import (
    OrderLineSpec,
    OrderSpec,
    PaymentFacts,
    order_advance,
    order_flag,
    order_place,
    order_refund_record,
    order_transition,
)
from storeteam.payments.choices import PaymentState
from storeteam.payments.errors import (
    PaymentError,
    PaymentInputError,
    PaymentOutcomeUnknownError,
    PaymentRefusedError,
    PaymentStateError,
)
from storeteam.payments.gateways import gateway_codes
from storeteam.payments.models import Payment
from storeteam.payments.selectors import payments_for_reference
from storeteam.payments.services import (
    payment_authorise,
    payment_capture,
    payment_flag,
    payment_refund,
    payment_void,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# How long stock is held for a checkout: long enough for a bank's 3-D Secure step.
RESERVATION_TTL = timedelta(minutes=15)
# An attempt untouched this long is looked at by the reconciliation job.
STALE_AFTER = timedelta(minutes=2)


# --- carts ------------------------------------------------------------------------------------


def cart_find(*, token: str | None = None, customer: User | None = None) -> Cart | None:
    """The open cart of a signed-in customer, or the open guest cart with ``token``."""
    if customer is not None and customer.is_authenticated:
        return Cart.objects.filter(customer=customer, status=CartStatus.OPEN).first()
    if not token:
        return None
    try:
        return Cart.objects.filter(
            token=token, status=CartStatus.OPEN, customer__isnull=True
        ).first()
    except ValidationError:  # not a UUID
        return None


def _carts_by_token(*, token: str, customer: User | None, open_only: bool) -> QuerySet[Cart]:
    carts = Cart.objects.filter(token=token)
    if customer is not None and customer.is_authenticated:
        carts = carts.filter(Q(customer__isnull=True) | Q(customer=customer))
    else:
        carts = carts.filter(customer__isnull=True)
    if open_only:
        carts = carts.filter(status=CartStatus.OPEN)
    return carts


def cart_by_token(
    *, token: str, customer: User | None = None, open_only: bool = True
) -> Cart | None:
    """The cart with ``token``: a guest cart, or one of ``customer``'s own; only an open one
    unless ``open_only`` is false (to answer a repeated checkout of an ordered cart)."""
    try:
        return _carts_by_token(token=token, customer=customer, open_only=open_only).first()
    except ValidationError:  # not a UUID
        return None


def cart_create(*, currency: str, customer: User | None = None) -> Cart:
    """A new open cart; a signed-in customer's existing open cart is returned instead."""
    now = timezone.now()
    if customer is not None and customer.is_authenticated:
        try:
            with transaction.atomic():
                return Cart.objects.create(
                    customer=customer, currency=currency, created_at=now, updated_at=now
                )
        except IntegrityError:
            existing = cart_find(customer=customer)
            if existing is None:
                raise
            return existing
    return Cart.objects.create(currency=currency, created_at=now, updated_at=now)


def _touch(cart: Cart) -> None:
    """The lines changed: a new checkout key, so an order is only ever for what was last seen."""
    cart.checkout_key = new_key()
    cart.updated_at = timezone.now()
    cart.save(update_fields=["checkout_key", "updated_at"])


def _sellable_variant(variant_id: int, currency: str, country: str | None) -> int:
    """The salable stock for ``country`` of the variant, if it is for sale in ``currency``
    (published, with a price in the currency's default price list): one statement."""
    found = variant_for_sale(variant_id=variant_id, currency=currency, country=country)
    if found is None:
        raise CartLineError(_("This product is not for sale."))
    has_price, salable = found
    if not has_price:
        raise CartLineError(
            _("This product is not for sale in %(currency)s.") % {"currency": currency}
        )
    return salable


def _check_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or quantity < 0 or quantity > MAX_LINE_QUANTITY:
        raise CartLineError(_("Choose a quantity from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY})
    return quantity


def _check_stock(available: int, quantity: int) -> None:
    if quantity > available:
        if available <= 0:
            raise CartLineError(_("Sorry, this is sold out."), code="sold_out")
        raise CartLineError(
            ngettext(
                "Only %(n)d is left; you cannot have %(asked)d.",
                "Only %(n)d are left; you cannot have %(asked)d.",
                available,
            )
            % {"n": available, "asked": quantity},
            code="insufficient_stock",
        )


def cart_line_set(
    *, cart: Cart, variant_id: int, quantity: int, country: str | None = None
) -> Cart:
    """Set how many of ``variant_id`` the cart holds (0 removes the line), checked against the
    salable stock for ``country`` (all warehouses when not yet known)."""
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        if cart.status != CartStatus.OPEN:
            raise CheckoutError(_("This cart has already been ordered."))
        _line_set(cart, variant_id, quantity, country)
    return cart


def cart_line_set_by_token(
    *,
    token: str,
    customer: User | None,
    variant_id: int,
    quantity: int,
    country: str | None = None,
) -> Cart | None:
    """``cart_line_set`` on the open cart with ``token`` (``cart_by_token``'s rules), found and
    locked in one read; None when there is no such open cart."""
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        try:
            cart = (
                _carts_by_token(token=token, customer=customer, open_only=True)
                .select_for_update()
                .first()
            )
        except ValidationError:  # not a UUID
            return None
        if cart is None:
            return None
        _line_set(cart, variant_id, quantity, country)
    return cart


def _line_set(cart: Cart, variant_id: int, quantity: int, country: str | None) -> None:
    """The line change on the open, locked ``cart``; the cart gets a new checkout key."""
    if quantity == 0:
        CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()
        _touch(cart)
        return
    _check_stock(_sellable_variant(variant_id, cart.currency, country), quantity)
    held = set(CartLine.objects.filter(cart=cart).values_list("variant_id", flat=True))
    if variant_id in held:
        CartLine.objects.filter(cart=cart, variant_id=variant_id).update(quantity=quantity)
    elif len(held) >= MAX_CART_LINES:
        raise CartLineError(
            _("A cart holds at most %(n)d different products.") % {"n": MAX_CART_LINES}
        )
    else:
        CartLine.objects.create(
            cart=cart, variant_id=variant_id, quantity=quantity, added_at=timezone.now()
        )
    _touch(cart)


def cart_line_add(
    *, cart: Cart, variant_id: int, quantity: int = 1, country: str | None = None
) -> Cart:
    """Add ``quantity`` of ``variant_id`` to what the cart already holds of it."""
    if not isinstance(quantity, int) or quantity < 1:
        raise CartLineError(_("Choose a quantity from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY})
    held = (
        CartLine.objects.filter(cart=cart, variant_id=variant_id)
        .values_list("quantity", flat=True)
        .first()
    ) or 0
    return cart_line_set(
        cart=cart, variant_id=variant_id, quantity=held + quantity, country=country
    )


def cart_merge(*, token: str | None, customer: User) -> Cart | None:
    """At sign-in: move the guest cart's lines into the customer's open cart (quantities added,
    at most the line maximum). Returns the customer's cart, or None when neither has one."""
    guest = cart_find(token=token) if token else None
    if guest is None:
        return cart_find(customer=customer)
    with transaction.atomic():
        mine = cart_find(customer=customer)
        if mine is None:
            guest.customer = customer
            guest.updated_at = timezone.now()
            guest.save(update_fields=["customer", "updated_at"])
            return guest
        held = {line.variant_id: line for line in mine.lines.select_for_update()}
        for line in guest.lines.all():
            if line.variant_id in held:
                CartLine.objects.filter(pk=held[line.variant_id].pk).update(
                    quantity=min(held[line.variant_id].quantity + line.quantity, MAX_LINE_QUANTITY)
                )
            else:
                CartLine.objects.create(
                    cart=mine,
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    added_at=line.added_at,
                )
        guest.status = CartStatus.MERGED
        guest.updated_at = timezone.now()
        guest.save(update_fields=["status", "updated_at"])
        _touch(mine)
    return mine


# --- pricing a cart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippingOption:
    code: str
    name: str
    price: Decimal
    days_min: int
    days_max: int
    free_above: Decimal | None = None


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    currency: str
    country: str | None
    lines: list[PricedLine]
    shipping_options: list[ShippingOption] = field(default_factory=list)
    shipping: ShippingOption | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal(0))

    @property
    def shipping_total(self) -> Decimal:
        return self.shipping.price if self.shipping else Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_total

    @property
    def tax_total(self) -> Decimal:
        """The VAT included in the prices, per line at the destination's rate, shipping at the
        standard rate, each rounded half up to the cent."""
        tax = sum((_vat(line.line_total, line.tax_rate) for line in self.lines), Decimal(0))
        if self.shipping and self.lines:
            tax += _vat(self.shipping_total, max(line.tax_rate for line in self.lines))
        return tax

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def problems(self) -> list[str]:
        return [f"{line.name}: {line.problem}" for line in self.lines if line.problem]


def _vat(gross: Decimal, rate: Decimal) -> Decimal:
    return (gross * rate / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def shipping_method_ensure(
    *,
    code: str,
    names: Mapping[str, str],
    rates: Mapping[str, tuple[Decimal | str, Decimal | str | None]],
    countries: list[str] | None = None,
    days: tuple[int, int] = (1, 5),
    position: int = 0,
) -> ShippingMethod:
    """Create or update the shipping method ``code`` with a (price, free above) per currency."""
    with transaction.atomic():
        method, _created = ShippingMethod.objects.update_or_create(
            code=code,
            defaults={
                "names": dict(names),
                "countries": sorted(c.upper() for c in countries or []),
                "days_min": days[0],
                "days_max": days[1],
                "position": position,
                "is_active": True,
            },
        )
        for currency, (price, free_above) in rates.items():
            ShippingRate.objects.update_or_create(
                method=method,
                currency=currency.upper(),
                defaults={
                    "price": Money(price, currency).amount,
                    "free_above": Money(free_above, currency).amount
                    if free_above is not None
                    else None,
                },
            )
    return method


def shipping_options(
    *, country: str | None, currency: str, language: str, goods: Decimal
) -> list[ShippingOption]:
    """The shipping methods that deliver to ``country`` with a price in ``currency``."""
    options = []
    for rate in shipping_rates(currency=currency):
        if country and rate.countries and country not in rate.countries:
            continue
        free = rate.free_above is not None and goods >= rate.free_above
        options.append(
            ShippingOption(
                code=rate.code,
                name=rate.name_in(language),
                price=Decimal(0) if free else rate.price,
                days_min=rate.days_min,
                days_max=rate.days_max,
                free_above=rate.free_above,
            )
        )
    return options


def cart_priced(
    *, cart: Cart, language: str, country: str | None = None, shipping_method: str = ""
) -> PricedCart:
    """The cart priced now from the default price list of its currency, with each line's
    salable stock for ``country`` and VAT at its rate, in three statements whatever its size
    (``checkout.selectors``)."""
    priced = cart_lines_priced(
        cart_id=cart.pk, language=language, currency=cart.currency, country=country
    )
    goods = sum((p.line_total for p in priced), Decimal(0))
    options = shipping_options(
        country=country, currency=cart.currency, language=language, goods=goods
    )
    chosen = next((o for o in options if o.code == shipping_method), None)
    return PricedCart(
        cart=cart,
        currency=cart.currency,
        country=country,
        lines=priced,
        shipping_options=options,
        shipping=chosen,
    )


# --- placing an order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    address: Mapping[str, str]
    shipping_method: str
    payment_method: Mapping[str, str]
    gateway: str = "test"
    phone: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    """Where placing the order stands: ``completed`` (``order`` is set), ``awaiting_payment``
    (the shopper's bank must confirm; ``payment_provider_id`` names the payment), ``processing``
    (the payment's answer is not in yet: look again shortly) or ``failed`` (``code`` and
    ``message`` say why; nothing was charged and no stock is held)."""

    key: str
    status: str
    order: Order | None = None
    code: str = ""
    message: str = ""
    payment_provider_id: str = ""


def countries_delivered() -> list[str]:
    return countries_served()


def _result(attempt: CheckoutAttempt) -> CheckoutResult:
    shown: dict[str, str] = {
        AttemptStatus.COMPLETED: "completed",
        AttemptStatus.FAILED: "failed",
        AttemptStatus.AWAITING_PAYMENT: "awaiting_payment",
    }
    status = shown.get(attempt.status, "processing")
    provider_id = ""
    if attempt.status == AttemptStatus.AWAITING_PAYMENT and attempt.payment_id:
        payment = Payment.objects.filter(pk=attempt.payment_id).only("provider_id").first()
        provider_id = payment.provider_id if payment else ""
    return CheckoutResult(
        key=attempt.key,
        status=status,
        order=attempt.order,
        code=attempt.failure_code,
        message=attempt.failure_message,
        payment_provider_id=provider_id,
    )


def checkout_status(*, key: str) -> CheckoutResult | None:
    """Where the checkout ``key`` stands, or None if no order was ever placed with it."""
    attempt = CheckoutAttempt.objects.select_related("order").filter(key=key).first()
    return _result(attempt) if attempt else None


def _details_checked(details: CheckoutDetails) -> tuple[str, Address]:
    problems: dict[str, str] = {}
    email = (details.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = _("Enter a valid email address.")
    address, address_problems = address_check(details.address, countries=countries_delivered())
    problems.update(address_problems)
    if details.gateway not in gateway_codes():
        problems["gateway"] = _("Choose a way to pay.")
    if not any(str(v).strip() for v in details.payment_method.values()):
        problems["payment"] = _("Enter your payment details.")
    if len(details.phone or "") > 40:
        problems["phone"] = _("At most %(n)d characters.") % {"n": 40}
    if not details.shipping_method:
        problems["shipping_method"] = _("Choose a shipping method.")
    if problems or address is None:
        raise CheckoutInputError(problems)
    return email, address


def _spec(
    *,
    key: str,
    priced: PricedCart,
    email: str,
    address: Address,
    language: str,
    customer_id: int | None,
    phone: str,
) -> OrderSpec:
    if priced.shipping is None:
        raise CheckoutInputError(
            {"shipping_method": _("This shipping method does not deliver to your country.")}
        )
    return OrderSpec(
        reference=key,
        email=email,
        phone=phone.strip(),
        language=language,
        currency=priced.currency,
        country=address.country,
        shipping_address=address.as_dict(),
        shipping_method=priced.shipping.code,
        shipping_method_name=priced.shipping.name,
        subtotal=priced.subtotal,
        shipping_total=priced.shipping_total,
        tax_total=priced.tax_total,
        total=priced.total,
        customer_id=customer_id,
        lines=[
            OrderLineSpec(
                variant_id=line.variant_id,
                sku=line.sku,
                name=f"{line.name} ({line.variant_label})" if line.variant_label else line.name,
                quantity=line.quantity,
                unit_price=line.unit_price or Decimal(0),
                tax_rate=line.tax_rate,
            )
            for line in priced.lines
        ],
    )


def _attempt_update(key: str, **fields: Any) -> None:
    CheckoutAttempt.objects.filter(key=key).update(updated_at=timezone.now(), **fields)


def checkout_fail(*, key: str, code: str, message: str) -> None:
    """Undo an attempt that will not become an order: its stock goes back, its cart gets a new
    key (so the shopper can try again) and it says why. Idempotent; a completed attempt is left
    alone."""
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.select_for_update().filter(key=key).first()
        if attempt is None or attempt.status not in OPEN_ATTEMPTS:
            return
        reservation_release(key=key, reason=f"checkout failed: {code}")
        attempt.status = AttemptStatus.FAILED
        attempt.failure_code = code
        attempt.failure_message = message[:500]
        attempt.updated_at = timezone.now()
        attempt.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
        if attempt.cart_id:
            Cart.objects.filter(pk=attempt.cart_id, checkout_key=key).update(
                checkout_key=new_key(), updated_at=timezone.now()
            )


def checkout_place(
    *,
    cart: Cart,
    key: str,
    details: CheckoutDetails,
    language: str,
    customer: User | None = None,
) -> CheckoutResult:
    """Place the order for ``cart`` once, whatever the number of requests with ``key`` (module
    docstring). Bad details raise ``CheckoutInputError`` (by field) and a cart changed since the
    checkout opened raises ``CartChangedError``; both write nothing. Sold-out lines and declined
    payments come back as a ``failed`` result with a message for the shopper."""
    key = (key or "").strip()
    # The cart as it is now and any attempt already made with the key, in one read.
    now_seen = cart_at_checkout(cart_id=cart.pk, key=key)
    if now_seen is None:
        raise CartChangedError()
    if now_seen.attempt_id is not None:
        first = CheckoutAttempt.objects.select_related("order").get(pk=now_seen.attempt_id)
        if first.cart_id is not None and first.cart_id != cart.pk:
            raise CartChangedError()  # the key of another cart: its order is not this one's
        return _result(first)
    if now_seen.status != CartStatus.OPEN or now_seen.checkout_key != key:
        raise CartChangedError()
    cart.status, cart.checkout_key = now_seen.status, now_seen.checkout_key
    cart.currency, cart.customer_id = now_seen.currency, now_seen.customer_id
    email, address = _details_checked(details)
    priced = cart_priced(
        cart=cart,
        language=language,
        country=address.country,
        shipping_method=details.shipping_method,
    )
    # The stock just read is what the cart showed, not a promise: reservation_create checks it
    # again under the rows' locks. Tests pause a buyer here (inventory.checkpoints).
    checkpoint("checkout.priced")
    if not priced.lines:
        raise CartEmptyError()
    unpriced = [line.name for line in priced.lines if line.unit_price is None]
    if unpriced:
        raise CheckoutInputError(
            {
                "cart": _("No longer for sale: %(names)s. Remove it from your cart.")
                % {"names": ", ".join(unpriced)}
            }
        )
    customer_id = customer.pk if customer is not None and customer.is_authenticated else None
    spec = _spec(
        key=key,
        priced=priced,
        email=email,
        address=address,
        language=language,
        customer_id=customer_id,
        phone=details.phone,
    )
    now = timezone.now()
    # A line the stock read above already shows short fails at once, holding nothing and locking
    # no stock row (a flash sale's latecomers); the others are checked again under the lock.
    short = [
        Shortage(line.variant_id, line.sku, line.quantity, line.available)
        for line in priced.lines
        if line.quantity > line.available
    ]
    sold_out = InsufficientStockError(short).message[:500] if short else ""
    try:
        # One transaction: the attempt's row (the key's guard: a concurrent request with the same
        # key waits on its unique index, then fails and returns this attempt) and the stock
        # reservation, or the attempt's failure when the stock is not there.
        with transaction.atomic():
            attempt = CheckoutAttempt.objects.create(
                key=key,
                cart=cart,
                status=AttemptStatus.FAILED if sold_out else AttemptStatus.PAYING,
                spec=spec.to_json(),
                gateway=details.gateway,
                failure_code="sold_out" if sold_out else "",
                failure_message=sold_out,
                created_at=now,
                updated_at=now,
            )
            if not sold_out:
                try:
                    reservation_create(
                        key=key,
                        lines=[StockLine(line.variant_id, line.quantity) for line in spec.lines],
                        country=address.country,
                        ttl=RESERVATION_TTL,
                    )
                except InsufficientStockError as exc:
                    # Nothing was held (the reservation's savepoint rolled back).
                    sold_out = exc.message[:500]
                    attempt.status = AttemptStatus.FAILED
                    attempt.failure_code = "sold_out"
                    attempt.failure_message = sold_out
                    attempt.save(update_fields=["status", "failure_code", "failure_message"])
            if sold_out:
                # A new key, so the shopper can try again (as checkout_fail does).
                Cart.objects.filter(pk=cart.pk, checkout_key=key).update(
                    checkout_key=new_key(), updated_at=now
                )
    except IntegrityError:
        existing = CheckoutAttempt.objects.select_related("order").filter(key=key).first()
        if existing is None:
            raise
        return _result(existing)
    if sold_out:
        return CheckoutResult(key=key, status="failed", code="sold_out", message=sold_out)
    try:
        payment = payment_authorise(
            reference=key,
            amount=spec.total,
            currency=spec.currency,
            method=details.payment_method,
            idempotency_key=f"{key}:authorise",
            gateway=details.gateway,
            capture=True,  # a sale: the money is taken in this one call, no capture follows
        )
    except PaymentOutcomeUnknownError:
        # The provider may have said yes: keep the stock; the reconciliation job finds out.
        return _result(CheckoutAttempt.objects.get(key=key))
    except (PaymentRefusedError, PaymentInputError) as exc:
        checkout_fail(key=key, code="payment_refused", message=exc.message)
        return _result(CheckoutAttempt.objects.get(key=key))
    return _after_authorise(key, payment)


def _after_authorise(key: str, payment: Payment) -> CheckoutResult:
    if payment.state in (PaymentState.AUTHORISED, PaymentState.CAPTURED):
        # A sale comes back captured: checkout_complete only makes the order. (An authorised
        # payment, from a provider that reported the authorisation alone, is captured there.)
        order = checkout_complete(key=key, payment=payment)
        if order is not None:
            return CheckoutResult(key=key, status="completed", order=order)
        # An authorised payment captured by another path meanwhile, or whose capture's answer
        # was lost: the attempt names its payment for whoever finishes it.
        _attempt_update(key, payment_id=payment.pk)
    elif payment.state == PaymentState.REQUIRES_ACTION:
        waiting = CheckoutAttempt.objects.filter(key=key, status=AttemptStatus.PAYING).update(
            status=AttemptStatus.AWAITING_PAYMENT, payment_id=payment.pk, updated_at=timezone.now()
        )
        if waiting:
            return CheckoutResult(
                key=key, status="awaiting_payment", payment_provider_id=payment.provider_id
            )
    else:
        _attempt_update(key, payment_id=payment.pk)
        if payment.state == PaymentState.FAILED:
            checkout_fail(
                key=key,
                code="payment_declined",
                message=_(
                    "Your payment was declined (%(reason)s). Nothing was charged; try another card."
                )
                % {"reason": payment.failure_reason or _("no reason given")},
            )
    return _result(CheckoutAttempt.objects.select_related("order").get(key=key))


def _payment_of(attempt: CheckoutAttempt) -> Payment | None:
    if attempt.payment_id:
        return Payment.objects.filter(pk=attempt.payment_id).first()
    payments = payments_for_reference(attempt.key)
    return payments[-1] if payments else None


def checkout_complete(*, key: str, payment: Payment | None = None) -> Order | None:
    """Turn a checkout whose payment the provider accepted into its order (idempotent; step 4 of
    the module docstring). Returns the order, or None while the payment is not yet captured.
    ``payment`` is the checkout's payment when the caller has just had it from the provider
    (placing the order): it is not read again."""
    if payment is None:
        known = CheckoutAttempt.objects.select_related("order").filter(key=key).first()
        if known is None:
            return None
        if known.status == AttemptStatus.COMPLETED:
            return known.order
        if known.status == AttemptStatus.FAILED:
            return None
        payment = _payment_of(known)
        if payment is None:
            return None
    if payment.state == PaymentState.AUTHORISED:
        try:
            payment = payment_capture(payment_id=payment.pk, idempotency_key=f"{key}:capture")
        except (PaymentStateError, PaymentOutcomeUnknownError):
            return None  # another path captures it, or the reconciliation job finds out
        except PaymentRefusedError as exc:
            payment_flag(payment_id=payment.pk, reason=f"capture refused: {exc.message}")
            return None
    if payment.state != PaymentState.CAPTURED:
        return None
    shortage = ""
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.select_for_update().filter(key=key).first()
        if attempt is None or attempt.status == AttemptStatus.FAILED:
            return None
        if attempt.status == AttemptStatus.COMPLETED:
            return attempt.order
        spec = OrderSpec.from_json(attempt.spec)
        order, created = order_place(
            spec=spec,
            payment=PaymentFacts(
                payment_id=payment.pk, gateway=payment.gateway, summary=payment.method_summary
            ),
            paid=True,
        )
        if not created:
            order = order_transition(
                order_id=order.pk, to_status=OrderStatus.PAID, actor="checkout"
            )
        try:
            _allocate(key, spec, order)
            # The order was made (or locked) in this transaction: no need to read it again.
            order = (
                order_advance(order=order, to_status=OrderStatus.ALLOCATED, actor="checkout")
                if created
                else order_transition(
                    order_id=order.pk, to_status=OrderStatus.ALLOCATED, actor="checkout"
                )
            )
        except InsufficientStockError as exc:
            shortage = exc.message
            order = order_flag(
                order_id=order.pk,
                reason=_("Paid, but the stock ran out while the payment was confirmed: %(s)s")
                % {"s": exc.message},
            )
        now = timezone.now()
        attempt.status = AttemptStatus.COMPLETED
        attempt.order = order
        attempt.payment_id = payment.pk
        attempt.updated_at = now
        attempt.save(update_fields=["status", "order", "payment_id", "updated_at"])
        if attempt.cart_id:
            Cart.objects.filter(pk=attempt.cart_id).update(
                status=CartStatus.ORDERED, updated_at=now
            )
    if shortage:
        # Never oversell: the order the stock cannot fill is cancelled and its money goes back.
        order_cancel(order_id=order.pk, actor="checkout", reason=shortage)
        order.refresh_from_db()
    return order


def _allocate(key: str, spec: OrderSpec, order: Order) -> None:
    """Allocate the checkout's reserved stock to ``order``; all or nothing (each inventory call
    rolls back its own writes when it raises)."""
    try:
        reservation_allocate(key=key, reference=order.number)
    except ReservationNotActiveError:
        # The hold expired while the bank confirmed the payment: reserve again if stock allows.
        again = f"{key}:again"
        with transaction.atomic():  # the new hold and its allocation together, or neither
            reservation_create(
                key=again,
                lines=[StockLine(line.variant_id, line.quantity) for line in spec.lines],
                country=spec.country,
            )
            reservation_allocate(key=again, reference=order.number)


# --- staff: cancel and refund -------------------------------------------------------------------


def _order(order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise OrderNotFoundError()
    return order


def order_cancel(*, order_id: int, actor: str, reason: str) -> Order:
    """Cancel an order nothing of which has shipped: its stock goes back to the shelves and its
    payment back to the customer (voided if only authorised, refunded in full if captured).
    Idempotent: a cancelled order is returned as it is. A refund the provider refuses leaves the
    order cancelled and flagged for staff."""
    reason = (reason or "").strip()
    if not reason:
        raise CheckoutError(_("Say why the order is cancelled."))
    order = _order(order_id)
    if order.history.filter(kind=OrderStatus.CANCELLED).exists():
        return order
    if order.status not in CANCELLABLE:
        raise OrderStateError(
            _("Order %(number)s is %(state)s; only orders not yet shipped can be cancelled.")
            % {"number": order.number, "state": order.get_status_display()}
        )
    with transaction.atomic():
        allocation_release(reference=order.number, reason=f"order cancelled: {reason}"[:200])
        reservation_release(key=order.reference, reason="order cancelled")
        order = order_transition(
            order_id=order.pk, to_status=OrderStatus.CANCELLED, actor=actor, reason=reason
        )
    if order.payment_id:
        payment = Payment.objects.filter(pk=order.payment_id).first()
        try:
            if payment is not None and payment.state == PaymentState.AUTHORISED:
                payment_void(payment_id=payment.pk, idempotency_key=f"order-{order.pk}:void")
            elif payment is not None and order.refundable.amount > 0:
                order = order_refund(
                    order_id=order.pk,
                    amount=order.refundable.amount,
                    actor=actor,
                    note=_("Order cancelled: %(reason)s") % {"reason": reason},
                    idempotency_key=f"order-{order.pk}:cancel-refund",
                )
        except PaymentError as exc:
            order = order_flag(
                order_id=order.pk,
                reason=_("Cancelled, but the money could not be given back: %(e)s")
                % {"e": exc.message},
                actor=actor,
            )
    return order


def order_refund(
    *, order_id: int, amount: Decimal | str, actor: str, note: str, idempotency_key: str
) -> Order:
    """Give ``amount`` of a paid order back through its payment, once per ``idempotency_key``,
    and record it on the order (in full: the order becomes ``refunded``)."""
    order = _order(order_id)
    if not order.payment_id:
        raise OrderStateError(_("This order has no payment to refund."))
    try:
        value = Decimal(str(amount)).quantize(CENT)
    except ArithmeticError as exc:
        raise CheckoutError(_("Enter the amount to refund.")) from exc
    if value <= 0 or value > order.refundable.amount:
        raise CheckoutError(
            _("A refund must be above zero and at most %(left)s %(currency)s.")
            % {"left": order.refundable.amount, "currency": order.currency}
        )
    refund = payment_refund(
        payment_id=order.payment_id,
        amount=value,
        reason=(note or _("Refund of order %(number)s") % {"number": order.number})[:300],
        idempotency_key=idempotency_key,
        actor=None,
    )
    if refund.state == "succeeded":
        order = order_refund_record(
            order_id=order.pk, amount=refund.amount, actor=actor, note=note, refund_id=refund.pk
        )
    elif refund.state != "succeeded":
        order = order_flag(
            order_id=order.pk,
            reason=_("Refund %(id)s is %(state)s at the provider.")
            % {"id": refund.pk, "state": refund.state},
            actor=actor,
        )
    return order


def order_refund_settled(
    *, reference: str, refund_id: int, amount: Decimal, source: str = "payments"
) -> Order | None:
    """Record on the order a refund its payment has made, however it was made: from the order
    (already recorded: nothing happens), from the payments page, one the provider settled late,
    or one made in the provider's own dashboard. Once per ``refund_id``. A refund the order
    cannot take (more than is left on it) flags the order for staff instead."""
    order = Order.objects.filter(reference=reference).only("pk").first()
    if order is None:
        return None  # a payment with no order: the checkout reconciliation deals with those
    try:
        return order_refund_record(
            order_id=order.pk,
            amount=amount,
            actor=source,
            note=_("Refunded through the payment."),
            refund_id=refund_id,
        )
    except OrderError as exc:
        return order_flag(
            order_id=order.pk,
            reason=_("Refund %(id)s of %(amount)s was made but not recorded: %(e)s")
            % {"id": refund_id, "amount": amount, "e": exc.message},
            actor=source,
        )


# --- reconciliation -----------------------------------------------------------------------------


@dataclass
class CheckoutReconcileReport:
    completed: int = 0
    failed: int = 0
    flagged_payments: int = 0
    waiting: int = 0


def checkout_reconcile(*, now: datetime | None = None) -> CheckoutReconcileReport:
    """Finish or undo every checkout left half-way (a worker stopped between payment and order,
    a webhook that never came), and flag payments no checkout accounts for. Safe to run on
    several workers at once: every step is idempotent and runs under the attempt's row lock."""
    now = now or timezone.now()
    report = CheckoutReconcileReport()
    stale = CheckoutAttempt.objects.filter(
        status__in=OPEN_ATTEMPTS, updated_at__lt=now - STALE_AFTER
    ).order_by("pk")
    for attempt in stale:
        payment = _payment_of(attempt)
        if payment is not None and attempt.payment_id != payment.pk:
            _attempt_update(attempt.key, payment_id=payment.pk)
        if payment is None:
            if (
                attempt.status == AttemptStatus.RESERVING
                or attempt.updated_at < now - RESERVATION_TTL
            ):
                checkout_fail(
                    key=attempt.key,
                    code="abandoned",
                    message=_(
                        "The checkout stopped before the payment was made; nothing was charged."
                    ),
                )
                report.failed += 1
            else:
                report.waiting += 1
        elif payment.state in (PaymentState.AUTHORISED, PaymentState.CAPTURED):
            if checkout_complete(key=attempt.key) is not None:
                report.completed += 1
            else:
                report.waiting += 1
        elif payment.state in (PaymentState.FAILED, PaymentState.VOIDED):
            checkout_fail(
                key=attempt.key,
                code="payment_declined",
                message=payment.failure_reason or _("The payment did not go through."),
            )
            report.failed += 1
        elif (
            payment.state == PaymentState.REQUIRES_ACTION
            and attempt.updated_at < now - RESERVATION_TTL
        ):
            try:
                payment_void(payment_id=payment.pk, idempotency_key=f"{attempt.key}:void")
            except PaymentError:
                report.waiting += 1
                continue
            checkout_fail(
                key=attempt.key,
                code="payment_timeout",
                message=_("Your bank did not confirm the payment in time; nothing was charged."),
            )
            report.failed += 1
        else:
            report.waiting += 1
    report.flagged_payments = _orphan_payments_flag(now)
    return report


def _orphan_payments_flag(now: datetime) -> int:
    """Flag taken money that no checkout accounts for (a payment made outside the store's flow,
    or whose checkout record was lost), so it is refunded or matched by a person."""
    known = CheckoutAttempt.objects.values("key")
    orphans = Payment.objects.filter(
        state__in=[PaymentState.AUTHORISED, PaymentState.CAPTURED],
        needs_attention=False,
        created_at__lt=now - STALE_AFTER,
    ).exclude(reference__in=known)
    flagged = 0
    for payment in orphans[:200]:
        if payment_flag(
            payment_id=payment.pk,
            reason=_("No order or checkout accounts for this payment; refund it or match it."),
        ):
            flagged += 1
    return flagged


# --- for the storefront's entry points ----------------------------------------------------------


def checkout_details_check(*, cart: Cart, details: CheckoutDetails, language: str) -> None:
    """Raise ``CheckoutInputError`` with every problem of ``details`` for ``cart``, as
    ``checkout_place`` would, writing nothing. For an entry point that must know the details are
    good before it does something else first (create the shopper's account)."""
    _email, address = _details_checked(details)
    priced = cart_priced(
        cart=cart,
        language=language,
        country=address.country,
        shipping_method=details.shipping_method,
    )
    if priced.shipping is None:
        raise CheckoutInputError(
            {"shipping_method": _("This shipping method does not deliver to your country.")}
        )


def cart_currency_set(*, cart: Cart, currency: str) -> Cart:
    """Price an open cart in ``currency`` from now on (the shopper switched to a language of
    another currency). Lines stay; prices are worked out anew whenever the cart is shown, and a
    new checkout key makes sure no order is placed for the amounts seen before."""
    currency = currency.upper()
    if cart.currency == currency or cart.status != CartStatus.OPEN:
        return cart
    with transaction.atomic():
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        if cart.status != CartStatus.OPEN or cart.currency == currency:
            return cart
        cart.currency = currency
        cart.save(update_fields=["currency"])
        _touch(cart)
    return cart
