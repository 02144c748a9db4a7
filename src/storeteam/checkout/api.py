"""The checkout API for headless fronts (I2, S9, S10): guest and customer carts, shipping
methods, placing the order once per checkout key, and where a checkout or an order stands.

A guest cart is reached by its token, an unguessable UUID given when it is created: the token is
the credential, so guests need no cookie and no CSRF token. A signed-in customer (the shop's
session) may also reach their own cart by its token; their writes are CSRF-checked like every
session write. Every price comes from the price lists on the server (``cart_priced``); the body
of a checkout never carries an amount. Placing the order is ``checkout_place``: one order, one
payment per ``key`` (the cart's ``checkout_key``), however many times it is sent.
"""

# No ``from __future__ import annotations``: see storefront/api.py.

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth
from ninja.utils import check_csrf
from pydantic import Field

from storeteam.checkout import selectors, services
from storeteam.checkout.errors import CheckoutInputError
from storeteam.checkout.models import MAX_LINE_QUANTITY, Cart
from storeteam.core.access import Access, api_access
from storeteam.core.api_schemas import ErrorOut, Language, PlainText
from storeteam.orders.models import Order
from storeteam.orders.selectors import order_by_reference

router = Router(tags=["checkout"])
PUBLIC = Access("public")

MAX_ID = 2_147_483_647
KEY = r"^[-\w]{1,100}$"
COUNTRY = r"^[A-Za-z]{2}$"
CURRENCY = r"^[A-Z]{3}$"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

TokenPath = Annotated[UUID, Path(description="The cart's token, given when it was created.")]
VariantPath = Annotated[int, Path(ge=1, le=MAX_ID)]
KeyPath = Annotated[str, Path(pattern=KEY, max_length=100)]
LangQuery = Annotated[Language, Query(description="Language of names and of the order.")]
CountryQuery = Annotated[
    str | None, Query(pattern=COUNTRY, description="Shipping country (ISO code, e.g. SE).")
]

# Answers every operation of this router may give besides its own.
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,  # a body that is not JSON
    403: ErrorOut,  # a signed-in session's write without its CSRF token
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class _Guest:
    """The caller of a guest operation who is not signed in (a truthy auth result)."""


GUEST = _Guest()


