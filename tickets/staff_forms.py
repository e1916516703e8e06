"""Forms of the staff side: the queue's filters (every key allowlisted) and one form per action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.choices import STATUS_CHOICES, Kind, Outcome, PauseKind, Regime
from tickets.forms import StrictForm
from tickets.models import Queue
from tickets.selectors import SORTS, QueueFilter

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
                        help_text=_("Reference, requester name or email"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("due", _("Time left")), ("-due", _("Latest due first")), ("received", _("Oldest first")),
        ("-received", _("Newest first")), ("priority", _("Priority"))])

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def to_filter(self) -> QueueFilter:
        data = self.cleaned_data if self.is_valid() else {}
        statuses = tuple(data.get("status") or ())
        return QueueFilter(
            **({"statuses": statuses} if statuses else {}),
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
