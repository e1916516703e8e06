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
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from desk.forms import StrictForm
from tickets import uploads
from tickets.choices import KIND_HINTS, SATISFACTION_LABELS, Kind
from tickets.regions import UK_NATIONS, US_STATES
from tickets.services.intake import NewRequest
from tickets.uploads import CheckedUpload, HeldUpload, UploadRefused, check_upload

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
    back with everything the person typed (its file too: PublicRequestForm), the trap empty, a
    fresh time, and a message that says plainly what happened and asks to send it again. A person
    who clicked too fast or left the page open overnight is told so; the trap, a missing or a
    forged time get one message alike, so a script does not learn which of them caught it. When
    the form has mistakes to correct as well, their messages are enough: it is sent again anyway.
    A statutory request is never silently dropped."""

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
        failed = self._human_check_failure(cleaned) if self.is_bound else None
        if failed is not None:
            self.human_check_failed = True
            if not self.errors:  # mistakes to correct say enough: the form is sent again anyway
                raise forms.ValidationError(_HUMAN_CHECK_MESSAGES[failed], code="human_check")
        return cleaned

    @property
    def only_to_send_again(self) -> bool:
        """Nothing to correct: the form failed the human check alone, and is to be sent again as
        it is (templates/includes/error_summary.html shows a notice then, not an error)."""
        return self.human_check_failed and set(self.errors) == {NON_FIELD_ERRORS}

    def _human_check_failure(self, cleaned: dict[str, Any]) -> str | None:
        """None for a post that looks like a person's; else which message to give."""
        if cleaned.get("website") or self.data.get(self.add_prefix("website")):
            return "not_human"
        posted = str(self.data.get(self.add_prefix("form_token"), ""))
        served_at = _served_at(self.human_check_purpose, posted)
        if served_at is None:
            return "not_human"
        age = time.time() - served_at
        if age < -60:
            return "not_human"  # a time the server never gave (signed, but in the future)
        if age < settings.DESK_FORM_MIN_SECONDS:
            return "too_fast"
        if age > settings.DESK_FORM_MAX_AGE_SECONDS:
            return "too_old"
        return None


# Each says what happened, then the same request, in the person's language.
_HUMAN_CHECK_MESSAGES = {
    "too_fast": gettext_lazy("That was quicker than a person usually fills in the form. "
                             "Please check your answers and send the form again."),
    "too_old": gettext_lazy("The form was open for a long time. "
                            "Please check your answers and send the form again."),
    "not_human": gettext_lazy("We could not tell that a person sent this form. "
                              "Please check your answers and send the form again."),
}


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


US_STATE_CHOICES = ReadyChoices((("", gettext_lazy("Choose a state")), *US_STATES))
UK_NATION_CHOICES = ReadyChoices((("", gettext_lazy("Choose a part of the United Kingdom")), *UK_NATIONS))


class RegionField(forms.ChoiceField):
    """A state or a part of one country, asked only of the people who live there, and required of
    them (RequestForm.clean): never marked optional, and shown only while that country is chosen
    (desk.css with :has(), desk/request-form.js where :has() is missing; both fields show, each
    saying whom it is for, with neither). Whenever it shows, it is required: it says so."""

    def __init__(self, *, for_country: str, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.for_country = for_country

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "aria-required": "true"}


class RequestForm(StrictForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What would you like us to do?"), choices=Kind.choices,
        widget=forms.RadioSelect,
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country where you live"),
        help_text=gettext_lazy("The law of your country decides how quickly we must answer."),
    )
    us_state = RegionField(
        for_country="US", label=gettext_lazy("US state"),
        help_text=gettext_lazy("Only if you live in the United States."),
    )
    uk_nation = RegionField(
        for_country="GB", label=gettext_lazy("Part of the United Kingdom"),
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
        # No country is chosen for the person: it decides the law their request falls under, and
        # neither the organisation's country nor the browser's (en-GB is set on many a browser
        # outside the UK, en-US on most) is where they live. A choice left as it came would pass
        # unseen; an empty one is asked for. The blank page stays one page per language too
        # (views/public.py, _blank_form_page), where a per-region choice would make one per region.
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

    def to_request(self) -> NewRequest:
        """The validated request, as the intake service takes it (the page's and the API's)."""
        data = self.cleaned_data
        return NewRequest(kind=data["kind"], country=data["country"], region=data["region"],
                          name=data["name"], email=data["email"], description=data["description"],
                          attachment=data["attachment"], submission_key=data["submission_key"])


class PublicRequestForm(HumanCheck, RequestForm):
    """The request form of the public page: RequestForm (as the API takes it) plus the human
    checks, and the file kept when the form comes back (tickets.uploads.hold): a browser never
    sends a file again by itself, so the page carries the kept file's signed reference instead,
    and the person may replace the file or choose not to send it."""

    human_check_purpose = "request"

    held_attachment = forms.CharField(required=False, max_length=2_000, widget=forms.HiddenInput)
    forget_held_attachment = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: HeldUpload | None = None  # the kept file this post sends, or the page carries
        self._posted_held: HeldUpload | None = None  # the kept file the post named, if genuine
        self._attachment_is_new = False

    def clean(self) -> dict[str, Any]:
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            self._take_held(self.cleaned_data)  # the human check failed: its form comes back, file too
            raise
        self._take_held(cleaned)
        return cleaned

    def _take_held(self, cleaned: dict[str, Any]) -> None:
        """The kept file becomes this post's attachment, unless a new one replaces it or the person
        chose not to send it; one that cannot be had any more is asked for again, by its name."""
        self._attachment_is_new = bool(cleaned.get("attachment"))
        reference = cleaned.get("held_attachment") or ""
        held = self._posted_held = uploads.held_upload(reference) if reference else None
        if reference and held is None:
            self.add_error("held_attachment", _("The form was out of date. Please send it again."))
        if held is None or self._attachment_is_new or cleaned.get("forget_held_attachment"):
            return  # none kept, or replaced, or not to be sent after all
        if self.has_error("attachment"):
            self.held = held  # a replacement that was refused: the kept file stays on offer
            return
        try:
            cleaned["attachment"] = uploads.read_held(held, submission_key=str(cleaned.get("submission_key")))
        except uploads.HeldUploadGone:
            self.add_error("attachment", self.not_kept_message(held.original_name))
        else:
            self.held = held

    @staticmethod
    def not_kept_message(name: str) -> str:
        return _("We could not keep your file %(name)s. Please attach it again.") % {"name": name}

    @property
    def attachment_to_keep(self) -> CheckedUpload | None:
        """The file this post brought, checked, for a form that comes back."""
        if not self._attachment_is_new or self.has_error("attachment"):
            return None
        attachment = self.cleaned_data.get("attachment")
        return attachment if isinstance(attachment, CheckedUpload) else None

    def keep_attachment(self, held: HeldUpload | None) -> None:
        """The new file, kept for the next send (it replaces one kept before); None: it could not
        be kept, and the person is asked, by its name, to attach it again."""
        upload = self.attachment_to_keep
        if upload is not None:
            if held is None:
                self.add_error("attachment", self.not_kept_message(upload.original_name))
            self.held = held
        self.discard_unsent_held()

    def discard_unsent_held(self) -> None:
        """The kept file the post named, if it was replaced or not to be sent after all."""
        if self._posted_held is not None and self._posted_held != self.held:
            uploads.discard_held(self._posted_held)

    def attachment_sent(self) -> None:
        """The request was made: its kept file goes soon (a double click's second post may still
        need it), and one replaced or not to be sent goes now."""
        self.discard_unsent_held()
        if self.held is not None:
            uploads.release_held(self.held)


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
