"""Forms of the logistics manager's set-up screens: packing stations, packing shifts and the
links to external warehouse systems. They check the shape of the input; the fulfilment services
check the rules (overlapping shifts, a printer's address, a secret's length) and say which field
a problem is about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from storeteam.fulfilment.capacity import MAX_ORDERS_PER_HOUR
from storeteam.fulfilment.models import LabelFormat
from storeteam.fulfilment.printing import MAX_LABELS_PER_HOUR, StationSettings
from storeteam.fulfilment.services import SetupError
from storeteam.inventory.models import Warehouse
from storeteam.inventory.selectors import warehouses_list

WEEKDAY_CHOICES = [(str(day), name) for day, name in WEEKDAYS.items()]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WarehouseChoiceField(forms.ModelChoiceField[Warehouse]):
    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} ({obj.country})"


def _warehouse_field() -> WarehouseChoiceField:
    return WarehouseChoiceField(
        label=_("Warehouse"),
        queryset=warehouses_list(active_only=True),
        empty_label=_("Choose…"),
    )


class SetupForm(forms.Form):
    """A form whose service may refuse the input: ``show(error)`` puts each problem on its
    field (or above the form when it names none, or a field this form does not have)."""

    def show(self, error: SetupError) -> None:
        for problem in error.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)


class StationForm(SetupForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        help_text=_("Short and unique, e.g. sto-3. It cannot be changed later."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    warehouse = _warehouse_field()
    printer = forms.CharField(
        label=_("Printer address"),
        max_length=300,
        help_text=_(
            "tcp://host:9100 for a network label printer, or dir:path to write each document "
            "as a file."
        ),
    )
    label_format = forms.ChoiceField(
        label=_("Label format"), choices=LabelFormat.choices, widget=forms.RadioSelect
    )
    labels_per_hour = forms.IntegerField(
        label=_("Labels per hour"),
        min_value=1,
        max_value=MAX_LABELS_PER_HOUR,
        help_text=_("How many parcels this station can print and pack in an hour."),
    )
    prints_packing_slips = forms.BooleanField(label=_("Prints packing slips"), required=False)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_("A station not in use is not offered for shipping; its queue waits."),
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]

    def settings(self) -> StationSettings:
        data = self.cleaned_data
        return StationSettings(
            warehouse=data["warehouse"],
            name=data["name"],
            printer=data["printer"],
            label_format=data["label_format"],
            labels_per_hour=data["labels_per_hour"],
            prints_packing_slips=data["prints_packing_slips"],
            is_active=data["is_active"],
        )


class _ShiftTimes(SetupForm):
    starts_at = forms.TimeField(label=_("Starts"), widget=TIME)
    ends_at = forms.TimeField(label=_("Ends"), widget=TIME)
    orders_per_hour = forms.IntegerField(
        label=_("Orders packed per hour"),
        min_value=1,
        max_value=MAX_ORDERS_PER_HOUR,
        help_text=_("What the whole team on this shift packs in an hour."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return data


class ShiftAddForm(_ShiftTimes):
    field_order = ["warehouse", "weekdays", "date", "starts_at", "ends_at", "orders_per_hour"]

    warehouse = _warehouse_field()
    weekdays = forms.MultipleChoiceField(
        label=_("Every week on"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    date = forms.DateField(
        label=_("Or on one date"),
        required=False,
        widget=DATE,
        help_text=_(
            "Shifts on a date replace that weekday's shifts for the day: a holiday, a campaign "
            "day with an extra team."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weekdays, day = data.get("weekdays"), data.get("date")
        if weekdays and day:
            self.add_error("date", _("Choose the weekdays or a date, not both."))
        elif not weekdays and not day and "date" not in self.errors:
            self.add_error("weekdays", _("Choose at least one weekday, or a date."))
        return data

    def weekday_numbers(self) -> list[int]:
        return [int(day) for day in self.cleaned_data.get("weekdays") or []]


class ShiftEditForm(_ShiftTimes):
    field_order = ["weekday", "date", "starts_at", "ends_at", "orders_per_hour"]

    weekday = forms.ChoiceField(
        label=_("Every week on"),
        choices=[("", _("— on a date instead —")), *WEEKDAY_CHOICES],
        required=False,
    )
    date = forms.DateField(label=_("Or on one date"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weekday, day = data.get("weekday"), data.get("date")
        if weekday and day:
            self.add_error("date", _("Choose a weekday or a date, not both."))
        elif not weekday and not day and "date" not in self.errors:
            self.add_error("weekday", _("Choose a weekday, or a date."))
        return data

    def weekday_number(self) -> int | None:
        weekday = self.cleaned_data.get("weekday")
        return int(weekday) if weekday else None


class LinkSettingsForm(SetupForm):
    endpoint = forms.CharField(
        label=_("Address of the warehouse system"),
        max_length=300,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_(
            "Where the store posts orders and cancellations, e.g. https://wms.example/orders."
        ),
    )
    secret = forms.CharField(
        label=_("Shared secret"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, connected: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connected = connected
        self.fields["secret"].help_text = (
            _(
                "Leave empty to keep the current secret. A new one signs every message from now "
                "on; the system's webhooks signed with the old one are accepted for 24 hours."
            )
            if connected
            else _(
                "At least 16 characters, agreed with the warehouse system's people. It signs "
                "every message both ways and is never shown again."
            )
        )

    def clean_secret(self) -> str:
        secret: str = self.cleaned_data.get("secret") or ""
        if not secret and not self.connected:
            raise forms.ValidationError(
                _("Enter the shared secret agreed with the warehouse system.")
            )
        return secret


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why pause?"),
        max_length=300,
        required=False,
        help_text=_("Kept in the audit log. Orders keep queueing and go out in order on resume."),
    )
