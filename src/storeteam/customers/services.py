"""Shopper accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from storeteam.accounts.models import User
from storeteam.core.errors import DomainError
from storeteam.core.events import event_publish
from storeteam.customers.events import CustomerRegistered


class CustomerEmailTakenError(DomainError):
    """An account with this email address already exists. Sign in, or reset your password."""


def customer_register(
    *, email: str, password: str, full_name: str = "", language: str = ""
) -> User:
    """Create a shopper account (never staff). The password must already be validated."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, full_name=full_name.strip(), is_staff=False, language=language
            )
            event_publish(
                CustomerRegistered(user_id=user.pk, language=language), actor=f"customer:{user.pk}"
            )
    except IntegrityError as exc:
        raise CustomerEmailTakenError() from exc
    return user


def customer_set_password(*, customer: User, password: str) -> User:
    """Set a shopper's password (already validated)."""
    if customer.is_staff:
        raise DomainError("staff passwords are managed in the back office")
    customer.set_password(password)
    customer.save(update_fields=["password"])
    return customer
