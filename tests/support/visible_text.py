"""What a reader sees on a page, and what in it is not meant for them (issue 16).

`read_blocks(page)` walks a Playwright page's text nodes as a reader meets them: rendered
elements only (no scripts, styles, templates, nothing `display: none` or `visibility: hidden`,
no attribute), each text grouped by the block element that holds it (a paragraph, a table cell,
a button, an option of a visible select).

`findings(blocks, …)` then looks for four classes of text that a person should never read:

    template   template syntax: `{#`, `#}`, `{%`, `%}`, `{{`, `}}`, or an unfilled `%(name)s`;
    code       an internal value: a choice's value, a deadline event, an escalation rule, a
               calendar, country or language code (`uk_gdpr`, `partly_fulfilled`, `GB ENG`);
    path       a repository path or a reference to the research notes (`research/…`, `x.md`,
               `x.py` but `manage.py`, a command an administrator types, `tickets/`,
               `research §3.1`, a bare `(§2.7)`);
    english    on a Finnish or Swedish page, an English sentence or legal term ("received on",
               "is due", "Art. 12(3)", "the clock", "deadline"…).

The demo data's own words (names, descriptions, messages, queue names, usernames, the reasons the
demo staff typed) are the requesters' and the staff's, in whatever language they wrote them:
`Vocabulary.data` holds them and they are taken out of each block before it is read.

Explicit exclusions, kept few: `SKIPPED_ELEMENTS` (legitimately English, marked `lang="en"`).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# Elements whose text is legitimately in another language: Swagger UI speaks only English (its page
# says lang="en"). (A proper name kept in English beside its translation is no English sentence:
# `english_in` leaves names alone.)
SKIPPED_ELEMENTS = ("#swagger-ui",)

# The walk, run in the page. A block is the nearest ancestor whose display is not inline (a table
# cell, a list item, a button…); an option counts when its select is visible, as a reader opens it.
READ_BLOCKS = """(skipped) => {
  const ignored = 'script, style, noscript, template';
  const blocks = new Map();
  // Text nodes, and <br>, which breaks a line as a space does.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT,
    node => node.nodeType === Node.TEXT_NODE || node.tagName === 'BR'
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP);
  const describe = element => {
    const parts = [];
    for (let at = element; at && at !== document.body && parts.length < 4; at = at.parentElement) {
      let part = at.tagName.toLowerCase();
      if (at.id) { part += '#' + at.id; }
      else if (typeof at.className === 'string' && at.className.trim()) {
        part += '.' + at.className.trim().split(/\\s+/).slice(0, 2).join('.');
      }
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeType === Node.TEXT_NODE ? node.data : ' ';
    const parent = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!parent || parent.closest(ignored)) { continue; }
    if (skipped.some(selector => parent.closest(selector))) { continue; }
    const select = parent.closest('select');
    const shown = select || parent;
    if (!shown.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) { continue; }
    let block = parent.closest('option') || parent;
    while (block !== document.body && ['inline', 'contents'].includes(getComputedStyle(block).display)) {
      block = block.parentElement;
    }
    if (!blocks.has(block)) {
      if (!text.trim()) { continue; }  // spaces between blocks; between words they count
      const marked = block.closest('[lang]');
      blocks.set(block, {texts: [], where: describe(block), lang: marked ? marked.getAttribute('lang') : ''});
    }
    blocks.get(block).texts.push(text);
  }
  return [...blocks.values()].map(({texts, where, lang}) => ({text: texts.join(''), where, lang}));
}"""


@dataclass(frozen=True)
class Block:
    text: str
    where: str = ""  # a short CSS path to the element, for the report
    lang: str = ""  # the nearest lang attribute


@dataclass(frozen=True)
class Finding:
    page: str
    language: str
    kind: str  # template, code, path, english
    found: str  # what matched
    context: str  # the block's text around it
    where: str = ""

    def line(self) -> str:
        return (f"[{self.kind}] {self.page} ({self.language}) {self.found!r} in «{self.context}» "
                f"at {self.where}")


@dataclass(frozen=True)
class Vocabulary:
    """What the detector knows: the internal values and the words of each language, and the data's
    own texts (skipped)."""

    codes: frozenset[str]  # never plain words: snake_case values, lower-case law codes
    values: frozenset[str]  # every internal value, code or plain English word
    words: Mapping[str, frozenset[str]]  # the lower-case words of the desk's own texts per language
    countries: frozenset[str]
    data: tuple[str, ...] = ()

    def with_data(self, texts: Iterable[str]) -> Vocabulary:
        kept = {_normal(text) for text in texts if text and len(_normal(text)) >= 3}
        return Vocabulary(self.codes, self.values, self.words, self.countries,
                          tuple(sorted(kept, key=len, reverse=True)))

    @property
    def data_pattern(self) -> re.Pattern[str] | None:
        return _data_pattern(self.data)


@cache
def _data_pattern(data: tuple[str, ...]) -> re.Pattern[str] | None:
    if not data:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in data))


def _normal(text: str) -> str:
    return " ".join(text.split())


# Internal values ----------------------------------------------------------------------------------

def internal_values() -> frozenset[str]:
    """Every value of the choices, the engine's regimes and events, the pause kinds, the escalation
    rules: what the code says, never what a person should read."""
    from tickets import choices
    from tickets.deadlines import REGIMES
    from tickets.deadlines.inputs import PAUSE_KINDS
    from tickets.escalation_rules import RULES
    from tickets.lifecycle import Status

    values: set[str] = {status.value for status in Status}
    for enum in (choices.Kind, choices.Regime, choices.MessageKind, choices.Outcome, choices.PauseKind):
        values.update(str(value) for value in enum.values)
    for regime, events in REGIMES.items():
        values.add(regime)
        values.update(events)
    values.update(PAUSE_KINDS)
    values.update(rule.name for rule in RULES)
    return frozenset(values)


def catalogue_words(language: str) -> frozenset[str]:
    """The lower-case words of the desk's texts in `language`: the msgstrs of its catalogue, and
    for English the msgids of both catalogues. What counts as a plain word of that language."""
    locale = Path(__file__).resolve().parents[2] / "desk/locale"
    wanted = "msgid" if language == "en" else "msgstr"
    paths = locale.glob("*/LC_MESSAGES/django.po") if language == "en" else [
        locale / language / "LC_MESSAGES/django.po"]
    words: set[str] = set()
    for po in paths:
        for text in re.findall(rf'^{wanted}(?:\[\d\])? "(.*)"$', po.read_text(), flags=re.MULTILINE):
            words.update(word for word in re.findall(r"\w+", text) if word.islower())
    return frozenset(words)


def vocabulary() -> Vocabulary:
    """The detector's knowledge, from the code and the catalogues (Django must be set up)."""
    from django_countries import countries

    from tickets.deadlines import REGIMES

    values = internal_values()
    words = {language: catalogue_words(language) for language in ("en", "fi", "sv")}
    # A code in every language: a snake_case value, or a law's lower-case name (gdpr, lgpd, pipeda).
    # The other values are English words (`access`, `withdrawn`), codes only where they stand alone.
    codes = frozenset(value for value in values if "_" in value or value in REGIMES)
    return Vocabulary(codes=codes, values=values, words=words,
                      countries=frozenset(code for code, _name in countries))