class ShopperAuth(SessionAuth):
    """Anyone: a guest holds the cart's token; a signed-in session is used for the customer's
    own cart, and its writes must carry the CSRF token (the cookie is sent by any site)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        writes = request.method not in SAFE_METHODS
        if request.user.is_authenticated and writes and check_csrf(request):
            raise HttpError(403, _("Send the csrftoken cookie's value in X-CSRFToken."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else GUEST


SHOPPER = ShopperAuth()


# --- schemas --------------------------------------------------------------------------------


class AmountOut(Schema):
    amount: str = Field(description="Exact decimal amount, tax included.", examples=["129.00"])
    currency: str = Field(examples=["SEK"])


class CartCreateIn(Schema):
    currency: Annotated[str, Field(pattern=CURRENCY)] | None = Field(
        None, description="SEK or EUR; by default the currency of ``lang``."
    )


class CartCreatedOut(Schema):
    token: UUID
    currency: str
    checkout_key: str


class CartLineOut(Schema):
    variant_id: int
    sku: str
    product_id: int
    name: str
    variant: str = Field(description="The variant's values, e.g. 'M / Blue'.")
    slug: str
    quantity: int
    unit_price: AmountOut | None = Field(description="None when it is no longer for sale.")
    line_total: AmountOut
    available: int = Field(description="Salable units for the shipping country.")
    problem: str = Field(description="Why the line cannot be ordered as it is; empty if it can.")


class ShippingOptionOut(Schema):
    code: str
    name: str
    price: AmountOut
    free_above: AmountOut | None = Field(None, description="Goods from this amount ship free.")
    days_min: int
    days_max: int


class CartOut(Schema):
    token: UUID
    status: str
    currency: str
    country: str | None
    checkout_key: str = Field(
        description="Send it with the checkout: an order is only placed for the cart as seen."
    )
    lines: list[CartLineOut]
    problems: list[str]
    item_count: int
    subtotal: AmountOut
    shipping: ShippingOptionOut | None
    shipping_options: list[ShippingOptionOut]
    tax_total: AmountOut
    total: AmountOut


class LineIn(Schema):
    quantity: Annotated[int, Field(ge=0, le=MAX_LINE_QUANTITY)] = Field(
        description="How many the cart holds; 0 removes the line."
    )


class AddressIn(Schema):
    name: Annotated[PlainText, Field(max_length=120)]
    line1: Annotated[PlainText, Field(max_length=200)]
    line2: Annotated[PlainText, Field(max_length=200)] = ""
    postcode: Annotated[PlainText, Field(max_length=12)]
    city: Annotated[PlainText, Field(max_length=100)]
    country: Annotated[str, Field(pattern=COUNTRY)]


class PaymentIn(Schema):
    gateway: Annotated[str, Field(pattern=r"^[a-z_]{1,30}$")] = "test"
    card_number: Annotated[str, Field(pattern=r"^[\d ]{1,30}$")] | None = Field(
        None, description="The test gateway's card (4242424242424242 succeeds)."
    )
    payment_method: Annotated[str, Field(pattern=r"^[-\w]{1,100}$")] | None = Field(
        None, description="A payment method made by the provider's own script (Stripe)."
    )


class CheckoutIn(Schema):
    key: Annotated[str, Field(pattern=KEY, max_length=100)] = Field(
        description="The cart's ``checkout_key``: resending it never places a second order."
    )
    email: Annotated[PlainText, Field(max_length=254)]
    phone: Annotated[PlainText, Field(max_length=40)] = ""
    address: AddressIn
    shipping_method: Annotated[str, Field(pattern=r"^[-\w]{1,40}$")]
    payment: PaymentIn


class OrderPlacedOut(Schema):
    number: str
    status: str
    total: AmountOut
    currency: str
    reference: str = Field(description="The checkout key: GET /orders/{reference} follows it.")


class CheckoutPendingOut(Schema):
    status: Literal["processing", "awaiting_payment"]
    key: str
    payment_provider_id: str = Field(
        description="For awaiting_payment: the provider's payment, for its confirmation step."
    )


class CheckoutStatusOut(Schema):
    key: str
    status: Literal["processing", "awaiting_payment", "completed", "failed"]
    order_number: str | None
    reference: str | None
    code: str
    message: str


class OrderLineOut(Schema):
    sku: str
    name: str
    quantity: int
    quantity_shipped: int
    unit_price: AmountOut
    line_total: AmountOut


class OrderOut(Schema):
    number: str
    reference: str
    status: str
    status_name: str
    placed_at: datetime
    currency: str
    country: str
    shipping_method: str
    lines: list[OrderLineOut]
    subtotal: AmountOut
    shipping_total: AmountOut
    tax_total: AmountOut
    total: AmountOut
    refunded_total: AmountOut


class CheckoutErrorOut(ErrorOut):
    fields: dict[str, str] | None = Field(None, description="Invalid details, by field.")


# --- helpers --------------------------------------------------------------------------------


def _amount(value: Decimal, currency: str) -> AmountOut:
    return AmountOut(amount=f"{value:.2f}", currency=currency)


def _customer(request: HttpRequest) -> Any:
    """The signed-in customer, or None for a guest (staff use carts as guests do)."""
    user = request.user
    if user.is_authenticated and user.is_active and not user.is_staff:
        return user
    return None


def _cart(request: HttpRequest, token: UUID, *, open_only: bool = True) -> Cart:
    cart = services.cart_by_token(
        token=str(token), customer=_customer(request), open_only=open_only
    )
    if cart is None:
        raise HttpError(404, _("There is no such cart."))
    return cart


def _currency(currency: str | None, lang: str) -> str:
    from django.conf import settings

    if currency:
        return currency
    return str(settings.STORE_CURRENCY_BY_LANGUAGE.get(lang, settings.STORE_DEFAULT_CURRENCY))


def _option(option: services.ShippingOption, currency: str) -> ShippingOptionOut:
    return ShippingOptionOut(
        code=option.code,
        name=option.name,
        price=_amount(option.price, currency),
        free_above=_amount(option.free_above, currency) if option.free_above is not None else None,
        days_min=option.days_min,
        days_max=option.days_max,
    )


def _cart_out(priced: services.PricedCart) -> CartOut:
    currency = priced.currency
    return CartOut(
        token=priced.cart.token,
        status=priced.cart.status,
        currency=currency,
        country=priced.country,
        checkout_key=priced.cart.checkout_key,
        lines=[
            CartLineOut(
                variant_id=line.variant_id,
                sku=line.sku,
                product_id=line.product_id,
                name=line.name,
                variant=line.variant_label,
                slug=line.slug,
                quantity=line.quantity,
                unit_price=_amount(line.unit_price, currency)
                if line.unit_price is not None
                else None,
                line_total=_amount(line.line_total, currency),
                available=line.available,
                problem=line.problem,
            )
            for line in priced.lines
        ],
        problems=priced.problems,
        item_count=priced.item_count,
        subtotal=_amount(priced.subtotal, currency),
        shipping=_option(priced.shipping, currency) if priced.shipping else None,
        shipping_options=[_option(o, currency) for o in priced.shipping_options],
        tax_total=_amount(priced.tax_total, currency),
        total=_amount(priced.total, currency),
    )


def _priced(
    cart: Cart, lang: str, country: str | None, shipping_method: str = ""
) -> services.PricedCart:
    return services.cart_priced(
        cart=cart,
        language=lang,
        country=country.upper() if country else None,
        shipping_method=shipping_method,
    )


def _placed(order: Order) -> OrderPlacedOut:
    return OrderPlacedOut(
        number=order.number,
        status=order.status,
        total=_amount(order.total, order.currency),
        currency=order.currency,
        reference=order.reference,
    )


# --- carts ----------------------------------------------------------------------------------


@router.post(
    "/carts", response={201: CartCreatedOut, **ERRORS}, auth=SHOPPER, operation_id="cart_create"
)
@api_access(PUBLIC)
def cart_create(
    request: HttpRequest, body: CartCreateIn, lang: LangQuery = "en"
) -> Status[CartCreatedOut]:
    """Create a cart (a signed-in customer gets their open cart). Keep the ``token``: it is
    the only way back to a guest's cart."""
    currency = _currency(body.currency, lang)
    if currency not in selectors.currencies_sold():
        raise HttpError(422, _("The store does not sell in %(currency)s.") % {"currency": currency})
    cart = services.cart_create(currency=currency, customer=_customer(request))
    return Status(
        201,
        CartCreatedOut(token=cart.token, currency=cart.currency, checkout_key=cart.checkout_key),
    )


