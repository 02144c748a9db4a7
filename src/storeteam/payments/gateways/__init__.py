"""Payment gateways: the interface (``base``), the built-in test gateway and the Stripe adapter.

Which gateways the store uses is the ``PAYMENT_GATEWAYS`` setting (code → class path and options),
read by ``gateway_for``, in the manner of Django's ``CACHES`` and ``STORAGES``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from storeteam.payments.gateways.base import PaymentGateway, UnknownGatewayError


def gateway_codes() -> list[str]:
    return list(settings.PAYMENT_GATEWAYS)


def gateway_for(code: str) -> PaymentGateway:
    """The configured gateway named ``code``; ``UnknownGatewayError`` when there is none."""
    config: dict[str, Any] | None = settings.PAYMENT_GATEWAYS.get(code)
    if config is None:
        raise UnknownGatewayError(code)
    backend = import_string(config["BACKEND"])
    gateway: PaymentGateway = backend(code=code, **config.get("OPTIONS", {}))
    return gateway
