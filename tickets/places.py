"""Where a requester lives, and whose working days a deadline counts, in words: "United Kingdom,
England" for GB ENG, "Suomi" for a Finnish reader's FI (issue 16, item 2). The names come from
django-countries (in the active language) and the desk's own US states and UK nations."""

from __future__ import annotations

from django_countries import countries

from tickets.regions import UK_NATIONS, US_STATES

# The subdivisions the desk names; "OTHER" is a US state without a regime of its own, said by the
# country alone.
_REGIONS = {"GB": dict(UK_NATIONS), "US": {code: name for code, name in US_STATES if code != "OTHER"}}


def country_name(code: str) -> str:
    """The country's name in the active language; an unknown code as it is."""
    return str(countries.name(code)) or code


def place_name(country: str, region: str = "") -> str:
    """"United Kingdom, England"; "Finland"; a region the desk does not name is left out."""
    if not country:
        return ""
    nation = _REGIONS.get(country, {}).get(region)
    name = country_name(country)
    return f"{name}, {nation}" if nation else name


def calendar_name(code: str) -> str:
    """A working-day calendar ("FI", "GB-SCT", "US-CA") as the place whose days it counts."""
    country, _dash, region = code.partition("-")
    return place_name(country, region)
