"""Forms of the inventory manager's workspace. They check the input and turn SKUs into variants;
the services check the stock itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storeteam.inventory.models import MovementKind, Warehouse
from storeteam.inventory.selectors import variant_ids_by_sku, warehouses_list
from storeteam.inventory.services import StockLine

MAX_RECEIPT_LINES = 500


class WarehouseChoiceField(forms.ModelChoiceField[Warehouse]):
    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} ({obj.country})"


def _warehouse_field(label: Any) -> WarehouseChoiceField:
    return WarehouseChoiceField(
        label=label, queryset=warehouses_list(active_only=True), empty_label=_("Choose…")
    )


class SkuField(forms.CharField):
    """A SKU that exists; cleans to its variant id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("SKU"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        sku = super().clean(value)
        variant_id = variant_ids_by_sku([sku]).get(sku)
        if variant_id is None:
            raise forms.ValidationError(_("There is no product with SKU %(sku)s.") % {"sku": sku})
        return variant_id


class ReceiptForm(forms.Form):
    warehouse = _warehouse_field(_("Warehouse"))
    reference = forms.CharField(
        label=_("Delivery reference"),
        max_length=100,
        required=False,
        help_text=_("The supplier's delivery note or purchase order number."),
    )
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("One line per product: the SKU, a space, the quantity. Example: SKU-123 12"),
    )
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_lines(self) -> list[StockLine]:
        raw = [line.strip() for line in self.cleaned_data["lines"].splitlines() if line.strip()]
        if len(raw) > MAX_RECEIPT_LINES:
            raise forms.ValidationError(
                _("At most %(n)d lines per receipt.") % {"n": MAX_RECEIPT_LINES}
            )
        parsed: list[tuple[int, str, int]] = []
        problems: list[str] = []
        for n, line in enumerate(raw, start=1):
            parts = line.replace(";", " ").replace(",", " ").replace("\t", " ").split()
            if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) <= 0:
                problems.append(
                    _('Line %(n)d ("%(line)s"): write the SKU, a space and a quantity above zero.')
                    % {"n": n, "line": line}
                )
                continue
            parsed.append((n, parts[0], int(parts[1])))
        known = variant_ids_by_sku(sku for _n, sku, _q in parsed)
        problems.extend(
            _("Line %(n)d: there is no product with SKU %(sku)s.") % {"n": n, "sku": sku}
            for n, sku, _q in parsed
            if sku not in known
        )
        if problems:
            raise forms.ValidationError(problems)
        return [StockLine(known[sku], quantity) for _n, sku, quantity in parsed]


class AdjustmentForm(forms.Form):
    warehouse = _warehouse_field(_("Warehouse"))
    sku = SkuField()
    change = forms.IntegerField(
        label=_("Change"),
        help_text=_("Units found (for example 3) or lost (for example -2)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Required: what happened, for whoever reads the ledger later."),
    )

    def clean_change(self) -> int:
        change: int = self.cleaned_data["change"]
        if change == 0:
            raise forms.ValidationError(_("The change must be other than zero."))
        return change


class TransferForm(forms.Form):
    source = _warehouse_field(_("From warehouse"))
    destination = _warehouse_field(_("To warehouse"))
    sku = SkuField()
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data.get("source") == data.get("destination"):
            self.add_error("destination", _("Choose another warehouse than the one it leaves."))
        return data


class CountForm(forms.Form):
    warehouse = _warehouse_field(_("Warehouse"))
    sku = SkuField()
    counted = forms.IntegerField(label=_("Counted on the shelf"), min_value=0)
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)


class LevelsForm(forms.Form):
    safety_stock = forms.IntegerField(
        label=_("Safety stock"),
        min_value=0,
        help_text=_("Units kept back: never offered for sale."),
    )
    low_stock_threshold = forms.IntegerField(
        label=_("Low-stock threshold"),
        min_value=0,
        help_text=_("You are alerted when the salable quantity falls to this or below."),
    )


class StockFilterForm(forms.Form):
    warehouse = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=100)


class MovementFilterForm(forms.Form):
    warehouse = forms.CharField(required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *MovementKind.choices]
    )
    sku = forms.CharField(label=_("SKU"), required=False, max_length=64)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
