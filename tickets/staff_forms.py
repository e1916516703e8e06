"""Forms of the staff side: the queue's filters (every key allowlisted) and one form per action."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from desk.forms import StrictForm
from tickets.choices import STATUS_CHOICES, Kind, Outcome, PauseKind, Regime
from tickets.models import Queue
from tickets.selectors import SORTS, QueueFilter
from tickets.selectors.metrics import EARLIEST_DAY, LATEST_DAY, MetricsFilter, Period, dashboard_queues

ASSIGNEE_CHOICES = [("", _("Anyone")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))]


class QueueFilterForm(forms.Form):
    status = forms.MultipleChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *Kind.choices], required=False)
    regime = forms.ChoiceField(label=_("Regime"), choices=[("", _("Any")), *Regime.choices], required=False)
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none(), required=False,
                                   empty_label=_("All my queues"))
    assignee = forms.ChoiceField(label=_("Assignee"), choices=ASSIGNEE_CHOICES, required=False)
    escalation = forms.TypedChoiceField(
        label=_("Escalation level"), coerce=int, empty_value=None, required=False,
        choices=[("", _("Any")), ("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")])
    due_within = forms.IntegerField(label=_("Due within (days)"), min_value=0, max_value=366, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False,
                        help_text=_("Reference, or the requester's whole email address. "
                                    "Finds tickets in any status."))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("due", _("Time left")), ("-due", _("Latest due first")), ("received", _("Oldest first")),
        ("-received", _("Newest first")), ("priority", _("Priority"))])

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def to_filter(self) -> QueueFilter:
        data = self.cleaned_data if self.is_valid() else {}
        statuses = tuple(data.get("status") or ())
        searched = bool((data.get("q") or "").strip())
        return QueueFilter(
            # No status ticked: the open tickets, unless something is searched for. A reference or
            # an address names the tickets wanted, whatever their status: a resolved or closed one
            # is found too (issue 16, item 8); an empty tuple filters no status. A status ticked
            # still narrows a search.
            **({"statuses": statuses} if statuses or searched else {}),
            kind=data.get("kind") or "", regime=data.get("regime") or "",
            queue_id=data["queue"].pk if data.get("queue") else None,
            assignee=data.get("assignee") or "", escalation_level=data.get("escalation"),
            due_within_days=data.get("due_within"), search=data.get("q") or "",
            sort=str(data.get("sort")) if data.get("sort") in SORTS else "due",
        )


class BodyForm(StrictForm):
    body = forms.CharField(label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))


class RequestInformationForm(BodyForm):
    kind = forms.ChoiceField(label=_("What you need"), choices=PauseKind.choices, widget=forms.RadioSelect)


class ReasonForm(StrictForm):
    reason = forms.CharField(label=_("Reason"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(StrictForm):
    reason = forms.CharField(label=_("Reason"), max_length=2_000, required=False)


class ResolveForm(BodyForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Legal reason (for a refusal)"), max_length=2_000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StrictForm):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, empty_value=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2_000, required=False)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody")), *[(user.pk, str(user)) for user in members]]


class MoveForm(StrictForm):
    queue = forms.ModelChoiceField(label=_("Move to queue"), queryset=Queue.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2_000, required=False)

    def __init__(self, *args: Any, queues: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if queues is not None:
            self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("queue") is not None:
            cleaned["queue_id"] = cleaned["queue"].pk  # what the move service takes
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# The longest period the dashboard reports on in one view (ten years).
MAX_PERIOD_DAYS = 3_660
# The period the dashboard shows unless another is chosen.
DEFAULT_PERIOD_DAYS = 30


class DashboardForm(forms.Form):
    """The dashboard's period and filters; a GET form, so every view of it has an address. Its days
    are days the figures can be computed for (EARLIEST_DAY to LATEST_DAY): a day at the calendar's
    ends is a 400 that says which days work, not a 500."""

    start = forms.DateField(label=_("From"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=_("To"), widget=DateInput(), input_formats=["%Y-%m-%d"],
                          help_text=_("Both days included."))
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none(), required=False,
                                   empty_label=_("All the queues I manage"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *Kind.choices], required=False)
    regime = forms.ChoiceField(label=_("Regime"), choices=[("", _("Any")), *Regime.choices], required=False)

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                self.add_error(name, _("Choose a day between %(first)s and %(last)s.") % {
                    "first": formats.date_format(EARLIEST_DAY, "DATE_FORMAT"),
                    "last": formats.date_format(LATEST_DAY, "DATE_FORMAT")})
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The last day must not be before the first day."))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("start", _("Choose a period of at most ten years."))
        return cleaned

    def to_filter(self) -> MetricsFilter:
        data = self.cleaned_data
        return MetricsFilter(period=Period(data["start"], data["end"]),
                             queue_id=data["queue"].pk if data.get("queue") else None,
                             kind=data.get("kind") or "", regime=data.get("regime") or "")


def dashboard_form(query: Mapping[str, Any], *, user: Any, today: datetime.date) -> DashboardForm:
    """The filters of the dashboard, its CSV files and the API, from the request's query
    parameters: the last DEFAULT_PERIOD_DAYS days unless chosen, over the queues `user` manages."""
    data = {"start": (today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1)).isoformat(),
            "end": today.isoformat()}
    data.update({key: str(value) for key, value in query.items() if value})
    return DashboardForm(data, queues=dashboard_queues(user))


class MonthlyReportForm(forms.Form):
    """The report's month, within the days the figures can be computed for: "0000-01" is no
    month at all and "9999-12" has no month after it to end on (both were a 500)."""

    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                             help_text=_("As year-month, for example 2026-10."),
                             error_messages={
                                 "invalid": _("Write the month as year-month, for example 2026-10.")})
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none(), required=False,
                                   empty_label=_("All the queues I manage"))

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def clean_month(self) -> str:
        value: str = self.cleaned_data.get("month") or ""
        if value and not EARLIEST_DAY.year <= int(value[:4]) <= LATEST_DAY.year:
            raise forms.ValidationError(_("Choose a month between %(first)s and %(last)s.") % {
                "first": formats.date_format(EARLIEST_DAY, "YEAR_MONTH_FORMAT"),
                "last": formats.date_format(LATEST_DAY, "YEAR_MONTH_FORMAT")})
        return value

    def period(self, today: datetime.date) -> Period:
        """The chosen month, or the last whole month."""
        value = self.cleaned_data.get("month") if self.is_bound and self.is_valid() else ""
        if value:
            first = datetime.date.fromisoformat(f"{value}-01")
        else:
            first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return Period(first, following - datetime.timedelta(days=1))