# The demo data's own words ------------------------------------------------------------------------

def literal_texts(path: Path) -> set[str]:
    """The prose in a module's string literals (a space inside, or a capitalised name): the texts a
    demo seed writes as a requester's or a member of staff's words. Identifiers and values
    (`fulfilled`, `opt_out`) are left out, so that a leaked value is still found."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = _normal(node.value)
            if len(text) >= 3 and (" " in text or text[:1].isupper()) and "{" not in text:
                found.add(text)
    return found


def demo_texts() -> set[str]:
    """Every text the demo desk holds that a person wrote: requesters' names, addresses,
    descriptions and messages, staff's replies and reasons, queue names, usernames, the seed's
    own prose; and the subjects of the emails as they were sent, in their reader's language (the
    compliance record quotes them). Read from the database (decrypted by the models)."""
    from django.contrib.auth import get_user_model

    from notifications.models import Outbox
    from tickets.models import Attachment, ClockPause, Extension, Message, Queue, Satisfaction, Ticket

    texts: set[str] = set()
    for ticket in Ticket.objects.all():
        texts.update((ticket.requester_name, ticket.requester_email, ticket.description,
                      ticket.outcome_reason))
    for model, fields in ((Message, ("body",)), (Attachment, ("original_name",)), (ClockPause, ("reason",)),
                          (Extension, ("reason",)), (Satisfaction, ("comment",)),
                          (Queue, ("name", "description")), (Outbox, ("subject",))):
        for row in model.objects.all():
            texts.update(str(getattr(row, name) or "") for name in fields)
    for user in get_user_model().objects.all():
        texts.update((user.get_username(), user.email, user.get_full_name()))
    seed = Path(__file__).resolve().parents[2] / "desk/management/commands/seed_demo.py"
    if seed.exists():
        texts.update(literal_texts(seed))
    # Each text line by line too: a page may break a message into paragraphs.
    lines = {line for text in texts for line in text.splitlines()}
    return {text for text in texts | lines if text.strip()}


# The detector -------------------------------------------------------------------------------------

TEMPLATE = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}|%\(\w+\)[sd]")
PATHS = re.compile(
    r"research/|\bresearch\s*§|\w\.md\b|(?<=\w)(?<!\bmanage)\.py\b|(?<![\w/])tickets/|\.md\s*§|\(§\d{1,2}(?:\.\d{1,2})*[),]"
)
# Calendars and regions: GB-ENG, GB ENG, US-CA, CA-QC, CH-ZH.
CALENDAR = re.compile(r"\b(?:GB[- ](?:ENG|SCT|WLS|NIR)|(?:US|CA|CH)[- ][A-Z]{2})\b")
LANGUAGE_CODES = frozenset({"fi", "sv", "en"})
# The names of the fields that hold values, as the code (and a history diff) writes them.
FIELDS = ("status", "outcome", "kind", "regime", "event", "rule", "priority", "language", "pause_kind",
          "calendar", "queue", "assignee")

# English on a Finnish or Swedish page. STRONG: any one is enough (English law, dates, the desk's
# own legal terms). WORDS: English function words and legal terms that are never Finnish or
# Swedish words (so not "on", "in", "be", "all", "man", "under", "me", "no"…); a sentence with two
# different ones making up a fair part of it is English.
STRONG = re.compile(
    r"\breceived on\b|\bis due\b|\bArt\.\s?\d|\bReg\.\s?\d|\bthe clock\b"
    r"|\b(?:working|business|calendar) days?\b|\bdeadlines?\b|\brequests?\b|\brequester\b"
    r"|\bpaused\b|\bextended\b|\bnot statutory\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:January|February|March|June|July|October)\b",
    re.IGNORECASE,
)
# Months whose Swedish name is the same word or close: English capitalises them, Swedish does not.
STRONG_CASED = re.compile(r"\b(?:April|May|August|September|November|December)\b")
_WORDS = """
the of to is are was were been being by and for with from your you we our this that these those which
who whom whose will would must can could should has have had not or at it its an there their they
what when where if than then yes after before within until since into about any each every only also
here because while whether unless once days day weeks week months month received receipt due
paused clock working business deadline deadlines request requests requester answer answered respond
response notice notified extended extension holiday holidays weekend law regulation article section
statutory controller consumer moved counted ignored suspended conservative interpretation
calendar starts ends end first next later earlier left overdue open closed new resolved rejected
withdrawn waiting proof identity done asked refused partly fulfilled claimed assigned please go back
page send again add message file my how people ticket tickets queue queues refusal needs reason link
another opened use try minute six digit type saved continue second step sign signing staff read act
added member changed erased personal rule retention choose most years ten write attach download list
get stop sharing selling handle ask anything common other services can't don't nothing something
removed enforces handles takes too out neither nor badly well time small double analogy monthly report
printing answered
"""
WORDS = frozenset(_WORDS.split())
CONNECTORS = frozenset({"of", "the", "and", "for"})  # what joins the words of a name
SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
# A proper name, kept in its own language beside a translation: two capitalised words or more,
# maybe joined by "of", "the", "and" ("Office of the Attorney General of Connecticut").
NAME = re.compile(r"\b[A-Z][\w'\u2019.-]*(?:,?\s+(?:(?:of|the|and|for)\s+)*[A-Z][\w'\u2019.-]*)+")
PATH_LIKE = re.compile(r"https?://\S+|\S*\.(?:md|py)\b|\bresearch/\S*")
SNAKE = re.compile(r"\w+_\w+")  # a code, not a word: the code class finds it
TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def findings(blocks: Iterable[Block], *, page: str, language: str, vocabulary: Vocabulary) -> list[Finding]:
    """Everything on the page that is not meant for its reader, one finding per block and class."""
    codes = _code_pattern(vocabulary.codes)
    field_value = _field_value_pattern(vocabulary.values)
    data = vocabulary.data_pattern
    found: list[Finding] = []
    for block in blocks:
        text = _normal(block.text)
        if data is not None:
            text = _normal(data.sub(" ", text))
        text = _without_truncated_data(text, vocabulary.data)
        if not text:
            continue

        def add(kind: str, match: str, *, text: str = text, block: Block = block) -> None:
            found.append(Finding(page, language, kind, match, _context(text, match), block.where))

        if hit := TEMPLATE.search(text):
            add("template", hit.group())
        if hit := PATHS.search(text):
            add("path", hit.group())
        if code := _code(text, language, vocabulary, codes, field_value):
            add("code", code)
        if language in ("fi", "sv") and (english := english_in(text)):
            add("english", english)
    return found


def _without_truncated_data(text: str, data: tuple[str, ...]) -> str:
    """A data text cut short on a list ("Please send me a copy…") is still the requester's: the
    block's end, from the first word where a data text begins, is dropped."""
    if not text.endswith(("…", "...")):
        return text
    words = text.rstrip(".…").split()
    for start in range(len(words)):
        candidate = " ".join(words[start:])
        if len(candidate) >= 8 and any(item.startswith(candidate) for item in data):
            return " ".join(words[:start])
    return text