@router.get("/carts/{token}", response={200: CartOut, **ERRORS}, auth=SHOPPER)
@api_access(PUBLIC)
def cart_detail(
    request: HttpRequest,
    token: TokenPath,
    country: CountryQuery = None,
    shipping_method: Annotated[str, Query(pattern=r"^[-\w]{0,40}$")] = "",
    lang: LangQuery = "en",
) -> CartOut:
    """The cart priced now from the price lists: lines, their problems (sold out, fewer left,
    no longer for sale), the shipping options for ``country`` and the totals."""
    cart = _cart(request, token, open_only=False)
    return _cart_out(_priced(cart, lang, country, shipping_method))


@router.put("/carts/{token}/lines/{variant_id}", response={200: CartOut, **ERRORS}, auth=SHOPPER)
@api_access(PUBLIC)
def cart_line_set(
    request: HttpRequest,
    token: TokenPath,
    variant_id: VariantPath,
    body: LineIn,
    country: CountryQuery = None,
    lang: LangQuery = "en",
) -> CartOut:
    """Set how many of a variant the cart holds (0 removes it), checked against the salable
    stock for ``country``. The cart gets a new ``checkout_key``."""
    upper = country.upper() if country else None
    cart = services.cart_line_set_by_token(
        token=str(token),
        customer=_customer(request),
        variant_id=variant_id,
        quantity=body.quantity,
        country=upper,
    )
    if cart is None:
        raise HttpError(404, _("There is no such cart."))
    return _cart_out(_priced(cart, lang, upper))


@router.delete("/carts/{token}/lines/{variant_id}", response={200: CartOut, **ERRORS}, auth=SHOPPER)
@api_access(PUBLIC)
def cart_line_remove(
    request: HttpRequest,
    token: TokenPath,
    variant_id: VariantPath,
    country: CountryQuery = None,
    lang: LangQuery = "en",
) -> CartOut:
    """Take a variant out of the cart."""
    cart = services.cart_line_set(cart=_cart(request, token), variant_id=variant_id, quantity=0)
    return _cart_out(_priced(cart, lang, country))


@router.get("/shipping-methods", response={200: list[ShippingOptionOut], 422: ErrorOut}, auth=None)
@api_access(PUBLIC)
def shipping_methods(
    request: HttpRequest,
    country: CountryQuery = None,
    currency: Annotated[str | None, Query(pattern=CURRENCY)] = None,
    lang: LangQuery = "en",
) -> list[ShippingOptionOut]:
    """The ways to deliver to ``country`` with their price in ``currency`` (for an empty cart;
    ``free_above`` says from which amount of goods each ships free)."""
    chosen = _currency(currency, lang)
    options = services.shipping_options(
        country=country.upper() if country else None,
        currency=chosen,
        language=lang,
        goods=Decimal(0),
    )
    return [_option(o, chosen) for o in options]


