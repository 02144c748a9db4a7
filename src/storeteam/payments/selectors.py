"""Reads of payments for the staff's workspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from storeteam.payments.models import Payment


def payments_list(
    *, state: str = "", query: str = "", needs_attention: bool = False
) -> QuerySet[Payment]:
    """Payments, newest first, filtered by state, reference or provider id, and the flag."""
    payments = Payment.objects.all()
    if state:
        payments = payments.filter(state=state)
    if query:
        payments = payments.filter(Q(reference__icontains=query) | Q(provider_id=query))
    if needs_attention:
        payments = payments.filter(needs_attention=True)
    return payments.order_by("-created_at", "-id")


def payment_detail(*, payment_id: int) -> Payment | None:
    """One payment with its transitions, attempts, refunds and webhooks prefetched."""
    return (
        Payment.objects.prefetch_related("transitions", "attempts", "refunds", "webhook_events")
        .filter(pk=payment_id)
        .first()
    )


def attention_count() -> int:
    return Payment.objects.filter(needs_attention=True).count()


def payments_for_reference(reference: str) -> list[Payment]:
    """The payments made for one checkout or order reference, oldest first."""
    return list(Payment.objects.filter(reference=reference).order_by("created_at", "id"))
