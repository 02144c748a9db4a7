from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from storeteam.team.roles import ROLES


def role_choices() -> list[tuple[str, Any]]:
    return [(role.code, role.name) for role in ROLES]


class StaffLoginForm(AuthenticationForm):
    """Back-office sign-in: staff accounts only."""

    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(
                _("This is a customer account. Customers sign in at the store."), code="customer"
            )


class StaffAddForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
