"""Where a requester may complain, for pages and emails: `{% complaint_authorities regime as found %}`
(tickets/deadlines/authorities.py, with the organisation's lead authority from settings), and
`{% complaint_routes as routes %}`, every law's authorities, for the public form; and
`authority|authority_country`, its country's name in the reader's language."""

from __future__ import annotations

import logging

from django import template
from django.conf import settings

from tickets import places
from tickets.choices import Regime
from tickets.deadlines.authorities import Authority, authorities_for, lead_authority
from tickets.deadlines.errors import UnknownRegime

register = template.Library()
logger = logging.getLogger(__name__)


def complaint_authorities(regime: str) -> tuple[Authority, ...]:
    """The authorities of a ticket's regime, the EU GDPR's being the organisation's lead authority
    (DESK_SUPERVISORY_AUTHORITY_URL). A regime without one (a law added to the desk before its
    authority was) gets the lead authority, loudly: an email or a page must not fail for it."""
    lead = lead_authority(settings.DESK_SUPERVISORY_AUTHORITY_URL)
    try:
        return authorities_for(regime, lead=lead)
    except UnknownRegime:
        logger.error("no complaint authority is known for the regime %r: the lead authority is named", regime)
        return (lead,)


@register.simple_tag(name="complaint_authorities")
def complaint_authorities_tag(regime: str) -> tuple[Authority, ...]:
    return complaint_authorities(regime)


@register.simple_tag
def complaint_routes() -> list[tuple[str, tuple[Authority, ...]]]:
    """(the law's name, its authorities) for every law the desk applies, in the choices' order."""
    return [(str(label), complaint_authorities(value)) for value, label in Regime.choices]


@register.filter
def authority_country(authority: Authority) -> str:
    """The authority's country in the reader's language ("Yhdistynyt kuningaskunta"); "" for none."""
    return places.country_name(authority.country) if authority.country else ""
