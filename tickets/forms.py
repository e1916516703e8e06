"""Forms parse and validate input; a bad value never reaches a service."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from tickets.choices import KIND_HINTS, SATISFACTION_LABELS, Kind
from tickets.regions import UK_NATIONS, US_STATES
from tickets.uploads import CheckedUpload, UploadRefused, check_upload

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
                    _("The form contained fields it does not accept: %(fields)s. "
                      "Nothing was saved. Please reload the page and try again.")
                    % {"fields": ", ".join(name[:40] for name in unexpected[:5])},
                    code="unexpected_fields",
                )
        return cleaned


# The human checks' fields, which the API intake (a program, not a person) does not take.
HUMAN_CHECK_FIELDS = ("website", "form_token")


def form_token(purpose: str, *, served_at: float | None = None) -> str:
    """The signed time a form was served; only the server can make one (django.core.signing)."""
    served_at = time.time() if served_at is None else served_at
    return signing.Signer(salt=f"desk.form-served.{purpose}").sign(f"{served_at:.3f}")


def _served_at(purpose: str, token: str) -> float | None:
    try:
        return float(signing.Signer(salt=f"desk.form-served.{purpose}").unsign(token))
    except (signing.BadSignature, ValueError):
        return None


class EmptyTextInput(forms.TextInput):
    """Never echoes a value back: a trap filled by an autofill is empty when the form is shown again."""

    def format_value(self, value: Any) -> str | None:
        return None


class HumanCheck(StrictForm):
    """Two checks against scripts, with no third party (research/reliability-security.md §3.5):

    - `website`, a field hidden from people (off screen, out of the tab order, hidden from
      assistive technology, labelled "leave empty" in case it is reached) that form-filling
      scripts fill in;
    - `form_token`, the signed time the form was served: a post sooner than DESK_FORM_MIN_SECONDS
      after it (ASVS 2.4.2 "realistic human timing"), older than DESK_FORM_MAX_AGE_SECONDS, or
      without it, did not come from a person reading the page.

    A post that fails either is not saved, and is not answered as if accepted: the form comes
    back with everything the person typed, the trap empty, a fresh time, and one message asking
    to send it again. A person who autofilled the trap or clicked too fast loses nothing and a
    statutory request is never silently dropped; a script learns only that its post was not
    taken, with the same message for both checks, so not which one caught it."""

    human_check_purpose: ClassVar[str] = "form"

    website = forms.CharField(
        label=gettext_lazy("Leave this field empty. It is there to catch automated spam."),
        # No length limit: the trap's own error would show its label; any content is caught below.
        required=False,
        widget=EmptyTextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, served_token: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.human_check_failed = False
        self.served_token = served_token  # the value to show instead of a fresh one (a page's slot)

    @property
    def form_token_value(self) -> str:
        """The time to send with the page: the one first served, unless the check failed."""
        posted = self.data.get(self.add_prefix("form_token"), "") if self.is_bound else ""
        if posted and not self.human_check_failed:
            return str(posted)
        return self.served_token or form_token(self.human_check_purpose)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_bound and not self._looks_human(cleaned):
            self.human_check_failed = True
            raise forms.ValidationError(
                _("Please check your answers and send the form again. Nothing was saved yet."),
                code="human_check",
            )
        return cleaned

    def _looks_human(self, cleaned: dict[str, Any]) -> bool:
        if cleaned.get("website") or self.data.get(self.add_prefix("website")):
            return False
        posted = str(self.data.get(self.add_prefix("form_token"), ""))
        served_at = _served_at(self.human_check_purpose, posted)
        if served_at is None:
            return False
        age = time.time() - served_at
        return settings.DESK_FORM_MIN_SECONDS <= age <= settings.DESK_FORM_MAX_AGE_SECONDS


class UploadField(forms.FileField):
    """A file checked by its content; cleans to a CheckedUpload."""

    def clean(self, data: Any, initial: Any = None) -> CheckedUpload | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return check_upload(upload)
        except UploadRefused as refusal:
            raise forms.ValidationError(str(refusal), code="upload_refused") from None


class ReadyChoices(BaseChoiceIterator):
    """Choices already in the form Django wants (pairs of strings), made once: a field given
    these takes them as they are, where a list is walked and checked pair by pair each time a
    form is made (the 250 countries: 4 of a submission's milliseconds, bench/intake.py)."""

    def __init__(self, choices: tuple[tuple[str, Any], ...]) -> None:
        self.choices = choices  # (value, label): the label a string or a lazy translation

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


@functools.lru_cache(maxsize=8)
def country_choices(language: str) -> ReadyChoices:
    """Every country, named and sorted in `language`, after the empty choice: django-countries
    translates and sorts its 250 names on each call (about 3 ms, twice a submission), so once
    per language and process is enough."""
    with translation.override(language):
        named = tuple((code, str(name)) for code, name in countries)
        return ReadyChoices((("", _("Choose a country")), *named))


US_STATE_CHOICES = ReadyChoices((("", "—"), *US_STATES))
UK_NATION_CHOICES = ReadyChoices((("", "—"), *UK_NATIONS))


class RequestForm(StrictForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What would you like us to do?"), choices=Kind.choices,
        widget=forms.RadioSelect,
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country where you live"),
        help_text=gettext_lazy("The law of your country decides how quickly we must answer."),
    )
    us_state = forms.ChoiceField(
        label=gettext_lazy("US state"), required=False,
        help_text=gettext_lazy("Only if you live in the United States."),
    )
    uk_nation = forms.ChoiceField(
        label=gettext_lazy("Part of the United Kingdom"), required=False,
        help_text=gettext_lazy("Only if you live in the United Kingdom."),
    )
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    email = forms.EmailField(
        label=gettext_lazy("Your email address"), max_length=254,
        help_text=gettext_lazy("We send the answer and a link to follow your request here."),
    )
    description = forms.CharField(
        label=gettext_lazy("Tell us about your request"), max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("For example which service or which data it concerns. "
                               "At most 10,000 characters."),
    )
    attachment = UploadField(
        label=gettext_lazy("Attach a file"), required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # In the active language; the sorted list is made once per language and process.
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices(
            get_language() or settings.LANGUAGE_CODE)
        self.initial.setdefault("country", settings.DESK_ORGANISATION_COUNTRY)
        cast(forms.ChoiceField, self.fields["us_state"]).choices = US_STATE_CHOICES
        cast(forms.ChoiceField, self.fields["uk_nation"]).choices = UK_NATION_CHOICES

    @property
    def kind_options(self) -> list[dict[str, Any]]:
        bound = self["kind"]
        return [
            {"widget": option, "hint": KIND_HINTS[Kind(option.data["value"])]}
            for option in bound.subwidgets
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        country = cleaned.get("country")
        if country == "US" and not cleaned.get("us_state"):
            self.add_error("us_state", _("Choose your state."))
        if country == "GB" and not cleaned.get("uk_nation"):
            self.add_error("uk_nation", _("Choose the part of the United Kingdom where you live."))
        region = ""
        if country == "US":
            region = cleaned.get("us_state", "")
        elif country == "GB":
            region = cleaned.get("uk_nation", "")
        cleaned["region"] = region
        return cleaned


class PublicRequestForm(HumanCheck, RequestForm):
    """The request form of the public page: RequestForm (as the API takes it) plus the human checks."""

    human_check_purpose = "request"


class StatusResendForm(HumanCheck):
    """"Lost your link?": the address the requester used; the answer never says whether it has requests."""

    human_check_purpose = "resend"

    email = forms.EmailField(
        label=gettext_lazy("Your email address"), max_length=254,
        help_text=gettext_lazy("The address you gave when you made your request."),
    )


class StatusMessageForm(StrictForm):
    body = forms.CharField(
        label=gettext_lazy("Your message"), max_length=10_000, required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachment = UploadField(label=gettext_lazy("Attach a file"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not cleaned.get("body") and not cleaned.get("attachment"):
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned


class SatisfactionForm(StrictForm):
    """The one question after resolution: how were you treated?"""

    score = forms.TypedChoiceField(
        label=gettext_lazy("How were you treated?"), choices=list(SATISFACTION_LABELS.items()), coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a number from 1 to 5."),
                        "invalid_choice": gettext_lazy("Choose a number from 1 to 5.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you want to tell us"), max_length=2_000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# An emailed link's secret: 256 random bits as URL-safe base64 (43 characters); links of other
# lengths were never made, but the old view looked up 20 to 100, and a wrong one costs a lookup.
_LINK_SECRET = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
# Where the page may open after the exchange: the emailed link's own fragment, allowlisted.
STATUS_SECTIONS = ("satisfaction",)


def link_secret(text: str) -> str:
    """The secret in what was posted: the secret alone (the page's script took it from the
    fragment), or a whole link pasted by hand, new (`…/status/link/#SECRET`, maybe with
    `#satisfaction` after it) or old (`…/status/open/SECRET/`); "" when there is none."""
    text = text.strip()
    if "#" in text:
        text = text.split("#")[1]
    elif "/status/open/" in text:
        text = text.split("/status/open/", 1)[1].split("/", 1)[0]
    return text if _LINK_SECRET.match(text) else ""


class StatusLinkForm(StrictForm):
    """The emailed link, posted by its page: the secret never travels in an address."""

    link = forms.CharField(
        label=gettext_lazy("The link from your email"), max_length=2_000,
        help_text=gettext_lazy("Copy the whole link from your email and paste it here."),
        error_messages={"required": gettext_lazy("Paste the link from your email.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "off"}),
    )
    section = forms.ChoiceField(choices=[("", ""), *((name, name) for name in STATUS_SECTIONS)],
                                required=False, widget=forms.HiddenInput)

    def clean_link(self) -> str:
        # An unusable paste is the same to the view as a wrong link (one 404 page for all): the
        # secret is "" and the lookup finds nothing.
        return link_secret(self.cleaned_data["link"])
