"""The one form of the in-app list: which notifications to mark read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.forms import StrictForm


class MarkReadForm(StrictForm):
    """One notification (`notification`), one group (`event` and `day`), or with neither, all."""

    notification = forms.IntegerField(min_value=1, required=False)
    event = forms.CharField(max_length=50, required=False)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("event")) != bool(cleaned.get("day")):
            raise forms.ValidationError(_("Choose the notifications to mark as read again."))
        return cleaned
