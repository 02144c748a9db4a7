from django.urls import path

from storeteam.fulfilment import views

app_name = "fulfilment"

urlpatterns = [
    path("webhooks/<slug:warehouse>/", views.warehouse_webhook, name="warehouse_webhook"),
]