@cache
def _code_pattern(codes: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w/.-])(?:{alternatives})(?![\w/-])")


@cache
def _field_value_pattern(values: frozenset[str]) -> re.Pattern[str]:
    """`status: new`, `outcome: fulfilled`, `Tila: new → closed`: a value shown as the code shows
    it, after one of the code's field names, after an arrow, or starting a change before one (but
    not "Waiting for proof of identity → Rejected", labels)."""
    alternatives = "|".join(re.escape(value) for value in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?:\b(?:{'|'.join(FIELDS)}):\s*|→\s*)(?:{alternatives})(?![\w-])"
                      rf"|(?:^|:\s*)(?:{alternatives})\s*→")


def _code(text: str, language: str, vocabulary: Vocabulary, codes: re.Pattern[str],
          field_value: re.Pattern[str]) -> str:
    if hit := codes.search(text):
        return hit.group()
    if hit := field_value.search(text):
        return hit.group()
    if hit := CALENDAR.search(text):
        return hit.group()
    # A block that is a value and nothing else: a table cell reading `respond` or `access`.
    if text in vocabulary.values or text in LANGUAGE_CODES or text in vocabulary.countries:
        return text
    if language != "en" and not english_in(text):
        # On a Finnish or Swedish page, a value that is no word of the language (`new`, `access`)
        # in a text that is not English already (that is the English class's finding).
        for word in re.findall(r"[a-z_]+", text):
            if (word in vocabulary.values and word not in vocabulary.words.get(language, frozenset())
                    and re.search(rf"(?<![\w/.-]){re.escape(word)}(?![\w/-])", text)):
                return word
    return ""


