"""The withdrawal form of the status page (issue 16, item 12); the page's other forms are in
tickets/forms.py. The confirmation is the "Yes, withdraw" button's own value: a post without it
(a stray request, a script, a form from elsewhere) withdraws nothing and says why."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from desk.forms import StrictForm

CONFIRMED = "yes"


class WithdrawForm(StrictForm):
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)  # the button's value
    reason = forms.CharField(
        label=gettext_lazy("Why are you withdrawing your request?"), max_length=2_000,
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and cleaned.get("confirm") != CONFIRMED:
            raise forms.ValidationError(gettext_lazy(
                "Your request was not withdrawn: to withdraw it, press “Yes, withdraw my request”."))
        return cleaned
