"""How returns tell the customer: an email, in their language, when a return is approved (with
where to send it) or rejected (with why), and when its money goes back. Once each: a retried
delivery finds the notice already claimed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from storeteam.core.events import Envelope, event_handler
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
    order = request.order
    language = order.language if order.language in dict(settings.LANGUAGES) else None
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {"ret": request, "order": order, "lines": list(request.lines.all())}
            context["store"] = settings.STORE_NAME
            subject = render_to_string(f"returns/email/{kind}_subject.txt", context)
            body = render_to_string(f"returns/email/{kind}.txt", context)
        send_mail(" ".join(subject.split()), body, None, [order.email])
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
