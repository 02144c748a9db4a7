from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeteam.core.access import customer_required, public
from storeteam.customers.forms import CustomerLoginForm, SignupForm
from storeteam.customers.services import CustomerEmailTakenError, customer_register


class CustomerLoginView(LoginView):
    template_name = "customers/login.html"
    authentication_form = CustomerLoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:home")


login_view = public(CustomerLoginView.as_view())


@public
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                language=get_language() or "",
            )
        except CustomerEmailTakenError as exc:
            form.add_error("email", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("customers:home")
    return render(
        request, "customers/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("storefront:home")


@customer_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "customers/home.html")
