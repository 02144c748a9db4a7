from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import transaction

from storeteam.accounts.models import User
from storeteam.core.models import AuditEntry, EventDelivery, OutboxEvent
from storeteam.team.roles import ROLES
from storeteam.team.services import (
    StaffEmailTakenError,
    StaffSelfLockoutError,
    UnknownRoleError,
    role_of,
    roles_sync,
    staff_change_role,
    staff_create,
    staff_set_active,
)


@pytest.mark.django_db
def test_every_role_is_a_group_with_exactly_its_declared_permissions() -> None:
    for role in ROLES:
        group = Group.objects.get(name=role.code)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions), role.code
    assert len(ROLES) == 15


@pytest.mark.django_db
def test_roles_sync_removes_a_grant_added_by_hand() -> None:
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name="marketing_manager")
    group.permissions.add(Permission.objects.get(codename="manage_staff"))
    roles_sync()
    # Back to exactly its declared grants (seeing stock, for stock-aware campaigns).
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert granted == {"inventory.view_stock"}


@pytest.mark.django_db(transaction=True)
def test_staff_create_audits_invites_by_email_in_their_language(
    staff_factory: Any, drain_tasks: Any
) -> None:
    # given
    head = staff_factory(role="head_of_digital")
    # when
    member = staff_create(
        actor=head,
        email=" Maja@Store.Example ",
        full_name="Maja Svensson",
        role="inventory_manager",
        language="sv",
    )
    drain_tasks()
    # then
    assert member.email == "maja@store.example"
    assert member.is_staff
    assert not member.has_usable_password()
    assert role_of(member).code == "inventory_manager"
    entry = AuditEntry.objects.get(action="staff.add")
    assert entry.actor_id == head.pk
    assert entry.after["role"] == "inventory_manager"
    assert OutboxEvent.objects.filter(name="team.StaffMemberAdded").count() == 1
    assert EventDelivery.objects.get(handler="team.invite_staff_member").state == "delivered"
    assert len(mail.outbox) == 1
    invite = mail.outbox[0]
    assert invite.to == ["maja@store.example"]
    assert "/staff/password/" in invite.body
    assert "Välkommen" in invite.subject  # Swedish, her language


@pytest.mark.django_db
def test_invitation_link_lets_the_member_choose_a_password_once(
    staff_factory: Any, client: Any
) -> None:
    import re

    from django.test import override_settings

    with override_settings(OUTBOX_BACKOFF_SECONDS=0):
        with transaction.atomic():
            member = staff_create(
                actor=None, email="new@store.example", full_name="New Person", role="developer"
            )
        from storeteam.core.outbox import event_deliver

        event_deliver(event_id=OutboxEvent.objects.get(name="team.StaffMemberAdded").pk)
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else path,
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-long-new-passphrase")
    # the link is spent
    assert b"already been used" in client.get(path, follow=True).content


@pytest.mark.django_db
def test_duplicate_email_and_unknown_role_are_refused(staff_factory: Any) -> None:
    existing = staff_factory(role="developer")
    with pytest.raises(StaffEmailTakenError):
        staff_create(actor=None, email=existing.email.upper(), role="developer")
    with pytest.raises(UnknownRoleError):
        staff_create(actor=None, email="x@store.example", role="overlord")
    assert not User.objects.filter(email="x@store.example").exists()


@pytest.mark.django_db
def test_change_role_replaces_the_old_role_and_audits(staff_factory: Any) -> None:
    head = staff_factory(role="head_of_digital")
    member = staff_factory(role="developer")
    assert member.has_perm("core.retry_event_delivery")
    staff_change_role(actor=head, member=member, role="marketing_manager")
    assert [g.name for g in member.groups.all()] == ["marketing_manager"]
    fresh = User.objects.get(pk=member.pk)
    assert not fresh.has_perm("core.retry_event_delivery")
    entry = AuditEntry.objects.get(action="staff.change_role")
    assert (entry.before["role"], entry.after["role"]) == ("developer", "marketing_manager")


@pytest.mark.django_db
def test_a_manager_cannot_lock_themselves_out(staff_factory: Any) -> None:
    head = staff_factory(role="head_of_digital")
    with pytest.raises(StaffSelfLockoutError):
        staff_change_role(actor=head, member=head, role="finance")
    with pytest.raises(StaffSelfLockoutError):
        staff_set_active(actor=head, member=head, active=False)
    assert role_of(User.objects.get(pk=head.pk)).code == "head_of_digital"
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_staff_workspace_adds_a_member_and_shows_errors(staff_factory: Any, client: Any) -> None:
    client.force_login(staff_factory(role="project_manager"))
    bad = client.post(
        "/staff/staff/add/",
        {"email": "not-an-email", "full_name": "", "role": "x", "language": "sv"},
    )
    assert bad.status_code == 400
    assert not User.objects.filter(email="not-an-email").exists()
    good = client.post(
        "/staff/staff/add/",
        {
            "email": "sanne@store.example",
            "full_name": "Sanne Jansen",
            "role": "customer_service_agent",
            "language": "nl",
        },
    )
    assert good.status_code == 302
    member = User.objects.get(email="sanne@store.example")
    assert role_of(member).code == "customer_service_agent"
    deactivate = client.post(f"/staff/staff/{member.pk}/activation/", {"active": "0"})
    assert deactivate.status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
