from django.urls import path

from storeteam.storefront import (
    account_views,
    cart_views,
    checkout_views,
    order_views,
    track_views,
    views,
)

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<str:slug>/", views.category, name="category"),
    path("p/<str:slug>/", views.product, name="product"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
    path("cart/", cart_views.cart, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart_add"),
    path("cart/update/", cart_views.cart_update, name="cart_update"),
    path("checkout/", checkout_views.checkout, name="checkout"),
    path("checkout/test-bank/<str:key>/", checkout_views.test_bank, name="test_bank"),
    path(
        "checkout/test-bank/<str:key>/decide/",
        checkout_views.test_bank_decide,
        name="test_bank_decide",
    ),
    path("checkout/confirm/<str:key>/", checkout_views.card_confirm, name="card_confirm"),
    path("orders/<str:reference>/", order_views.order_receipt, name="order_receipt"),
    path("track/", track_views.track, name="track"),
    # The customer's orders live in the account's address space; they are the storefront's pages
    # because the customers app sits below orders and may not read them.
    path("account/orders/", account_views.account_orders, name="account_orders"),
    path("account/orders/<str:number>/", account_views.account_order, name="account_order"),
    path(
        "account/orders/<str:number>/return/",
        account_views.account_order_return,
        name="account_order_return",
    ),
]
