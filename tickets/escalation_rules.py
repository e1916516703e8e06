"""The escalation rules (SPEC: Escalation): one object each, with its filter, its recipients and
its label. The sweep (tickets/services/escalation.py) asks each rule which running tickets have
crossed it; nothing outside this module says what a rule means.

Every filter reads a date the deadline engine planned and the ticket keeps as a column
(tickets/clock.py `TicketClock.columns`): the final `due_date`, the `first_response_due`, the
statutory `acknowledge_due`, the `extension_notice_due`. So a rule knows nothing of the law: which
laws and kinds plan an extension notice, for instance, is the engine's answer, stored on the
ticket when its schedule is computed (issue 17: a copied list of them had drifted).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.models import Outbox
from tickets import clock
from tickets.choices import Kind, Priority
from tickets.models import Queue

StrOrPromise = str | Promise
KINDS = frozenset(Kind.values)


@dataclass(frozen=True)
class Window:
    """What a rule's filter sees: the organisation's date and time, and the working-day calendars
    of the running tickets (a threshold in working days is one date per calendar)."""

    today: datetime.date
    now: datetime.datetime
    calendars: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One escalation rule.

    `level` 1 to 3 raises the ticket's escalation level (0 only reminds); `priority` is raised to
    at least this; `recipients` says who is told of each ticket (`assignee_or_queue`,
    `queue_managers`, `officers` below); `description` is the rule in words,
    as an email and the timeline say it ("due soon"); `when` is its filter; `dated_by` the
    ticket's date column whose index range holds its candidates, if any (the sweep reads the
    first candidate in that order, tickets/services/escalation.py `rules_with_work`)."""

    name: str
    level: int
    recipients: Callable[[Sequence[Mapping[str, Any]]], Recipients]
    priority: int | None
    description: StrOrPromise
    when: Callable[[Window], Q]
    dated_by: str | None = None

    def filter(self, window: Window) -> Q:
        """The running tickets that have crossed this rule (whether escalated already or not)."""
        return self.when(window)

    @property
    def level_label(self) -> str:
        """The escalation level this rule raises to, in words ("Level 1: due soon")."""
        return gettext("Level %(level)s: %(rule)s") % {"level": self.level, "rule": self.description}


# Who is told ----------------------------------------------------------------------------------------
# Each takes the batch's tickets as the sweep read them (id, queue_id, assignee_id, assignee_email,
# assignee_active) and answers, per ticket id, the (user id, email) of each person told.

Recipients = dict[int, list[tuple[int, str]]]


