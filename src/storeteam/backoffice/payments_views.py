"""The payments workspace (S10, S12) at /staff/payments/: payments with their attempts, webhooks
and refunds, and a refund form for those allowed to refund. Views parse, call one service, render.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from storeteam.core.access import staff_permission
from storeteam.core.errors import DomainError
from storeteam.payments import selectors
from storeteam.payments.choices import PaymentState
from storeteam.payments.services import payment_attention_clear, payment_refund
from storeteam.team.roles import REFUND_PAYMENTS, VIEW_PAYMENTS

PAGE_SIZE = 50


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), min_value=0, max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    # One key per form shown: a double click or a resubmitted page refunds once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=200)


def _refund_form(payment: object) -> RefundForm:
    refundable = getattr(payment, "refundable", None)
    return RefundForm(
        initial={
            "amount": refundable.amount if refundable is not None else None,
            "idempotency_key": f"staff-refund-{uuid.uuid4()}",
        }
    )


@staff_permission(VIEW_PAYMENTS)
def payments(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in PaymentState.values:
        state = ""
    query = request.GET.get("q", "").strip()[:100]
    attention = request.GET.get("attention") == "1"
    found = selectors.payments_list(state=state, query=query, needs_attention=attention)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/payments.html",
        {
            "page": page,
            "filters": {"state": state, "q": query, "attention": attention},
            "states": PaymentState.choices,
            "attention_count": selectors.attention_count(),
        },
    )


@staff_permission(VIEW_PAYMENTS)
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    found = selectors.payment_detail(payment_id=payment_id)
    if found is None:
        raise Http404
    return render(
        request, "backoffice/payment.html", {"payment": found, "form": _refund_form(found)}
    )


@staff_permission(REFUND_PAYMENTS)
@require_POST
def payment_refund_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    found = selectors.payment_detail(payment_id=payment_id)
    if found is None:
        raise Http404
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            payment_refund(
                payment_id=payment_id,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The refund was made."))
            return redirect("backoffice:payment", payment_id=payment_id)
    found = selectors.payment_detail(payment_id=payment_id)
    return render(request, "backoffice/payment.html", {"payment": found, "form": form}, status=400)


@staff_permission(REFUND_PAYMENTS)
@require_POST
def payment_attention_clear_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    if selectors.payment_detail(payment_id=payment_id) is None:
        raise Http404
    payment_attention_clear(
        payment_id=payment_id, actor=request.user, note=request.POST.get("note", "")[:300]
    )
    messages.success(request, _("The payment is off the list of payments to look at."))
    return redirect("backoffice:payment", payment_id=payment_id)
