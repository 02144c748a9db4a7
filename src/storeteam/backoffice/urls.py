from django.urls import path

from storeteam.backoffice import (
    catalog_views,
    fulfilment_views,
    inventory_views,
    payments_views,
    views,
)

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
    path("catalog/", catalog_views.products, name="catalog_products"),
    path("catalog/products/new/", catalog_views.product_new, name="catalog_product_new"),
    path("catalog/products/<int:product_id>/", catalog_views.product_edit, name="catalog_product"),
    path("catalog/categories/", catalog_views.categories, name="catalog_categories"),
    path("catalog/categories/new/", catalog_views.category_edit, name="catalog_category_new"),
    path(
        "catalog/categories/<int:category_id>/",
        catalog_views.category_edit,
        name="catalog_category",
    ),
    path(
        "catalog/categories/<int:category_id>/sorting/",
        catalog_views.category_sorting,
        name="catalog_sorting",
    ),
    path("catalog/import/", catalog_views.import_upload, name="catalog_import"),
    path("catalog/import/<int:job_id>/", catalog_views.import_job, name="catalog_import_job"),
    path("catalog/export.csv", catalog_views.export, name="catalog_export"),
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
    path("payments/", payments_views.payments, name="payments"),
    path("payments/<int:payment_id>/", payments_views.payment, name="payment"),
    path(
        "payments/<int:payment_id>/refund/",
        payments_views.payment_refund_view,
        name="payment_refund",
    ),
    path(
        "payments/<int:payment_id>/attention/",
        payments_views.payment_attention_clear_view,
        name="payment_attention_clear",
    ),
    path("fulfilment/", fulfilment_views.overview, name="fulfilment"),
    path(
        "fulfilment/warehouses/<int:warehouse_id>/",
        fulfilment_views.warehouse_work,
        name="fulfilment_warehouse",
    ),
    path(
        "fulfilment/warehouses/<int:warehouse_id>/pick-lists/",
        fulfilment_views.pick_list_new,
        name="fulfilment_pick_list_new",
    ),
    path(
        "fulfilment/pick-lists/<int:pick_list_id>/",
        fulfilment_views.pick_list,
        name="fulfilment_pick_list",
    ),
    path(
        "fulfilment/shipments/<int:shipment_id>/",
        fulfilment_views.packing,
        name="fulfilment_packing",
    ),
    path(
        "fulfilment/shipments/<int:shipment_id>/pack/",
        fulfilment_views.pack,
        name="fulfilment_pack",
    ),
    path(
        "fulfilment/shipments/<int:shipment_id>/split/",
        fulfilment_views.split,
        name="fulfilment_split",
    ),
    path(
        "fulfilment/shipments/<int:shipment_id>/ship/",
        fulfilment_views.ship,
        name="fulfilment_ship",
    ),
    path(
        "fulfilment/shipments/<int:shipment_id>/reprint/",
        fulfilment_views.reprint,
        name="fulfilment_reprint",
    ),
    path(
        "fulfilment/stations/<int:station_id>/",
        fulfilment_views.station_queue,
        name="fulfilment_station",
    ),
    path(
        "fulfilment/print-jobs/<int:job_id>/decide/",
        fulfilment_views.print_job_decide,
        name="fulfilment_print_job_decide",
    ),
]
