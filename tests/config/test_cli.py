"""The command line: `storeteam demo` prints a staff login per role, and each reaches its home."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from storeteam.team.roles import ROLES


@pytest.mark.django_db
def test_demo_prints_a_working_login_per_role_and_is_repeatable() -> None:
    for _run in range(2):  # idempotent: a second run resets the passwords and prints the new ones
        out = io.StringIO()
        call_command("demo", stdout=out)
        logins = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", out.getvalue(), re.MULTILINE)
        by_role = {role: (email, password) for role, email, password in logins}
        assert set(by_role) == {r.code for r in ROLES} | {"customer"}
    for role in ROLES:
        email, password = by_role[role.code]
        client = Client()
        response = client.post(
            "/staff/login/", {"username": email, "password": password}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/staff/", role.code
        assert str(role.name) in response.content.decode()
    email, password = by_role["customer"]
    shopper = Client()
    assert (
        shopper.post("/account/login/", {"username": email, "password": password}).status_code
        == 302
    )


@pytest.mark.django_db
def test_createstaff_adds_a_member_with_a_role(capsys: Any) -> None:
    from storeteam.accounts.models import User
    from storeteam.team.services import role_of

    call_command(
        "createstaff", "ops@store.example", "--role", "logistics_manager", "--name", "Lucas"
    )
    member = User.objects.get(email="ops@store.example")
    assert member.is_staff
    assert role_of(member).code == "logistics_manager"
