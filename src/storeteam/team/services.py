"""Staff accounts and their roles. Every write here is a staff action: audited and evented."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from storeteam.accounts.models import User
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.core.events import event_publish
from storeteam.team.events import StaffMemberAdded, StaffRoleChanged
from storeteam.team.roles import ROLES, ROLES_BY_CODE, Role


class StaffError(DomainError):
    """The staff change cannot be made as asked."""


class UnknownRoleError(StaffError):
    """There is no such role."""


class StaffEmailTakenError(StaffError):
    """An account with this email address already exists."""


class StaffSelfLockoutError(StaffError):
    """You cannot remove your own access to staff management."""


def _permission(code: str) -> Permission:
    app_label, codename = code.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Make every role's group exist with exactly the permissions ``roles.ROLES`` declares.

    Idempotent; runs after every migrate. Returns the number of permissions per role.
    """
    counts = {}
    with transaction.atomic(using=using):
        for role in ROLES:
            group, _ = Group.objects.using(using).get_or_create(name=role.code)
            group.permissions.set([_permission(code) for code in sorted(role.permissions)])
            counts[role.code] = len(role.permissions)
    return counts


def roles_sync_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "team":
        return
    # Permissions are created per app after its migrations; create them all first so a role may
    # be granted a permission of an app migrated later in the same run.
    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    roles_sync(using=using)


def role_of(user: User) -> Role | None:
    """The staff member's role (a staff member has one), or None."""
    for name in user.groups.values_list("name", flat=True):
        if name in ROLES_BY_CODE:
            return ROLES_BY_CODE[name]
    return None


def _role(code: str) -> Role:
    role = ROLES_BY_CODE.get(code)
    if role is None:
        raise UnknownRoleError()
    return role


def _snapshot(user: User) -> dict[str, Any]:
    role = role_of(user)
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": role.code if role else None,
        "is_active": user.is_active,
    }


def staff_create(
    *,
    actor: User | None,
    email: str,
    full_name: str = "",
    role: str,
    language: str = "",
    password: str | None = None,
    ip_address: str | None = None,
) -> User:
    """Create a staff account with one role.

    Without a password the account cannot sign in until the member sets one through the invitation
    that ``StaffMemberAdded`` sends. Audited; raises StaffEmailTakenError on a duplicate email.
    """
    chosen = _role(role)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise StaffError(str(exc.messages[0])) from exc
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, full_name=full_name.strip(), is_staff=True, language=language
            )
            user.groups.add(Group.objects.get(name=chosen.code))
            audit_record(
                actor=actor,
                action="staff.add",
                target=user,
                after=_snapshot(user),
                ip_address=ip_address,
            )
            event_publish(
                StaffMemberAdded(
                    user_id=user.pk, email=user.email, role=chosen.code, language=language
                ),
                actor=f"staff:{actor.pk}" if actor else "system",
            )
    except IntegrityError as exc:
        raise StaffEmailTakenError() from exc
    return user


def staff_change_role(
    *, actor: User, member: User, role: str, ip_address: str | None = None
) -> User:
    """Give a staff member another role (replacing the old one). Audited and evented."""
    chosen = _role(role)
    if not member.is_staff:
        raise StaffError("only staff accounts have roles")
    with transaction.atomic():
        before = _snapshot(member)
        if member.pk == actor.pk and "accounts.manage_staff" not in chosen.permissions:
            raise StaffSelfLockoutError()
        role_groups = Group.objects.filter(name__in=ROLES_BY_CODE)
        member.groups.remove(*role_groups)
        member.groups.add(Group.objects.get(name=chosen.code))
        # Drop Django's per-object permission cache: the member's rights changed just now.
        for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            member.__dict__.pop(cache, None)
        after = _snapshot(member)
        audit_record(
            actor=actor,
            action="staff.change_role",
            target=member,
            before=before,
            after=after,
            ip_address=ip_address,
        )
        event_publish(
            StaffRoleChanged(
                user_id=member.pk, old_role=before["role"] or "", new_role=chosen.code
            ),
            actor=f"staff:{actor.pk}",
        )
    return member


def staff_set_active(
    *, actor: User, member: User, active: bool, ip_address: str | None = None
) -> User:
    """Deactivate a staff member (they can no longer sign in) or bring them back. Audited."""
    if not member.is_staff:
        raise StaffError("only staff accounts are managed here")
    if member.pk == actor.pk and not active:
        raise StaffSelfLockoutError()
    with transaction.atomic():
        before = _snapshot(member)
        member.is_active = active
        member.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="staff.activate" if active else "staff.deactivate",
            target=member,
            before=before,
            after=_snapshot(member),
            ip_address=ip_address,
        )
    return member


def staff_set_password(
    *, actor: User | None, member: User, password: str, ip_address: str | None = None
) -> User:
    """Set a staff member's password (the password must already be validated). Audited, without
    recording the password itself."""
    if not member.is_staff:
        raise StaffError("only staff accounts are managed here")
    with transaction.atomic():
        member.set_password(password)
        member.save(update_fields=["password"])
        audit_record(actor=actor, action="staff.set_password", target=member, ip_address=ip_address)
    return member
