"""Signed messages between the store and other systems (payment providers' webhooks, a warehouse
system's link): an HMAC-SHA256 of a timestamp and the body, sent as ``t=<unix time>,v1=<hex>``,
checked in constant time and refused when older than a tolerance (a replay)."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.utils.translation import gettext as _

from storeteam.core.errors import DomainError


class SignatureError(DomainError):
    """The message's signature is missing, wrong or too old."""

    code = "bad_signature"


def signature_header(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The signature header value for ``body``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_verify(body: bytes, header: str | None, *, secret: str, tolerance: int) -> None:
    """Refuse a message whose signature is missing, wrong, or older than ``tolerance`` seconds."""
    if not header:
        raise SignatureError(_("The webhook has no signature."))
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureError(_("The webhook's signature has no valid time.")) from None
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise SignatureError(_("The webhook's signature does not match."))
    if abs(time.time() - timestamp) > tolerance:
        raise SignatureError(_("The webhook is too old; it may be a replay."))
