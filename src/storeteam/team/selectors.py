"""Reads of staff and roles."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from storeteam.accounts.models import User
from storeteam.team.roles import ROLES_BY_CODE, Role


def staff_list(*, role: str = "", query: str = "", active: bool | None = None) -> QuerySet[User]:
    """Staff accounts with their groups prefetched, by email."""
    from django.contrib.auth.models import Group

    qs = (
        User.objects.filter(is_staff=True)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("id", "name")))
        .order_by("email")
    )
    if role in ROLES_BY_CODE:
        qs = qs.filter(groups__name=role)
    if query:
        qs = qs.filter(email__icontains=query) | qs.filter(full_name__icontains=query)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def role_in_prefetched(user: User) -> Role | None:
    """The role of a user whose groups were prefetched (no query)."""
    for group in user.groups.all():
        if group.name in ROLES_BY_CODE:
            return ROLES_BY_CODE[group.name]
    return None
