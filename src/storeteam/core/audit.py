"""The audit log of staff actions. Services call ``audit_record`` inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone

from storeteam.core.models import AuditEntry


def _label(actor: Any) -> str:
    if actor is None:
        return "system"
    email = getattr(actor, "email", "") or str(actor)
    return str(email)[:200]


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``, with the state before and after.

    Call it inside the transaction of the change, so the log never claims a change that rolled back.
    """
    actor_pk = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        actor_id=actor_pk,
        actor_label=_label(actor),
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        before=before,
        after=after,
        reason=reason,
        ip_address=ip_address,
        at=timezone.now(),
    )
