"""The base of every form (StrictForm), and the forms of staff sign-in: the second-factor code, and API
tokens."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from desk.models import ApiToken

# Fields a browser sends besides the form's own; anything else is a forged or stale post.
_FRAMEWORK_FIELDS = frozenset({"csrfmiddlewaretoken"})


class StrictForm(forms.Form):
    """Refuses a post carrying fields the form does not have (a forged receipt time, a status…)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "attachment" in self.fields:
            self.fields["attachment"].help_text = _(
                "PDF, PNG or JPEG, at most %(megabytes)s MB."
            ) % {"megabytes": max(settings.DESK_MAX_UPLOAD_BYTES // (1024 * 1024), 1)}

    def full_clean(self) -> None:
        super().full_clean()
        # Tie each error message to its input, after the hint, for screen readers (WCAG 3.3.1).
        for name in self.errors:
            if name in self.fields:
                field_id = self[name].auto_id
                described = [f"{field_id}_helptext"] if self.fields[name].help_text else []
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(
                    [*described, f"{field_id}_error"]
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.is_bound:
            known = {self.add_prefix(name) for name in self.fields}
            unexpected = sorted(set(self.data) - known - _FRAMEWORK_FIELDS)
            if unexpected:
                raise forms.ValidationError(
                    # Not "Nothing was saved": the error summary says it once (issue 16).
                    _("The form contained fields it does not accept: %(fields)s. "
                      "Please reload the page and try again.")
                    % {"fields": ", ".join(name[:40] for name in unexpected[:5])},
                    code="unexpected_fields",
                )
        return cleaned


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