def people_of(through: Any, queue_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """The active members (or managers: `through`) of the queues, as (user id, email), by queue."""
    links = through.objects.filter(queue_id__in=queue_ids, user__is_active=True)
    by_queue: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for queue_id, user_id, email in links.order_by("user_id").values_list("queue_id", "user_id",
                                                                           "user__email"):
        by_queue[queue_id].append((user_id, email or ""))
    return by_queue


def assignee_or_queue(tickets: Sequence[Mapping[str, Any]]) -> Recipients:
    """The assignee while still active, else the queue's active agents."""
    agents = people_of(Queue.members.through, {t["queue_id"] for t in tickets})
    return {t["id"]: [(t["assignee_id"], t["assignee_email"] or "")] if t["assignee_active"]
            else agents[t["queue_id"]] for t in tickets}


def queue_managers(tickets: Sequence[Mapping[str, Any]]) -> Recipients:
    """The queue's active managers."""
    managers = people_of(Queue.managers.through, {t["queue_id"] for t in tickets})
    return {t["id"]: managers[t["queue_id"]] for t in tickets}


def officers(tickets: Sequence[Mapping[str, Any]]) -> Recipients:
    """The data protection officers (the active members of the group "dpo")."""
    found = User.objects.filter(groups__name="dpo", is_active=True).order_by("id")
    everyone = [(user_id, email or "") for user_id, email in found.values_list("id", "email")]
    return {t["id"]: everyone for t in tickets}


# Working-day thresholds -------------------------------------------------------------------------

def _thresholds(window: Window, working_days: int, *, field: str = "due_date", backwards: bool = False) -> Q:
    """Per calendar in use, the `field` date `working_days` working days from today (or back)."""
    condition = Q(pk__in=[])
    for code in window.calendars:
        day = _threshold_day(window.today, working_days, code, backwards=backwards, closed=_closed())
        condition |= Q(calendar=code, **{f"{field}__lt" if backwards else f"{field}__lte": day})
    return condition


def _closed() -> tuple[bool, tuple[Any, ...]]:
    return settings.DESK_CHRISTMAS_EVE_CLOSED, tuple(settings.DESK_EXTRA_CLOSED_DAYS)


@functools.lru_cache(maxsize=512)
def _threshold_day(today: datetime.date, working_days: int, code: str, *, backwards: bool,
                   closed: tuple[bool, tuple[Any, ...]]) -> datetime.date:
    """Counted once per day, calendar, rule and closing days (`closed`, from settings, is part of
    the key, so a change of them counts again): a sweep a minute would otherwise walk the holiday
    tables for every calendar and rule each time."""
    calendar = clock.working_calendar(code)
    day, counted = today, 0
    while counted < working_days:
        day += datetime.timedelta(days=-1 if backwards else 1)
        counted += calendar.is_working_day(day)
    return day


def _range(window: Window, working_days: int, *, field: str = "due_date", backwards: bool = False) -> Q:
    """The `field` dates the calendars' thresholds of `working_days` fall within, as one range.

    An OR of branches per kind, law and calendar hides the range from the planner, which then
    reads every open ticket; with it, the date's index is read over that range only."""
    days = [_threshold_day(window.today, working_days, code, backwards=backwards, closed=_closed())
            for code in window.calendars]
    if not days:
        return Q()
    return Q(**{f"{field}__lt": max(days)}) if backwards else Q(**{f"{field}__lte": max(days)})


def _configured(window: Window, default: int, overrides: Mapping[str, int], *, backwards: bool = False) -> Q:
    """The threshold on the due date per kind, else per regime, else the default (DESK_ESCALATION_*_BY)."""
    kinds = {key: days for key, days in overrides.items() if key in KINDS}
    regimes = {key: days for key, days in overrides.items() if key not in KINDS}
    condition = Q(pk__in=[])
    for kind, days in kinds.items():
        condition |= Q(kind=kind) & _thresholds(window, days, backwards=backwards)
    for regime, days in regimes.items():
        condition |= (Q(regime=regime) & ~Q(kind__in=list(kinds))
                      & _thresholds(window, days, backwards=backwards))
    rest = ~Q(kind__in=list(kinds)) & ~Q(regime__in=list(regimes))
    condition |= rest & _thresholds(window, default, backwards=backwards)
    return condition & _range(window, (min if backwards else max)([default, *overrides.values()]),
                              backwards=backwards)


# The filters --------------------------------------------------------------------------------------

def _due_soon(window: Window) -> Q:
    return _configured(window, settings.DESK_ESCALATION_SOON_WORKING_DAYS, settings.DESK_ESCALATION_SOON_BY)


def _due_today_or_overdue(window: Window) -> Q:
    return Q(due_date__lte=window.today)


def _overdue_past_margin(window: Window) -> Q:
    return _configured(window, settings.DESK_ESCALATION_OVERDUE_MARGIN_WORKING_DAYS,
                       settings.DESK_ESCALATION_MARGIN_BY, backwards=True)


def _unassigned(window: Window) -> Q:
    waited = datetime.timedelta(hours=settings.DESK_ESCALATION_UNASSIGNED_HOURS)
    return Q(assignee__isnull=True, received_at__lt=window.now - waited)


def _no_first_response(window: Window) -> Q:
    return Q(first_response_at__isnull=True, first_response_due__lt=window.today)


def _extension_decision(window: Window) -> Q:
    """The last day to tell the requester of an extension is near, and none was given. Only the
    tickets whose schedule the engine gave such a date have one; once it has passed, an extension
    is no longer possible (GDPR Art. 12(3) and its kin), so the reminder would come too late."""
    soon = settings.DESK_ESCALATION_SOON_WORKING_DAYS
    return (Q(extension_notice_due__gte=window.today, extension__isnull=True)
            & _thresholds(window, soon, field="extension_notice_due")
            & _range(window, soon, field="extension_notice_due"))


def _acknowledgement_late(window: Window) -> Q:
    """CCPA §7021(a) and DPA 2018 s.164A(3): the acknowledgement email must have gone out by then."""
    delivered = Outbox.objects.filter(ticket=OuterRef("pk"), event="acknowledgement", state="sent")
    return Q(Q(acknowledge_due__lte=window.today), ~Exists(delivered))


RULES: tuple[Rule, ...] = (
    Rule("due_soon", 1, assignee_or_queue, None, _("due soon"), _due_soon, dated_by="due_date"),
    Rule("due_today_or_overdue", 2, queue_managers, Priority.HIGH, _("due today or overdue"),
         _due_today_or_overdue, dated_by="due_date"),
    Rule("overdue_past_margin", 3, officers, Priority.URGENT, _("overdue past the margin"),
         _overdue_past_margin, dated_by="due_date"),
    Rule("unassigned", 0, queue_managers, None, _("unassigned too long"), _unassigned),
    Rule("no_first_response", 0, assignee_or_queue, None, _("without a first response in time"),
         _no_first_response),
    Rule("extension_decision", 0, assignee_or_queue, None,
         _("near the end of its first period with no decision on an extension"), _extension_decision,
         dated_by="extension_notice_due"),
    Rule("acknowledgement_late", 0, queue_managers, Priority.HIGH,
         _("not acknowledged by the date the law sets"), _acknowledgement_late),
)
RULES_BY_NAME: Mapping[str, Rule] = {rule.name: rule for rule in RULES}
# Every escalation level a ticket can have: none, and each level a rule raises it to.
LEVELS = (0, *sorted(rule.level for rule in RULES if rule.level))


def rule_label(name: str) -> str:
    """A rule in words ("due soon"), in the active language; an unknown rule (one removed since
    it fired) by its name."""
    rule = RULES_BY_NAME.get(name)
    return str(rule.description) if rule is not None else name.replace("_", " ")


def level_label(level: int) -> str:
    """An escalation level in words: "Not escalated", or the rule that raises a ticket to it."""
    rule = next((rule for rule in RULES if rule.level == level and level), None)
    if rule is None:
        return gettext("Not escalated") if level == 0 else gettext("Level %(level)s") % {"level": level}
    return rule.level_label
