"""Where a requester may complain, per regime (tickets/deadlines/authorities.py): each law names its
own authority (issue 16, item 9: a UK requester was sent to the Finnish one)."""

from __future__ import annotations

import pytest

from tickets.deadlines import REGIMES, UnknownRegime
from tickets.deadlines.authorities import (
    AUTHORITIES,
    EU_LEAD_AUTHORITIES,
    FINNISH_OMBUDSMAN,
    IRISH_DPC,
    SWEDISH_IMY,
    Authority,
    authorities_for,
    gettext_noop,
    lead_authority,
)

pytestmark = pytest.mark.pure

TICKET_REGIMES = sorted(set(REGIMES) - {"service_level"})


@pytest.mark.parametrize(
    ("regime", "codes"),
    [
        ("gdpr", ["fi_ombudsman"]),
        ("uk_gdpr", ["uk_ico"]),
        ("ccpa", ["us_ca_cppa", "us_ca_ag"]),  # both enforce the CCPA
        ("us_va", ["us_va_ag"]),
        ("us_ct", ["us_ct_ag"]),
        ("us_co", ["us_co_ag"]),
        ("us_ut", ["us_ut_dcp", "us_ut_ag"]),  # the Division takes complaints, the AG enforces
        ("us_or", ["us_or_doj"]),
        ("lgpd", ["br_anpd"]),
        ("pipeda", ["ca_opc"]),
        ("fadp", ["ch_fdpic"]),
    ],
)
def test_each_regime_names_its_own_authority(regime: str, codes: list[str]) -> None:
    assert [authority.code for authority in authorities_for(regime)] == codes


@pytest.mark.parametrize(
    ("regime", "name", "url"),
    [
        ("uk_gdpr", "Information Commissioner's Office (ICO)", "https://ico.org.uk/make-a-complaint/"),
        ("ccpa", "California Privacy Protection Agency (CalPrivacy)", "https://cppa.ca.gov"),
        ("lgpd", "National Data Protection Authority of Brazil (ANPD)", "https://www.gov.br/anpd"),
        ("pipeda", "Office of the Privacy Commissioner of Canada", "https://www.priv.gc.ca"),
        ("fadp", "Federal Data Protection and Information Commissioner (FDPIC)", "https://www.edoeb.admin.ch"),
    ],
)
def test_the_first_authority_of_a_regime_has_its_name_and_website(regime: str, name: str, url: str) -> None:
    first = authorities_for(regime)[0]

    assert (first.name, first.url) == (name, url)


def test_every_regime_of_the_engine_has_an_authority_with_a_website_and_an_address() -> None:
    for regime in TICKET_REGIMES:
        found = authorities_for(regime)
        assert found, regime
        for authority in found:
            assert authority.url.startswith("https://"), authority.code
            assert authority.name and authority.description, authority.code
            assert len(authority.country) == 2 and authority.country.isupper(), authority.code
            # Only an address the research has seen is printed (the module's docstring).
            assert bool(authority.postal_address) == (authority is FINNISH_OMBUDSMAN), authority.code
    assert set(AUTHORITIES) | {"gdpr"} == set(TICKET_REGIMES)


def test_no_regime_but_the_eu_gdpr_is_sent_to_the_lead_authority() -> None:
    elsewhere = [regime for regime in TICKET_REGIMES if regime != "gdpr"]

    assert all(FINNISH_OMBUDSMAN not in authorities_for(regime) for regime in elsewhere)


def test_the_eu_gdpr_names_the_lead_authority_given() -> None:
    assert authorities_for("gdpr") == (FINNISH_OMBUDSMAN,)
    assert authorities_for("gdpr", lead=SWEDISH_IMY) == (SWEDISH_IMY,)


@pytest.mark.parametrize("regime", ["service_level", "", "GDPR", "us_tx"])
def test_a_name_that_is_no_tickets_regime_is_refused(regime: str) -> None:
    with pytest.raises(UnknownRegime, match="no authority is known"):
        authorities_for(regime)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tietosuoja.fi/en", FINNISH_OMBUDSMAN),
        ("https://www.imy.se/", SWEDISH_IMY),
        ("https://dataprotection.ie/en", IRISH_DPC),
    ],
)
def test_a_known_lead_authority_is_found_by_its_websites_host(url: str, expected: Authority) -> None:
    found = lead_authority(url)

    assert (found.code, found.name, found.postal_address) == (expected.code, expected.name,
                                                              expected.postal_address)
    assert found.url == url  # the page configured, which may be in the reader's language


def test_the_finnish_ombudsman_is_the_lead_authority_when_none_is_configured() -> None:
    assert lead_authority("") == FINNISH_OMBUDSMAN
    assert FINNISH_OMBUDSMAN.postal_address == ("Tietosuojavaltuutetun toimisto", "PL 800", "00531 Helsinki")


@pytest.mark.parametrize("url", ["https://www.cnil.fr/fr/plaintes", "not a web address"])
def test_another_lead_authority_is_named_by_its_address_alone(url: str) -> None:
    found = lead_authority(url)

    assert found.code == "lead"
    assert found.url == url
    assert found.name == "The data protection authority"
    assert found.postal_address == ()


def test_the_known_lead_authorities_are_keyed_by_their_own_hosts() -> None:
    for host, authority in EU_LEAD_AUTHORITIES.items():
        assert lead_authority(authority.url).code == authority.code, host


def test_the_catalogue_marker_returns_its_message_unchanged() -> None:
    assert gettext_noop("Finland") == "Finland"
