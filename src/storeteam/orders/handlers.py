"""How the orders domain reacts to its own events: the confirmation email (I3)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from storeteam.core.events import Envelope, event_handler
from storeteam.core.mail import email_in_language
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
    try:
        email_in_language(
            to=order.email,
            language=order.language,
            template="orders/email/confirmation",
            context=lambda: {
                "order": order,
                "lines": list(order.lines.all()),
                "link": settings.STORE_URL
                + reverse("storefront:order_receipt", kwargs={"reference": order.reference}),
            },
            html=True,
        )
    except Exception:
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(confirmation_sent_at=None)
        raise
