from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from storeteam.accounts.models import User
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_shopper_signs_up_and_sees_their_account(client: Client) -> None:
    response = client.post(
        "/account/signup/",
        {"full_name": "Alex", "email": "Alex@Example.com", "password": "quiet-garden-lamp"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="alex@example.com")
    assert user.is_staff is False
    page = client.get("/account/")
    assert page.status_code == 200
    assert b"alex@example.com" in page.content


@pytest.mark.django_db
def test_signup_rejects_weak_password_and_taken_email(client: Client, customer: Any) -> None:
    weak = client.post("/account/signup/", {"email": "new@example.com", "password": "12345678"})
    assert weak.status_code == 400
    assert b"entirely numeric" in weak.content or b"too common" in weak.content
    taken = client.post(
        "/account/signup/", {"email": customer.email.upper(), "password": "quiet-garden-lamp"}
    )
    assert taken.status_code == 400
    assert b"already exists" in taken.content
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_staff_and_customers_sign_in_only_at_their_own_door(
    client: Client, customer: Any, staff_factory: Any
) -> None:
    staff = staff_factory(role="developer")
    at_store = client.post("/account/login/", {"username": staff.email, "password": PASSWORD})
    assert at_store.status_code == 200
    assert b"staff account" in at_store.content
    at_office = client.post("/staff/login/", {"username": customer.email, "password": PASSWORD})
    assert at_office.status_code == 200
    assert b"customer account" in at_office.content
    assert "_auth_user_id" not in client.session
    ok = client.post("/staff/login/", {"username": staff.email, "password": PASSWORD})
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/staff/"


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(client: Client, customer: Any) -> None:
    statuses = [
        client.post(
            "/account/login/", {"username": customer.email, "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    # four failures are answered with the form again; the fifth locks the account for this address
    assert statuses == [200, 200, 200, 200, 429]
    locked = client.post("/account/login/", {"username": customer.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2() -> None:
    from storeteam.config import settings as store_settings

    assert store_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_customer_pages_need_a_customer(client: Client, staff_factory: Any) -> None:
    assert client.get("/account/").headers["Location"].startswith("/account/login/?next=")
    client.force_login(staff_factory(role="developer"))
    assert client.get("/account/").status_code == 403
