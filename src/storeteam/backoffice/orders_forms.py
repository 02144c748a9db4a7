"""Forms of the order workspace: the list's search and filters, and the actions on one order."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeteam.orders.choices import OrderStatus


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number or email"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *OrderStatus.choices],
    )
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        label=_("Placed to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attention = forms.BooleanField(label=_("Only orders to look at"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("placed_from"), data.get("placed_to")
        if start and end and start > end:
            self.add_error("placed_to", _("The end date is before the start date."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the order cancelled?"),
        max_length=300,
        help_text=_("Kept in the order's history and the audit log."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel this order: its stock goes back and its payment is given back."),
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), min_value=0, max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("Why is it refunded?"), max_length=300)
    confirm = forms.BooleanField(
        label=_("Yes, give this amount back to the customer's means of payment."),
    )
    # One key per form shown: a double click or a page sent again refunds once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=200)

    @classmethod
    def fresh(cls, *, amount: Any = None) -> RefundForm:
        return cls(initial={"amount": amount, "idempotency_key": f"staff-order-{uuid.uuid4()}"})


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For staff only; the customer never sees it."),
    )


class AttentionForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=300, required=False)