def english_in(text: str) -> str:
    """The English in a Finnish or Swedish text: a strong marker, or a sentence of English words.
    Empty when there is none."""
    text = PATH_LIKE.sub(" ", text)  # a path or an address is the path class's finding, not English
    if hit := STRONG.search(text) or STRONG_CASED.search(text):
        return hit.group()
    for sentence in SENTENCE.split(NAME.sub(" ", SNAKE.sub(" ", text))):
        tokens = [token for token in TOKEN.findall(sentence) if not (token.isupper() and len(token) <= 5)]
        english = [token for token in tokens if token.lower() in WORDS]
        distinct = {token.lower() for token in english}
        # Two different English words, one of them more than a name's "of the", a fair part of it.
        if len(distinct) >= 2 and distinct - CONNECTORS and len(english) >= 0.25 * len(tokens):
            return sentence.strip()
    return ""


def _context(text: str, match: str, width: int = 70) -> str:
    at = text.find(match)
    if at < 0 or len(text) <= 2 * width:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    start, end = max(0, at - width), min(len(text), at + len(match) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def read_blocks(page: Any) -> list[Block]:
    """The visible text of a Playwright page, block by block."""
    return [Block(_normal(item["text"]), item["where"], item["lang"])
            for item in page.evaluate(READ_BLOCKS, list(SKIPPED_ELEMENTS))]


@dataclass
class Report:
    """Findings over many pages, grouped for a reader: by class, then by what was found where."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, found: Iterable[Finding]) -> None:
        self.findings.extend(found)

    def text(self, limit: int = 400) -> str:
        groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for item in self.findings:
            groups[(item.kind, item.page.split(" ")[0], item.found)].append(item)
        lines = [f"{len(self.findings)} places where a reader meets text not meant for them "
                 f"({len(groups)} distinct):"]
        for (kind, page, found), items in sorted(groups.items()):
            languages = ",".join(sorted({item.language for item in items}))
            pages = sorted({item.page for item in items})
            shown = ", ".join(pages[:3]) + (f" (+{len(pages) - 3} more)" if len(pages) > 3 else "")
            lines.append(f"[{kind}] {page} [{languages}] x{len(items)}: {found!r} in «{items[0].context}» "
                         f"at {items[0].where} — {shown}")
            if len(lines) > limit:
                lines.append(f"… and {len(groups) - limit} more groups")
                break
        return "\n".join(lines)
