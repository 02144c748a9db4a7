from django.urls import path

from storeteam.backoffice import inventory_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/<uidb64>/<token>/", views.password_set, name="password_set"),
    path("events/", views.events, name="events"),
    path("events/deliveries/<int:delivery_id>/retry/", views.event_retry, name="event_retry"),
    path("audit/", views.audit_log, name="audit_log"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/add/", views.staff_add, name="staff_add"),
    path("staff/<int:member_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:member_id>/activation/", views.staff_activation, name="staff_activation"),
    path("inventory/", inventory_views.stock, name="inventory_stock"),
    path("inventory/low/", inventory_views.low_stock, name="inventory_low_stock"),
    path("inventory/movements/", inventory_views.movements, name="inventory_movements"),
    path(
        "inventory/stock/<int:stock_id>/",
        inventory_views.stock_detail,
        name="inventory_stock_detail",
    ),
    path(
        "inventory/stock/<int:stock_id>/levels/",
        inventory_views.stock_levels,
        name="inventory_stock_levels",
    ),
    path("inventory/receive/", inventory_views.receive, name="inventory_receive"),
    path("inventory/adjust/", inventory_views.adjust, name="inventory_adjust"),
    path("inventory/transfer/", inventory_views.transfer, name="inventory_transfer"),
    path("inventory/count/", inventory_views.count, name="inventory_count"),
]
