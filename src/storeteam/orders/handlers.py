"""How the orders domain reacts to its own events: the confirmation email (I3)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from storeteam.core.events import Envelope, event_handler
from storeteam.orders.events import OrderPlaced
from storeteam.orders.models import Order


@event_handler(OrderPlaced, name="orders.send_confirmation")
def send_confirmation(event: OrderPlaced, envelope: Envelope) -> None:
    """Email the order confirmation in the customer's language, once: the order is claimed by a
    conditional update first, and released again if sending fails so the retry sends it."""
    now = timezone.now()
    claimed = Order.objects.filter(pk=event.order_id, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=now
    )
    if not claimed:
        return
    order = Order.objects.prefetch_related("lines").get(pk=event.order_id)
    language = order.language if order.language in dict(settings.LANGUAGES) else None
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            link = settings.STORE_URL + reverse(
                "storefront:order_receipt", kwargs={"reference": order.reference}
            )
            context = {"order": order, "lines": list(order.lines.all()), "link": link}
            context["store"] = settings.STORE_NAME
            subject = render_to_string("orders/email/confirmation_subject.txt", context)
            body = render_to_string("orders/email/confirmation.txt", context)
            html = render_to_string("orders/email/confirmation.html", context)
        message = EmailMultiAlternatives(" ".join(subject.split()), body, None, [order.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(confirmation_sent_at=None)
        raise
