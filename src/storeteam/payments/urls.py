from django.urls import path

from storeteam.payments import views

app_name = "payments"

urlpatterns = [
    path("webhooks/<slug:provider>/", views.webhook, name="webhook"),
]
