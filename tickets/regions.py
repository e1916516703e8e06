"""Where the requester lives decides the regime (SPEC: Regimes and clocks); the organisation's
default covers everyone else."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tickets.deadlines import default_calendar

# EU member states and the EEA states that apply the GDPR.
GDPR_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # EU
    "IS", "LI", "NO",  # EEA
})
# US states with a regime of their own in tickets.deadlines; every other state gets the default.
US_STATE_REGIMES = {"CA": "ccpa", "VA": "us_va", "CT": "us_ct", "CO": "us_co", "UT": "us_ut",
                    "OR": "us_or"}
US_STATES = [
    ("CA", _("California")), ("CO", _("Colorado")), ("CT", _("Connecticut")),
    ("OR", _("Oregon")), ("UT", _("Utah")), ("VA", _("Virginia")), ("OTHER", _("Another state")),
]
UK_NATIONS = [
    ("ENG", _("England")), ("SCT", _("Scotland")), ("WLS", _("Wales")), ("NIR", _("Northern Ireland")),
]
COUNTRY_REGIMES = {"GB": "uk_gdpr", "BR": "lgpd", "CA": "pipeda", "CH": "fadp"}


@dataclass(frozen=True)
class Jurisdiction:
    regime: str
    calendar: str


def jurisdiction_for(
    *, country: str, region: str, default_regime: str, organisation_country: str
) -> Jurisdiction:
    """The regime and working-day calendar for a requester in `country` (and US state or UK nation)."""
    regime = default_regime
    if country in GDPR_COUNTRIES:
        regime = "gdpr"
    elif country == "US":
        regime = US_STATE_REGIMES.get(region, default_regime)
    elif country in COUNTRY_REGIMES:
        regime = COUNTRY_REGIMES[country]
    if regime == "uk_gdpr" and region in dict(UK_NATIONS):
        return Jurisdiction(regime, f"GB-{region}")  # the requester's nation's bank holidays
    # Otherwise the engine's calendar for the law: GDPR periods move off the closed days of the
    # organisation's own country (1182/71 Art. 2(1)), the UK's off England's, the others' their country's.
    return Jurisdiction(regime, default_calendar(regime, organisation_country).code)
