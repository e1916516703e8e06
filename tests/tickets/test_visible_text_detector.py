"""The detector of the every-page text sweep (tests/support/visible_text.py), without a browser:
it finds what a reader should never meet, and leaves the desk's own words and the data alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.visible_text import (
    NAME,
    Block,
    Vocabulary,
    english_in,
    findings,
    literal_texts,
    vocabulary,
)

DESCRIPTION = "Please send me a copy of all personal data you hold about me. I asked on Monday."


@pytest.fixture(scope="module")
def known() -> Vocabulary:
    return vocabulary().with_data(["Jane Doe", DESCRIPTION, "Requests"])


def kinds(text: str, language: str, known: Vocabulary) -> list[str]:
    return [found.kind for found in findings([Block(text)], page="page", language=language, vocabulary=known)]


@pytest.mark.parametrize("text", [
    "The GDPR response to a request received on Monday 4 January 2027 is due by 4 February 2027.",
    "Reg. 1182/71 Art. 3(4): the last day moves to the next working day.",
    "The clock was paused while we waited for the proof of identity.",
    "Määräaika: 4.2.2027 (deadline extended)",
    "Claimed by the assignee, and the requester was told.",
    "Tiistai 5 January 2027",
    "Ärendet besvaras senast 5 December 2027",
    "Our answer",
    "Where to complain",
    "The ticket is closed. Reopen it first.",
    "Tila muuttui (requester/system)",
])
def test_english_law_is_found_on_finnish_and_swedish_pages_only(text: str, known: Vocabulary) -> None:
    assert "english" in kinds(text, "fi", known)
    assert "english" in kinds(text, "sv", known)
    assert "english" not in kinds(text, "en", known)


@pytest.mark.parametrize(("text", "language"), [
    ("Määräaika päättyy 4.2.2027", "fi"),
    ("Vastaamme viimeistään tiistaina 5. tammikuuta 2027.", "fi"),
    ("Pyyntö on saapunut, ja se on käsittelyssä.", "fi"),
    ("Me vastaamme, kun olemme tarkistaneet henkilöllisyytesi.", "fi"),
    ("Vi svarar senast den 5 december 2027. Logga in för att se ärendet.", "sv"),
    ("Alla uppgifter under en period av en månad, per ärende.", "sv"),
    ("Jane Doe", "fi"),  # a name, in the data or not
    ("Anna Hall", "sv"),
    (DESCRIPTION, "fi"),  # the requester's own words
    ("Kuvaus: " + DESCRIPTION, "fi"),
    ("Please send me a copy…", "fi"),  # the same, cut short on a list
    ("Jonot: Requests", "fi"),  # a queue's name is data
    ("EU:n yleinen tietosuoja-asetus (GDPR), 12 artiklan 3 kohta", "fi"),
    ("UK GDPR", "sv"),
    # An authority's own name beside its translation.
    ("Connecticutin oikeusministerin virasto (Office of the Attorney General of Connecticut)", "fi"),
    ("Integritetsskyddsmyndigheten (Swedish Authority for Privacy Protection, IMY)", "sv"),
])
def test_finnish_swedish_names_and_data_pass(text: str, language: str, known: Vocabulary) -> None:
    assert kinds(text, language, known) == []


@pytest.mark.parametrize("text", [
    "uk_gdpr", "Laki: lgpd", "us_va", "Tila: new → awaiting_verification", "outcome: partly_fulfilled",
    "status: new", "extension_notice", "Asuu: GB ENG", "GB-ENG", "US-CA", "respond", "due_soon",
    "FI", "fi", "Tila: closed → Käsittelyssä", "new → Käsittelyssä", "Tila: Käsittelyssä → resolved",
])
def test_internal_codes_are_found_in_every_language(text: str, known: Vocabulary) -> None:
    for language in ("fi", "sv", "en"):
        assert "code" in kinds(text, language, known), (text, language)


@pytest.mark.parametrize(("text", "language"), [
    ("Resolved", "en"), ("New messages", "en"), ("Access to your data", "en"),
    ("Respond by 4 February 2027", "en"), ("We answer by 5 January 2027.", "en"),
    ("Asuu: Yhdistynyt kuningaskunta (Englanti)", "fi"), ("Lag: Brasiliens LGPD", "sv"),
    ("PD-2026-000051", "fi"), ("demo12@example.org", "fi"),
    ("Status: Waiting for proof of identity → Rejected", "en"), ("Tila: Uusi → Käsittelyssä", "fi"),
])
def test_labels_and_plain_words_are_no_codes(text: str, language: str, known: Vocabulary) -> None:
    assert "code" not in kinds(text, language, known), text


@pytest.mark.parametrize("text", ["{# comment #}", "{% translate 'x' %}", "{{ ticket.regime }}", "Hello }}",
                                  "Request %(reference)s"])
def test_template_syntax_is_found_in_every_language(text: str, known: Vocabulary) -> None:
    for language in ("fi", "sv", "en"):
        assert "template" in kinds(text, language, known)


@pytest.mark.parametrize("text", [
    "Organisation service level (not statutory); research/deadlines.md §10",
    "See tickets/deadlines/gdpr.py", "England unless the ticket names a nation (research §3.4)",
    "Christmas Eve (§2.7) is a working day",
])
def test_repository_paths_and_research_references_are_found(text: str, known: Vocabulary) -> None:
    assert "path" in kinds(text, "en", known)


@pytest.mark.parametrize("text", [
    "Cal. Civ. Code §1798.130(a)(2)(A); 11 CCR §7021(b)", "GDPR Art. 12(3)",
    "Conn. Gen. Stat. §42-518 (PA 22-15 §4)", "Act 150/1930 §5",
])
def test_legal_citations_are_no_paths(text: str, known: Vocabulary) -> None:
    assert "path" not in kinds(text, "en", known)


def test_a_finding_says_where_and_shows_the_text_around_it(known: Vocabulary) -> None:
    block = Block("Jonossa on 12 pyyntöä. " * 10 + "Laki: uk_gdpr. " + "Lisää tekstiä. " * 10,
                  where="main > table > td")
    [found] = findings([block], page="queue", language="fi", vocabulary=known)
    assert (found.kind, found.found, found.where) == ("code", "uk_gdpr", "main > table > td")
    assert "Laki: uk_gdpr" in found.context and len(found.context) < len(block.text)
    assert "uk_gdpr" in found.line() and "queue (fi)" in found.line()


def test_the_english_detector_says_what_it_found() -> None:
    assert english_in("Vastaus on myöhässä.") == ""
    assert english_in("Määräaika on received on 4.1.") == "received on"
    assert english_in("It was closed after the answer.") == "It was closed after the answer."


def test_the_seeds_prose_is_data_but_its_values_are_not(tmp_path: Path) -> None:
    seed = tmp_path / "seed.py"
    seed.write_text('NAMES = [("Jane Doe", "Please delete my data.")]\nOUTCOME = "partly_fulfilled"\n'
                    'KIND = "access"\nREASON = "Several systems to search"\n')
    assert literal_texts(seed) == {"Jane Doe", "Please delete my data.", "Several systems to search"}


# Against the desk's own catalogues: every Finnish and Swedish translation is read as it would be
# shown (its placeholders filled), and the English msgids are what the detector must find.
LOCALE = Path(__file__).resolve().parents[2] / "desk/locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# A model's help text, shown only in the admin, whose point is to show the codes it takes.
CODE_EXAMPLES = ("GB-SCT",)


def po_entries(language: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of a catalogue, its continued lines joined; the header left out."""
    entries = []
    for chunk in (LOCALE / language / "LC_MESSAGES/django.po").read_text().split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', chunk, re.MULTILINE)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', chunk, re.MULTILINE)
        if msgid and msgstr:
            joined = ["".join(re.findall(r'"(.*)"', found.group(1))) for found in (msgid, msgstr)]
            if joined[0]:
                entries.append((joined[0], joined[1]))
    return entries


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_translation_of_the_desk_looks_english_or_shows_a_code(language: str, known: Vocabulary) -> None:
    entries = po_entries(language)
    assert len(entries) > 500
    wrong = []
    for msgid, msgstr in entries:
        shown = PLACEHOLDER.sub("12", msgstr)
        found = [(item.kind, item.found) for item in
                 findings([Block(shown)], page="po", language=language, vocabulary=known)
                 if item.found not in CODE_EXAMPLES]
        if found:
            wrong.append((msgid, msgstr, found))
    assert wrong == []


def test_the_english_of_the_desk_is_found_on_a_finnish_page() -> None:
    """Nearly every English text of five words or more is caught when it stands untranslated, but
    a name ("Office of the Privacy Commissioner of Canada") is a name."""
    sentences = [PLACEHOLDER.sub("12", msgid) for msgid, _msgstr in po_entries("fi")
                 if len(NAME.sub("", msgid).split()) >= 4]
    missed = [sentence for sentence in sentences if not english_in(sentence)]
    assert len(sentences) > 200
    assert len(missed) <= 0.05 * len(sentences), missed
