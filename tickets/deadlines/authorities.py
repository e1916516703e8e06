"""Where a requester may complain: the supervisory or enforcement authority of each regime.

Legal knowledge, so it lives with the engine, as pure data (no Django import). The names and the
descriptions are English msgids marked with `gettext_noop` below, so that the desk's message
catalogue carries them and its templates show them in the reader's language
(`{% translate authority.name %}`); the postal addresses are printed as the post expects them,
with the country by its ISO code (the desk shows its name in the reader's language).

Sources: research/deadlines-more.md §4 (the authorities and their websites, all 33 regimes) and
research/deadlines.md §2.7 (the Finnish Data Protection Ombudsman's address). Only addresses
the research has seen are printed: a wrong address in a refusal notice would send a complaint
astray, so the others are left empty (the website is given) until they are checked.

GDPR Art. 77 lets a data subject complain to any EU supervisory authority ("in particular in the
Member State of his or her habitual residence, place of work or place of the alleged
infringement"); the desk names the organisation's lead authority (`lead_authority`, chosen by the
operator's setting), which is the one that handles its cross-border cases (Art. 56).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from tickets.deadlines.errors import UnknownRegime
from tickets.deadlines.messages import gettext_noop


@dataclass(frozen=True)
class Authority:
    """One authority a requester may complain to."""

    code: str
    name: str  # an English msgid: translate it where it is shown
    description: str  # one sentence on what it does for the requester; an English msgid too
    url: str  # its website, where a complaint is made or explained
    postal_address: tuple[str, ...]  # the lines above the country, as the post expects them
    country: str  # ISO 3166-1 alpha-2: the desk shows the country's name in the reader's language
    email: str = ""


# --- The EU: the organisation's lead authority (GDPR Art. 56), by its website's host -----------

FINNISH_OMBUDSMAN = Authority(
    code="fi_ombudsman",
    name=gettext_noop("Office of the Data Protection Ombudsman"),
    description=gettext_noop("The data protection authority of Finland. It handles complaints about "
                             "how personal data is used under the EU General Data Protection "
                             "Regulation."),
    url="https://tietosuoja.fi/en",
    postal_address=("Tietosuojavaltuutetun toimisto", "PL 800", "00531 Helsinki"),
    country="FI",
    email="tietosuoja@om.fi",
)
SWEDISH_IMY = Authority(
    code="se_imy",
    name=gettext_noop("Swedish Authority for Privacy Protection (IMY)"),
    description=gettext_noop("The data protection authority of Sweden. It handles complaints about "
                             "how personal data is used under the EU General Data Protection "
                             "Regulation."),
    url="https://www.imy.se",
    postal_address=(),
    country="SE",
    email="imy@imy.se",
)
IRISH_DPC = Authority(
    code="ie_dpc",
    name=gettext_noop("Data Protection Commission"),
    description=gettext_noop("The data protection authority of Ireland. It handles complaints about "
                             "how personal data is used under the EU General Data Protection "
                             "Regulation."),
    url="https://www.dataprotection.ie",
    postal_address=(),
    country="IE",
)
EU_LEAD_AUTHORITIES: Mapping[str, Authority] = MappingProxyType({
    "tietosuoja.fi": FINNISH_OMBUDSMAN,
    "imy.se": SWEDISH_IMY,
    "dataprotection.ie": IRISH_DPC,
})


def lead_authority(url: str) -> Authority:
    """The organisation's lead authority from its configured website: a known one by its host
    (with the configured address, which may be a page in the reader's language), another one
    by its address alone, and the Finnish Ombudsman when nothing is configured."""
    if not url:
        return FINNISH_OMBUDSMAN
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    known = EU_LEAD_AUTHORITIES.get(host)
    if known is not None:
        return dataclasses.replace(known, url=url)
    return Authority(
        code="lead",
        name=gettext_noop("The data protection authority"),
        description=gettext_noop("The supervisory authority that oversees how we use personal data "
                                 "under the EU General Data Protection Regulation."),
        url=url, postal_address=(), country="",
    )


# --- The other regimes ---------------------------------------------------------------------------

ICO = Authority(
    code="uk_ico",
    name=gettext_noop("Information Commissioner's Office (ICO)"),
    description=gettext_noop("The data protection authority of the United Kingdom. It handles "
                             "complaints under the UK GDPR and the Data Protection Act 2018."),
    url="https://ico.org.uk/make-a-complaint/",
    postal_address=(),
    country="GB",
)
# California: both enforce the CCPA/CPRA (Civ. Code §1798.199.10 and §1798.199.90).
CALIFORNIA_CPPA = Authority(
    code="us_ca_cppa",
    name=gettext_noop("California Privacy Protection Agency (CalPrivacy)"),
    description=gettext_noop("The privacy agency of California. It enforces the California Consumer "
                             "Privacy Act and takes complaints from consumers."),
    url="https://cppa.ca.gov",
    postal_address=(),
    country="US",
)
CALIFORNIA_AG = Authority(
    code="us_ca_ag",
    name=gettext_noop("Attorney General of California"),
    description=gettext_noop("The Attorney General also enforces the California Consumer Privacy "
                             "Act and takes complaints from consumers."),
    url="https://oag.ca.gov/privacy",
    postal_address=(),
    country="US",
)
# The state laws modelled on Virginia's: the Attorney General enforces them alone, and a refused
# appeal must point the consumer to them (research/deadlines-more.md §2.0).
_STATE_ENFORCER = gettext_noop("The Attorney General enforces the state's consumer privacy law and "
                               "takes complaints from consumers.")
VIRGINIA_AG = Authority(
    code="us_va_ag",
    name=gettext_noop("Office of the Attorney General of Virginia, Consumer Protection Section"),
    description=_STATE_ENFORCER,
    url="https://www.oag.state.va.us/consumer-protection/index.php/file-a-complaint",
    postal_address=(),
    country="US",
)
CONNECTICUT_AG = Authority(
    code="us_ct_ag",
    name=gettext_noop("Office of the Attorney General of Connecticut"),
    description=_STATE_ENFORCER,
    url="https://portal.ct.gov/ag",
    postal_address=(),
    country="US",
)
COLORADO_AG = Authority(
    code="us_co_ag",
    name=gettext_noop("Colorado Attorney General (Department of Law)"),
    description=_STATE_ENFORCER,
    url="https://coag.gov",
    postal_address=(),
    country="US",
)
# Utah: the Division of Consumer Protection receives and investigates complaints, the Attorney
# General enforces (Utah Code §13-61-401, §13-61-402).
UTAH_CONSUMER_PROTECTION = Authority(
    code="us_ut_dcp",
    name=gettext_noop("Utah Division of Consumer Protection"),
    description=gettext_noop("It receives and investigates complaints under the Utah Consumer "
                             "Privacy Act."),
    url="https://dcp.utah.gov",
    postal_address=(),
    country="US",
)
UTAH_AG = Authority(
    code="us_ut_ag",
    name=gettext_noop("Utah Attorney General"),
    description=gettext_noop("The Attorney General enforces the Utah Consumer Privacy Act."),
    url="https://attorneygeneral.utah.gov",
    postal_address=(),
    country="US",
)
OREGON_DOJ = Authority(
    code="us_or_doj",
    name=gettext_noop("Oregon Department of Justice, Consumer Protection"),
    description=_STATE_ENFORCER,
    url="https://www.doj.state.or.us/consumer-protection/",
    postal_address=(),
    country="US",
)
ANPD = Authority(
    code="br_anpd",
    name=gettext_noop("National Data Protection Authority of Brazil (ANPD)"),
    description=gettext_noop("The data protection authority of Brazil. It handles complaints "
                             "(petições) under the General Data Protection Law (LGPD)."),
    url="https://www.gov.br/anpd",
    postal_address=(),
    country="BR",
)
CANADA_OPC = Authority(
    code="ca_opc",
    name=gettext_noop("Office of the Privacy Commissioner of Canada"),
    description=gettext_noop("The privacy authority of Canada. It handles complaints under the "
                             "Personal Information Protection and Electronic Documents Act "
                             "(PIPEDA)."),
    url="https://www.priv.gc.ca",
    postal_address=(),
    country="CA",
)
SWISS_FDPIC = Authority(
    code="ch_fdpic",
    name=gettext_noop("Federal Data Protection and Information Commissioner (FDPIC)"),
    description=gettext_noop("The data protection authority of Switzerland. It handles reports "
                             "under the Federal Act on Data Protection (FADP)."),
    url="https://www.edoeb.admin.ch",
    postal_address=(),
    country="CH",
)

# Every regime of a ticket but the EU GDPR, whose authority is the organisation's lead authority.
AUTHORITIES: Mapping[str, tuple[Authority, ...]] = MappingProxyType({
    "uk_gdpr": (ICO,),
    "ccpa": (CALIFORNIA_CPPA, CALIFORNIA_AG),
    "us_va": (VIRGINIA_AG,),
    "us_ct": (CONNECTICUT_AG,),
    "us_co": (COLORADO_AG,),
    "us_ut": (UTAH_CONSUMER_PROTECTION, UTAH_AG),
    "us_or": (OREGON_DOJ,),
    "lgpd": (ANPD,),
    "pipeda": (CANADA_OPC,),
    "fadp": (SWISS_FDPIC,),
})


def authorities_for(regime: str, *, lead: Authority = FINNISH_OMBUDSMAN) -> tuple[Authority, ...]:
    """The authorities a requester under `regime` may complain to, the first the one to name
    first; `lead` is the organisation's lead authority (`lead_authority`), for the EU GDPR.
    UnknownRegime for a name that is no ticket's regime (the organisation's own service levels
    are no law with an authority)."""
    if regime == "gdpr":
        return (lead,)
    try:
        return AUTHORITIES[regime]
    except KeyError:
        raise UnknownRegime(f"no authority is known for the regime {regime!r}") from None
