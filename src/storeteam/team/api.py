"""Staff API: who am I, and the staff list for those who may see it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from storeteam.accounts.models import User
from storeteam.core.access import Access, api_access
from storeteam.core.api_schemas import ERRORS_STAFF
from storeteam.team import selectors
from storeteam.team.roles import VIEW_STAFF
from storeteam.team.services import role_of

router = Router(tags=["staff"])


class StaffOut(Schema):
    id: int
    email: str
    full_name: str
    role: str | None
    is_active: bool


class MeOut(StaffOut):
    permissions: list[str]


@router.get("/me", response={200: MeOut, **ERRORS_STAFF}, auth=django_auth)
@api_access(Access("staff"))
def me(request: HttpRequest) -> MeOut:
    """The signed-in staff member, their role and every permission it grants."""
    user = request.user
    assert isinstance(user, User)
    role = role_of(user)
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        role=role.code if role else None,
        is_active=user.is_active,
        permissions=sorted(user.get_all_permissions()),
    )


@router.get("/members", response={200: list[StaffOut], **ERRORS_STAFF}, auth=django_auth)
@api_access(Access("staff", VIEW_STAFF))
def members(request: HttpRequest, role: str = "", q: str = "") -> list[StaffOut]:
    """Staff accounts with their role, by email."""
    out = []
    for member in selectors.staff_list(role=role, query=q)[:1000]:
        found = selectors.role_in_prefetched(member)
        out.append(
            StaffOut(
                id=member.pk,
                email=member.email,
                full_name=member.full_name,
                role=found.code if found else None,
                is_active=member.is_active,
            )
        )
    return out
