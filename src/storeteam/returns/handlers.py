"""How returns tell the customer: an email, in their language, when a return is approved (with
where to send it) or rejected (with why), and when its money goes back. Once each: a retried
delivery finds the notice already claimed."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from storeteam.core.events import Envelope, event_handler
from storeteam.core.mail import email_in_language
from storeteam.returns.events import ReturnDecided, ReturnRefunded
from storeteam.returns.models import ReturnNotice, ReturnRequest


def _tell(return_id: int, kind: str) -> bool:
    request = (
        ReturnRequest.objects.select_related("order", "warehouse")
        .prefetch_related("lines__order_line")
        .filter(pk=return_id)
        .first()
    )
    if request is None:
        return False
    try:
        with transaction.atomic():
            notice = ReturnNotice.objects.create(request=request, kind=kind, sent_at=timezone.now())
    except IntegrityError:
        return False
    try:
        email_in_language(
            to=request.order.email,
            language=request.order.language,
            template=f"returns/email/{kind}",
            context={"ret": request, "order": request.order, "lines": list(request.lines.all())},
        )
    except Exception:
        notice.delete()
        raise
    return True


@event_handler(ReturnDecided, name="returns.email_decision")
def email_decision(event: ReturnDecided, envelope: Envelope) -> None:
    _tell(event.return_id, "approved" if event.approved else "rejected")


@event_handler(ReturnRefunded, name="returns.email_refund")
def email_refund(event: ReturnRefunded, envelope: Envelope) -> None:
    _tell(event.return_id, "refunded")
