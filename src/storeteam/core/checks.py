"""System checks. The deploy ones make production refuse to start with unsafe settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_is_safe(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the development default.",
                hint="Set SECRET_KEY, or run `make setup` to write var/secret_key.",
                id="storeteam.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on.",
                hint="Production never runs with DEBUG=true: it leaks code and settings.",
                id="storeteam.E002",
            )
        )
    if "stripe" in settings.PAYMENT_GATEWAYS and not settings.STRIPE_PUBLISHABLE_KEY:
        errors.append(
            Error(
                "STRIPE_SECRET_KEY is set but STRIPE_PUBLISHABLE_KEY is not.",
                hint="The checkout needs the publishable key (pk_...) to show Stripe's card form.",
                id="storeteam.E003",
            )
        )
    if "stripe" in settings.PAYMENT_GATEWAYS and not settings.STRIPE_WEBHOOK_SECRET:
        errors.append(
            Error(
                "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not.",
                hint="Without it no Stripe webhook is believed and 3-D Secure orders never finish.",
                id="storeteam.E004",
            )
        )
    return errors
