from django.urls import path

from storeteam.storefront import order_views, track_views, views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<str:slug>/", views.category, name="category"),
    path("p/<str:slug>/", views.product, name="product"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
    path("orders/<str:reference>/", order_views.order_receipt, name="order_receipt"),
    path("track/", track_views.track, name="track"),
]
