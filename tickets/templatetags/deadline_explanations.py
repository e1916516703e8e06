"""A ticket's deadlines explained in the page's language (issue 16, items 3, 4 and 11):

    {% load deadline_explanations %}
    {% explain_deadlines ticket pauses=pauses extension=extension as explained %}
    {{ explained.final.explanation_text }}  {% for row in explained.deadlines %}{{ row.label }}...
    {{ ticket|finished_deadline }}  ("Answered on 5 January 2027, on time." on a finished ticket)

`pauses` and `extension` are what the page has already read; they are used only when a ticket
stored before issue 16 has to be explained from a fresh computation (tickets/explanations.py).
"""

from __future__ import annotations

from typing import Any

from django import template

from tickets import explanations
from tickets.models import Ticket

register = template.Library()


def _given(value: Any) -> Any:
    # A variable the page does not have resolves to "": then it is read only if needed.
    return explanations.NOT_LOADED if value == "" else value


@register.simple_tag
def explain_deadlines(
    ticket: Ticket, pauses: Any = "", extension: Any = ""
) -> explanations.ExplainedSchedule:
    return explanations.ticket_deadlines(ticket, pauses=_given(pauses), extension=_given(extension))


@register.filter
def finished_deadline(ticket: Ticket) -> str:
    """When a finished ticket was answered or closed, in words; "" while its deadline runs."""
    return explanations.finished_text(ticket)


@register.filter
def deadline_runs(ticket: Ticket) -> bool:
    return ticket.status not in explanations.FINISHED


@register.filter
def deadline_label(name: str) -> str:
    """A deadline's name in words ("extension_notice" -> "Last day to notify an extension")."""
    return explanations.event_label(name)
