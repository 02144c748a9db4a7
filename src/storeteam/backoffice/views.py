"""The staff shell: sign-in, each role's home, and the workspaces of the parts built so far.

Views parse input, check access (declared by decorator), call one service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeteam.accounts.models import User
from storeteam.backoffice.forms import RoleChangeForm, StaffAddForm, StaffLoginForm
from storeteam.backoffice.navigation import navigation_for
from storeteam.core import selectors as core_selectors
from storeteam.core.access import public, staff_permission, staff_required
from storeteam.core.models import DeliveryState
from storeteam.core.outbox import DeliveryNotRetryableError, delivery_retry
from storeteam.inventory import selectors as inventory_selectors
from storeteam.orders import selectors as order_selectors
from storeteam.team import selectors as team_selectors
from storeteam.team.roles import (
    MANAGE_STAFF,
    ROLES_BY_CODE,
    VIEW_AUDIT_LOG,
    VIEW_EVENT_OUTBOX,
    VIEW_ORDERS,
    VIEW_STAFF,
    VIEW_STOCK,
)
from storeteam.team.services import (
    StaffError,
    role_of,
    staff_change_role,
    staff_create,
    staff_set_active,
)

PAGE_SIZE = 50


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class StaffLoginView(LoginView):
    template_name = "backoffice/login.html"
    authentication_form = StaffLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("backoffice:home")


login_view = public(StaffLoginView.as_view())


class StaffPasswordSetView(PasswordResetConfirmView):
    """The invitation link: a new staff member chooses a password (Django's reset-token check)."""

    template_name = "backoffice/password_set.html"
    success_url = reverse_lazy("backoffice:login")
    post_reset_login = False

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return super().form_valid(form)


password_set = public(StaffPasswordSetView.as_view())


@staff_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("backoffice:login")


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    nav = navigation_for(user)
    counts: dict[str, object] = {}
    if user.has_perm(VIEW_EVENT_OUTBOX):
        counts["backoffice:events"] = core_selectors.delivery_counts()
    if user.has_perm(VIEW_STAFF):
        counts["backoffice:staff_list"] = team_selectors.staff_list(active=True).count()
    if user.has_perm(VIEW_STOCK):
        counts["backoffice:inventory_low_stock"] = inventory_selectors.low_stock_count()
    if user.has_perm(VIEW_ORDERS):
        counts["backoffice:orders"] = order_selectors.staff_orders(
            order_selectors.OrderSearch(attention_only=True)
        ).count()
    recent = core_selectors.audit_entries(actor_id=user.pk)[:10]
    return render(
        request,
        "backoffice/home.html",
        {"nav": nav, "role": role_of(user), "counts": counts, "recent": recent},
    )


@staff_permission(VIEW_EVENT_OUTBOX)
def events(request: HttpRequest) -> HttpResponse:
    filters = core_selectors.as_filters(request.GET, "state", "handler")
    deliveries = core_selectors.deliveries_list(state=filters["state"], handler=filters["handler"])
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/events.html",
        {
            "page": page,
            "filters": filters,
            "counts": core_selectors.delivery_counts(),
            "states": DeliveryState.choices,
        },
    )


@staff_permission("core.retry_event_delivery")
@require_POST
def event_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        delivery_retry(delivery_id=delivery_id, actor=request.user, ip_address=_ip(request))
    except DeliveryNotRetryableError:
        messages.error(request, _("Only a dead-lettered delivery can be retried."))
    else:
        messages.success(request, _("The delivery is queued again."))
    return redirect(f"{reverse('backoffice:events')}?state=dead")


@staff_permission(VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = core_selectors.as_filters(request.GET, "action", "target")
    entries = core_selectors.audit_entries(action=filters["action"], target=filters["target"])
    page = Paginator(entries.select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/audit.html",
        {
            "page": page,
            "filters": filters,
            "actions": core_selectors.audit_actions(),
        },
    )


@staff_permission(VIEW_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    filters = core_selectors.as_filters(request.GET, "role", "q")
    staff = team_selectors.staff_list(role=filters["role"], query=filters["q"])
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(member, team_selectors.role_in_prefetched(member)) for member in page]
    return render(
        request,
        "backoffice/staff_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "roles": ROLES_BY_CODE.values(),
            "can_manage": request.user.has_perm(MANAGE_STAFF),
        },
    )


@staff_permission(MANAGE_STAFF)
def staff_add(request: HttpRequest) -> HttpResponse:
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_create(actor=request.user, ip_address=_ip(request), **form.cleaned_data)  # type: ignore[arg-type]
        except StaffError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request, _("%(email)s was added and invited by email.") % {"email": member.email}
            )
            return redirect("backoffice:staff_detail", member_id=member.pk)
    return render(
        request,
        "backoffice/staff_add.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_STAFF)
def staff_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id, is_staff=True)
    role = role_of(member)
    form = RoleChangeForm(request.POST or None, initial={"role": role.code if role else None})
    if request.method == "POST" and form.is_valid():
        try:
            staff_change_role(
                actor=request.user,  # type: ignore[arg-type]
                member=member,
                role=form.cleaned_data["role"],
                ip_address=_ip(request),
            )
        except StaffError as exc:
            form.add_error("role", exc.message)
        else:
            messages.success(request, _("The role was changed."))
            return redirect("backoffice:staff_detail", member_id=member.pk)
    history = core_selectors.audit_entries().filter(
        target_type=User._meta.label, target_id=str(member.pk)
    )[:20]
    return render(
        request,
        "backoffice/staff_detail.html",
        {
            "member": member,
            "role": role,
            "form": form,
            "history": history,
        },
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_STAFF)
@require_POST
def staff_activation(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id, is_staff=True)
    active = request.POST.get("active") == "1"
    try:
        staff_set_active(actor=request.user, member=member, active=active, ip_address=_ip(request))  # type: ignore[arg-type]
    except StaffError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The account is active again.") if active else _("The account is deactivated."),
        )
    return redirect("backoffice:staff_detail", member_id=member.pk)
