from django.urls import path

from storeteam.backoffice import views

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
]
