"""Who may open a view. Every view of the store declares one of these; a test walks every URL
against every role and fails when a view declares nothing (see tests/backoffice/test_access.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

V = TypeVar("V", bound=Callable[..., Any])

Audience = Literal["public", "customer", "staff"]


@dataclass(frozen=True)
class Access:
    """What a view demands: anyone, a signed-in customer, or staff (with one permission, or any
    staff member when ``permission`` is None)."""

    audience: Audience
    permission: str | None = None

    def allows(self, user: Any) -> bool:
        if self.audience == "public":
            return True
        if not user.is_authenticated or not user.is_active:
            return False
        if self.audience == "customer":
            return not user.is_staff
        return bool(user.is_staff and (self.permission is None or user.has_perm(self.permission)))


def access_of(view: Any) -> Access | None:
    """The access a view declared, looking through class-based view wrappers."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "__wrapped__", None)):
        access = getattr(candidate, "access", None)
        if isinstance(access, Access):
            return access
    return None


def _login_redirect(request: HttpRequest, url_name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    )


def _guard(access: Access) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if access.audience == "staff":
                if not (user.is_authenticated and user.is_staff and user.is_active):
                    return _login_redirect(request, "backoffice:login")
                if not access.allows(user):
                    raise PermissionDenied
            elif access.audience == "customer" and not access.allows(user):
                if user.is_authenticated and user.is_staff:
                    raise PermissionDenied
                return _login_redirect(request, "customers:login")
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        guarded.access = access  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: V) -> V:
    """Anyone may open this view."""
    view.access = Access("public")  # type: ignore[attr-defined]
    return view


def customer_required(view: V) -> V:
    """A signed-in customer (never a staff account) may open this view."""
    return _guard(Access("customer"))(view)


def staff_required(view: V) -> V:
    """Any signed-in staff member may open this view (their home, their own settings)."""
    return _guard(Access("staff"))(view)


def staff_permission(permission: str) -> Callable[[V], V]:
    """A staff member holding ``permission`` ("app_label.codename") may open this view."""
    return _guard(Access("staff", permission))


def api_access(access: Access) -> Callable[[V], V]:
    """Declare and enforce who may call an API operation: 401 when not signed in, 403 when the
    signed-in account may not. Put it under the router's decorator."""

    def decorate(func: V) -> V:
        from ninja.errors import HttpError

        @functools.wraps(func)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if access.audience != "public" and not (user.is_authenticated and user.is_active):
                raise HttpError(401, "Sign in first.")
            if not access.allows(user):
                raise HttpError(403, "Your account may not do this.")
            return func(request, *args, **kwargs)

        guarded.access = access  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def api_session(access: Access) -> Any:
    """The ninja ``auth`` of a write operation declared with ``api_access(access)``: session
    sign-in with CSRF (as ``django_auth``), and the access checked before the request body is
    read, so someone who may not call the operation gets 401 or 403 whatever they send, never a
    validation error that tells them about the operation."""
    from ninja.errors import HttpError
    from ninja.security import SessionAuth

    class AccessSession(SessionAuth):
        def authenticate(self, request: HttpRequest, key: str | None) -> Any:
            user = request.user
            if not (user.is_authenticated and user.is_active):
                return None
            if not access.allows(user):
                raise HttpError(403, "Your account may not do this.")
            return user

    return AccessSession()
