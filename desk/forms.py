"""Forms of staff sign-in: the second-factor code, and API tokens."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from desk.models import ApiToken
from tickets.forms import StrictForm


class CodeForm(StrictForm):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=20, strip=True,
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your "
                               "recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class EnrolForm(StrictForm):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"), max_length=6, min_length=6, strip=True,
        help_text=gettext_lazy("Six digits."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class EnrolmentPasswordForm(StrictForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


TOKEN_DAYS = [(30, gettext_lazy("30 days")), (90, gettext_lazy("90 days")), (365, gettext_lazy("1 year"))]


class ApiTokenForm(StrictForm):
    name = forms.CharField(label=gettext_lazy("What the token is for"), max_length=100,
                           help_text=gettext_lazy("For example the name of the script or system."))
    scope = forms.ChoiceField(label=gettext_lazy("What it may do"), choices=ApiToken.Scope.choices,
                              widget=forms.RadioSelect, initial=ApiToken.Scope.READ)
    days = forms.TypedChoiceField(label=gettext_lazy("How long it works"), coerce=int,
                                  choices=TOKEN_DAYS, initial=90)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["days"])
        field.choices = [(days, label) for days, label in TOKEN_DAYS
                         if days <= settings.DESK_API_TOKEN_MAX_DAYS]
