"""The shopper's cart and checkout pages (issue #4): add to cart, change and remove lines, check
out with field errors, declines, sold-out lines and a bank's confirmation; one order however
often the form is sent; the guest cart joins the account at sign-in; caching stays safe."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from storeteam.accounts.models import User
from storeteam.checkout.models import Cart, CartLine, CheckoutAttempt
from storeteam.checkout.services import cart_create, cart_line_set
from storeteam.inventory.selectors import salable_quantity
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.payments.gateways.testgateway import (
    CARD_DECLINED,
    CARD_REQUIRES_ACTION,
    CARD_SUCCEEDS,
)
from storeteam.payments.models import Payment
from tests.checkout.fixtures import Shop, build_shop
from tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"
DUTCH_ADDRESS = {
    "name": "Anne de Vries",
    "line1": "Damrak 1",
    "postcode": "1012lg",
    "city": "Amsterdam",
    "country": "NL",
}


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def add(client: Client, shop: Shop, sku: str, quantity: int = 1, **extra: str) -> Any:
    return client.post(
        "/cart/add/",
        {"variant": shop.variants[sku], "quantity": quantity, **extra},
    )


def key_on(page: Any) -> str:
    match = re.search(r'name="key" value="([0-9a-f]+)"', page.content.decode())
    assert match, "the checkout form carries the cart's checkout key"
    return match.group(1)


def checkout_form(key: str, **changes: str) -> dict[str, str]:
    form = {
        "key": key,
        "email": "anne@example.com",
        "phone": "",
        **DUTCH_ADDRESS,
        "shipping_method": "postal",
        "card_number": "4242 4242 4242 4242",
    }
    form.update(changes)
    return form


def cart_of_client(client: Client) -> Cart:
    return Cart.objects.get(token=client.session["storefront_cart"])


# --- the cart -----------------------------------------------------------------------------------


def test_a_shopper_adds_a_variant_from_the_product_page(client: Client, shop: Shop) -> None:
    page = client.get("/p/wool-jacket/").content.decode()
    assert 'action="/cart/add/"' in page
    assert 'name="quantity"' in page
    assert "Add to cart" in page

    response = add(client, shop, JACKET, 2, next="/p/wool-jacket/")

    assert response.status_code == 302
    assert response["Location"] == "/cart/"
    cart = client.get("/cart/").content.decode()
    assert "Wool Jacket" in cart
    assert "Red / M" in cart
    assert "120.00\xa0EUR each" in cart  # the EUR price list: prices come from the server
    assert "240.00\xa0EUR" in cart
    assert "Added to your cart." in cart
    assert 'href="/checkout/"' in cart
    line = CartLine.objects.get()
    assert (line.variant_id, line.quantity) == (shop.variants[JACKET], 2)


def test_more_than_the_stock_is_refused_on_the_product_page(
    client: Client, deliver_events: Any
) -> None:
    shop = build_shop(deliver_events, stock=2)  # two in each of three warehouses

    response = add(client, shop, JACKET, 7, next="/p/wool-jacket/")

    assert response.status_code == 302
    assert response["Location"] == "/p/wool-jacket/"
    page = client.get("/p/wool-jacket/").content.decode()
    assert "Only 6 are left; you cannot have 7." in page
    assert not CartLine.objects.exists()


def test_a_quantity_that_is_not_a_number_is_explained(client: Client, shop: Shop) -> None:
    response = add(client, shop, JACKET, quantity="lots", next="/p/wool-jacket/")  # type: ignore[arg-type]
    assert response["Location"] == "/p/wool-jacket/"
    assert "Choose a quantity from 1 to 99." in client.get("/p/wool-jacket/").content.decode()


def test_an_address_elsewhere_is_never_a_place_to_go_back_to(client: Client, shop: Shop) -> None:
    response = add(client, shop, JACKET, 500, next="https://evil.example/")
    assert response["Location"] == "/cart/"


def test_quantities_are_changed_and_lines_removed(client: Client, shop: Shop) -> None:
    add(client, shop, JACKET)
    add(client, shop, SHIRT, 2)

    client.post("/cart/update/", {"variant": shop.variants[JACKET], "quantity": "3"})
    assert CartLine.objects.get(variant_id=shop.variants[JACKET]).quantity == 3

    response = client.post(
        "/cart/update/", {"variant": shop.variants[SHIRT], "quantity": "2", "action": "remove"}
    )
    assert response["Location"] == "/cart/"
    page = client.get("/cart/").content.decode()
    assert "Removed from your cart." in page
    assert "Linen Shirt" not in page
    assert "360.00\xa0EUR" in page  # 3 x 120
    assert list(CartLine.objects.values_list("variant_id", flat=True)) == [shop.variants[JACKET]]


def test_a_line_the_stock_cannot_cover_is_marked_in_the_cart(
    client: Client, deliver_events: Any
) -> None:
    shop = build_shop(deliver_events, stock=1)
    add(client, shop, JACKET)
    CartLine.objects.update(quantity=5)  # others bought the rest meanwhile

    page = client.get("/cart/").content.decode()

    assert "Only 3 are left." in page
    assert 'href="/checkout/"' not in page  # the line must be changed first
    too_many = client.post("/cart/update/", {"variant": shop.variants[JACKET], "quantity": "4"})
    assert too_many["Location"] == "/cart/"
    assert "Only 3 are left; you cannot have 4." in client.get("/cart/").content.decode()


def test_an_empty_cart_says_so_and_the_checkout_sends_back_to_it(client: Client, db: Any) -> None:
    assert "Your cart is empty." in client.get("/cart/").content.decode()
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response["Location"] == "/cart/"


def test_the_cart_follows_the_currency_of_the_language(client: Client, shop: Shop) -> None:
    client.post("/sv/cart/add/", {"variant": shop.variants[JACKET], "quantity": 1})
    assert "1\xa0200,00\xa0SEK" in client.get("/sv/cart/").content.decode()

    english = client.get("/cart/").content.decode()

    assert "120.00\xa0EUR" in english
    assert Cart.objects.get().currency == "EUR"


# --- the checkout -------------------------------------------------------------------------------


def test_the_checkout_shows_shipping_for_the_country_and_the_totals(
    client: Client, shop: Shop
) -> None:
    add(client, shop, SHIRT)

    key = key_on(client.get("/checkout/"))

    page = client.post(
        "/checkout/", {**checkout_form(key), "country": "NL", "action": "update"}
    ).content.decode()

    assert '<option value="NL" selected>' in page
    assert '<option value="SE"' in page
    assert "Postal parcel" in page
    assert "Express" in page
    assert "49.90\xa0EUR" in page  # 45.00 + 4.90 shipping
    assert "Of which VAT" in page
    assert "8.66\xa0EUR" in page
    assert "4242 4242 4242 4242" in page  # the test cards are explained

    in_france = client.post(
        "/checkout/", {**checkout_form(key), "country": "FR", "action": "update"}
    ).content.decode()

    assert "Express" not in in_france  # express delivers only to Sweden and the Netherlands
    assert '<option value="FR" selected>' in in_france
    assert "49.90\xa0EUR" in in_france


def test_the_test_cards_are_not_shown_without_the_test_gateway(
    client: Client, shop: Shop, settings: Any
) -> None:
    add(client, shop, SHIRT)
    settings.PAYMENTS_TEST_GATEWAY = False
    assert "4242 4242 4242 4242" not in client.get("/checkout/").content.decode()


def test_wrong_details_are_shown_next_to_their_fields(client: Client, shop: Shop) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post(
        "/checkout/", checkout_form(key, email="anne@", postcode="12", city="", card_number="")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="field-error" id="f-email-error">Enter a valid email address.</p>' in page
    assert 'id="f-city-error">This field is required.</p>' in page
    assert 'id="f-postcode-error">This is not a postcode of the country chosen.</p>' in page
    assert 'id="f-card_number-error">Enter your payment details.</p>' in page
    assert 'aria-describedby="f-email-error' in page
    assert 'value="Damrak 1"' in page  # what was typed is kept
    assert not CheckoutAttempt.objects.exists()
    assert not Order.objects.exists()


def test_an_order_is_placed_and_the_shopper_sees_the_receipt(client: Client, shop: Shop) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post("/checkout/", checkout_form(key, phone="+31 20 123 4567"))

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{key}/"
    order = Order.objects.get()
    assert order.status == OrderStatus.ALLOCATED
    assert (order.email, order.country, order.customer_id) == ("anne@example.com", "NL", None)
    assert order.total == Decimal("120.00")  # free shipping above 100 EUR
    assert order.shipping_address["postcode"] == "1012 LG"
    receipt = client.get(response["Location"]).content.decode()
    assert f"Thank you for your order {order.number}." in receipt
    assert "Netherlands" in receipt
    assert "Wool Jacket" in receipt
    assert "Follow this order in your account" not in receipt  # a guest has none
    assert "Your cart is empty." in client.get("/cart/").content.decode()


def test_sending_the_checkout_twice_makes_one_order(client: Client, shop: Shop) -> None:
    add(client, shop, JACKET)
    form = checkout_form(key_on(client.get("/checkout/")))

    first = client.post("/checkout/", form)
    second = client.post("/checkout/", form)  # a double click, or the back button and again

    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1


def test_a_declined_card_charges_nothing_and_the_shopper_can_try_again(
    client: Client, shop: Shop
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post("/checkout/", checkout_form(key, card_number=CARD_DECLINED))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your payment was declined (card_declined). Nothing was charged" in page
    assert not Order.objects.exists()
    new_key = key_on(response)
    assert new_key != key
    assert salable_quantity(variant_id=shop.variants[JACKET], country="NL") == 20

    retried = client.post("/checkout/", checkout_form(new_key, card_number=CARD_SUCCEEDS))
    assert retried["Location"] == f"/orders/{new_key}/"
    assert Order.objects.count() == 1


def test_a_line_sold_out_meanwhile_is_named_and_nothing_is_charged(
    client: Client, deliver_events: Any
) -> None:
    shop = build_shop(deliver_events, stock=1)
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    CartLine.objects.update(quantity=3)  # the Tilburg warehouse that serves NL has one

    response = client.post("/checkout/", checkout_form(key))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some products sold out before your order was placed." in page
    assert f"{JACKET}: only 1 is available (3 asked for)" in page
    assert "Nothing was charged." in page
    assert not Payment.objects.exists()
    assert not Order.objects.exists()


def test_a_cart_changed_in_another_tab_is_shown_again_before_ordering(
    client: Client, shop: Shop
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    add(client, shop, SHIRT)  # in another tab

    response = client.post("/checkout/", checkout_form(key))

    assert response["Location"] == "/cart/"
    assert "Your cart changed since you opened the checkout" in (
        client.get("/cart/").content.decode()
    )
    assert not CheckoutAttempt.objects.exists()


@pytest.mark.parametrize(
    ("decision", "approved"), [("approve", True), ("decline", False)], ids=["approve", "decline"]
)
def test_a_payment_the_bank_must_confirm_goes_through_the_test_bank(
    client: Client, shop: Shop, deliver_events: Any, decision: str, approved: bool
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post("/checkout/", checkout_form(key, card_number=CARD_REQUIRES_ACTION))

    assert response["Location"] == f"/checkout/test-bank/{key}/"
    bank = client.get(response["Location"]).content.decode()
    assert "Confirm with your bank" in bank
    assert "120.00\xa0EUR" in bank
    assert not Order.objects.exists()
    left_the_bank = client.get(f"/orders/{key}/").content.decode()
    assert f'href="/checkout/test-bank/{key}/">Confirm with your bank</a>' in left_the_bank

    decided = client.post(f"/checkout/test-bank/{key}/decide/", {"decision": decision})

    assert decided["Location"] == f"/orders/{key}/"
    waiting = client.get(decided["Location"])
    assert "We are confirming your payment" in waiting.content.decode()
    assert "Confirm with your bank" not in waiting.content.decode()
    assert waiting["Refresh"] == "3"
    deliver_events()  # the worker runs the handlers of the payment's events
    receipt = client.get(decided["Location"]).content.decode()
    if approved:
        order = Order.objects.get()
        assert f"Thank you for your order {order.number}." in receipt
        assert Payment.objects.get().state == "captured"
    else:
        assert "Your order was not placed" in receipt
        assert "Nothing was charged." in receipt
        assert not Order.objects.exists()
        assert salable_quantity(variant_id=shop.variants[JACKET], country="NL") == 20
        # the cart is still there, with a new key, to try another card
        assert "Wool Jacket" in client.get("/checkout/").content.decode()


def test_the_test_bank_is_not_there_without_the_test_gateway(
    client: Client, shop: Shop, settings: Any
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    client.post("/checkout/", checkout_form(key, card_number=CARD_REQUIRES_ACTION))
    settings.PAYMENTS_TEST_GATEWAY = False
    assert client.get(f"/checkout/test-bank/{key}/").status_code == 404
    assert (
        client.post(f"/checkout/test-bank/{key}/decide/", {"decision": "approve"}).status_code
        == 404
    )


def test_a_guest_creates_an_account_at_checkout_and_finds_the_order_there(
    client: Client, shop: Shop
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    response = client.post(
        "/checkout/",
        checkout_form(key, create_account="on", password="quiet-garden-lamp"),
    )

    assert response["Location"] == f"/orders/{key}/"
    customer = User.objects.get(email="anne@example.com")
    assert customer.is_staff is False
    assert customer.full_name == "Anne de Vries"
    order = Order.objects.get()
    assert order.customer_id == customer.pk
    receipt = client.get(response["Location"]).content.decode()
    assert "Follow this order in your account" in receipt
    orders = client.get("/account/orders/").content.decode()
    assert f"Order {order.number}" in orders


def test_an_account_that_exists_or_a_weak_password_is_refused_before_anything_happens(
    client: Client, shop: Shop, customer: Any
) -> None:
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))

    taken = client.post(
        "/checkout/",
        checkout_form(key, email=customer.email, create_account="on", password="quiet-lamp-x1"),
    )
    weak = client.post(
        "/checkout/",
        checkout_form(key, email="new@example.com", create_account="on", password="12345678"),
    )

    assert taken.status_code == 400
    assert "An account with this email address already exists. Sign in instead." in (
        taken.content.decode()
    )
    assert weak.status_code == 400
    assert 'id="f-password-error"' in weak.content.decode()
    assert User.objects.count() == 1
    assert not CheckoutAttempt.objects.exists()


def test_a_signed_in_customer_finds_the_email_filled_in_and_the_order_linked(
    client: Client, shop: Shop, customer: Any
) -> None:
    client.force_login(customer)
    add(client, shop, SHIRT)

    page = client.get("/checkout/")

    assert f'value="{customer.email}"' in page.content.decode()
    assert "Create an account with this email" not in page.content.decode()
    client.post("/checkout/", checkout_form(key_on(page), email=customer.email))
    assert Order.objects.get().customer_id == customer.pk


def test_the_guest_cart_joins_the_customers_cart_at_sign_in(
    client: Client, shop: Shop, customer: Any
) -> None:
    mine = cart_create(currency="EUR", customer=customer)
    cart_line_set(cart=mine, variant_id=shop.variants[SHIRT], quantity=1)
    add(client, shop, JACKET, 2)
    add(client, shop, SHIRT)

    response = client.post("/account/login/", {"username": customer.email, "password": PASSWORD})

    assert response.status_code == 302
    lines = dict(CartLine.objects.filter(cart=mine).values_list("variant__sku", "quantity"))
    assert lines == {SHIRT: 2, JACKET: 2}
    page = client.get("/cart/").content.decode()
    assert "Wool Jacket" in page
    assert "Linen Shirt" in page
    assert 'class="badge" aria-hidden="true">4<' in page


# --- the customer's orders ----------------------------------------------------------------------


def place_order_for(client: Client, shop: Shop, customer: Any) -> Order:
    client.force_login(customer)
    add(client, shop, JACKET)
    key = key_on(client.get("/checkout/"))
    client.post("/checkout/", checkout_form(key, email=customer.email))
    return Order.objects.get(reference=key)


def test_customers_see_their_own_orders_and_only_theirs(client: Client, shop: Shop) -> None:
    anne, bert = CustomerFactory(), CustomerFactory()
    annes = place_order_for(client, shop, anne)
    berts = place_order_for(Client(), shop, bert)

    listing = client.get("/account/orders/").content.decode()
    detail = client.get(f"/account/orders/{annes.number}/")
    someone_elses = client.get(f"/account/orders/{berts.number}/")

    assert f"Order {annes.number}" in listing
    assert f"Order {berts.number}" not in listing
    assert "Allocated" in listing
    assert "120.00\xa0EUR" in listing
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Wool Jacket" in page
    assert "Damrak 1" in page
    assert [s.strip() for s in re.findall(r"</time> <span>([^<]+)</span>", page)] == [
        "Placed",
        "Paid",
        "Allocated",
    ]
    assert someone_elses.status_code == 404
    assert client.get("/account/orders/not-a-number/").status_code == 404
    assert 'href="/account/orders/"' in client.get("/account/").content.decode()


def test_a_visitor_must_sign_in_to_see_account_orders(client: Client, db: Any) -> None:
    response = client.get("/account/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


# --- security and caching -----------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused_and_a_cached_page_carries_a_good_one(
    shop: Shop,
) -> None:
    Client().get("/p/wool-jacket/")  # someone else's visit puts the page in the cache
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post("/cart/add/", {"variant": shop.variants[JACKET], "quantity": 1})
    assert forged.status_code == 403
    assert not CartLine.objects.exists()

    page = browser.get("/p/wool-jacket/")  # served from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    added = browser.post(
        "/cart/add/",
        {"variant": shop.variants[JACKET], "quantity": 1, "csrfmiddlewaretoken": token.group(1)},
    )
    assert added.status_code == 302
    assert CartLine.objects.count() == 1

    checkout = browser.get("/checkout/")
    forged_order = browser.post("/checkout/", checkout_form(key_on(checkout)))
    assert forged_order.status_code == 403
    assert not CheckoutAttempt.objects.exists()


def test_cart_and_checkout_pages_are_never_cached(client: Client, shop: Shop) -> None:
    add(client, shop, JACKET)
    for url in ("/cart/", "/checkout/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"]
        assert "max-age=0" in response["Cache-Control"]


def test_product_pages_stay_cached_and_never_carry_a_cart(
    client: Client, shop: Shop, django_assert_num_queries: Any
) -> None:
    add(client, shop, JACKET, 2)
    mine = client.get("/p/wool-jacket/").content.decode()
    assert 'class="badge" aria-hidden="true">2<' in mine  # the shopper's own page: not cached

    Client().get("/p/wool-jacket/")  # an anonymous visitor's page goes into the cache
    with django_assert_num_queries(1):  # only the listing version: the page is from the cache
        cached = Client().get("/p/wool-jacket/")

    assert cached.status_code == 200
    html = cached.content.decode()
    assert 'href="/cart/">Cart</a>' in html
    assert "badge" not in html
    assert "csrftoken" in cached.cookies  # each visitor gets a token of their own
    assert "storeteam-csrf-token-of-this-visitor" not in html
