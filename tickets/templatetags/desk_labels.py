"""Template filters that put words where the data keeps codes (issue 16, item 2)."""

from __future__ import annotations

from django import template

from tickets import escalation_rules, places
from tickets.models import AccessLog, Ticket
from tickets.selectors import record

register = template.Library()


@register.filter
def requester_place(ticket: Ticket) -> str:
    """Where the requester lives, in the page's language: "Iso-Britannia, Englanti"."""
    return places.place_name(ticket.requester_country, ticket.requester_region)


@register.filter
def calendar_place(code: str) -> str:
    """The place whose working days a calendar counts: "GB-SCT" -> "United Kingdom, Scotland"."""
    return places.calendar_name(code)


@register.filter
def rule_label(name: str) -> str:
    """An escalation rule in words: "due_soon" -> "due soon"."""
    return escalation_rules.rule_label(name)


@register.filter
def email_event_label(event: str) -> str:
    """What an email was ("Reply", "Notice of an extension"); "" for an event without a name."""
    return record.email_event_label(event)


@register.filter
def email_state_label(state: str) -> str:
    return record.email_state_label(state)


@register.filter
def access_detail(entry: AccessLog) -> str:
    return record.access_detail_shown(entry.action, entry.detail)