# --- placing the order ----------------------------------------------------------------------


@router.post(
    "/carts/{token}/checkout",
    response={
        201: OrderPlacedOut,
        202: CheckoutPendingOut,
        400: ErrorOut,
        402: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: CheckoutErrorOut,
    },
    auth=SHOPPER,
)
@api_access(PUBLIC)
def checkout(
    request: HttpRequest, token: TokenPath, body: CheckoutIn, lang: LangQuery = "en"
) -> Any:
    """Place the order for the cart, once per ``key``: 201 the order; 202 while the payment's
    answer is not in (``processing``) or the shopper's bank must confirm it
    (``awaiting_payment``), then follow ``GET /checkouts/{key}``; 402 the payment was declined
    (nothing charged; the cart has a new key for another try); 409 ``sold_out`` (the message
    names each SKU) or ``cart_changed`` (read the cart again and use its new key); 422 invalid
    details, by field. Sending the same key again answers as the first time."""
    cart = _cart(request, token, open_only=False)
    payment: dict[str, str] = {}
    if body.payment.card_number:
        payment["card_number"] = body.payment.card_number
    if body.payment.payment_method:
        payment["payment_method"] = body.payment.payment_method
    details = services.CheckoutDetails(
        email=body.email,
        phone=body.phone,
        address=body.address.model_dump(),
        shipping_method=body.shipping_method,
        payment_method=payment,
        gateway=body.payment.gateway,
    )
    try:
        result = services.checkout_place(
            cart=cart, key=body.key, details=details, language=lang, customer=_customer(request)
        )
    except CheckoutInputError as exc:
        return Status(
            422,
            CheckoutErrorOut(
                detail=_("Some details are missing or wrong."),
                code=exc.code,
                problems=[f"{field}: {message}" for field, message in exc.problems.items()],
                fields=exc.problems,
            ),
        )
    if result.status == "completed" and result.order is not None:
        return Status(201, _placed(result.order))
    if result.status == "failed":
        refused = result.code in ("payment_declined", "payment_refused")
        return Status(
            402 if refused else 409, ErrorOut(detail=result.message, code=result.code or "failed")
        )
    return Status(
        202,
        CheckoutPendingOut(
            status="awaiting_payment" if result.status == "awaiting_payment" else "processing",
            key=result.key,
            payment_provider_id=result.payment_provider_id,
        ),
    )


@router.get("/checkouts/{key}", response={200: CheckoutStatusOut, 404: ErrorOut, 422: ErrorOut})
@api_access(PUBLIC)
def checkout_status(request: HttpRequest, key: KeyPath) -> CheckoutStatusOut:
    """Where the checkout ``key`` stands; ``order_number`` once it is completed."""
    result = services.checkout_status(key=key)
    if result is None:
        raise HttpError(404, _("No order was placed with this key."))
    order = result.order
    return CheckoutStatusOut(
        key=result.key,
        status=result.status,  # type: ignore[arg-type]
        order_number=order.number if order is not None else None,
        reference=order.reference if order is not None else None,
        code=result.code,
        message=result.message,
    )


@router.get("/orders/{reference}", response={200: OrderOut, 404: ErrorOut, 422: ErrorOut})
@api_access(PUBLIC)
def order_detail(request: HttpRequest, reference: KeyPath) -> OrderOut:
    """An order by its reference (the checkout key, known only to the shopper who placed it):
    its state and lines, for an order-status page."""
    order = order_by_reference(reference)
    if order is None:
        raise HttpError(404, _("There is no such order."))
    currency = order.currency
    return OrderOut(
        number=order.number,
        reference=order.reference,
        status=order.status,
        status_name=str(order.get_status_display()),
        placed_at=order.placed_at,
        currency=currency,
        country=order.country,
        shipping_method=order.shipping_method_name,
        lines=[
            OrderLineOut(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                quantity_shipped=line.quantity_shipped,
                unit_price=_amount(line.unit_price, currency),
                line_total=_amount(line.line_total, currency),
            )
            for line in order.lines.all()
        ],
        subtotal=_amount(order.subtotal, currency),
        shipping_total=_amount(order.shipping_total, currency),
        tax_total=_amount(order.tax_total, currency),
        total=_amount(order.total, currency),
        refunded_total=_amount(order.refunded_total, currency),
    )
