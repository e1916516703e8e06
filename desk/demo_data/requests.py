"""What a demo request is: who wrote it, where, in which language, what they asked, and the
steps taken on it (desk/demo_data/__init__.py)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# What a step does; the seed maps each to its service (desk/management/commands/seed_demo.py).
CLAIM = "claim"
ASSIGN = "assign"
REPLY = "reply"
NOTE = "note"
ASK_IDENTITY = "ask_identity"
ASK_DETAILS = "ask_details"
ANSWER = "answer"  # the requester writes on their status page
EXTEND = "extend"
RESOLVE = "resolve"
CLOSE = "close"
REJECT = "reject"
RATE = "rate"  # the requester answers "how were you treated?"
WITHDRAW = "withdraw"  # the requester withdraws on their status page
STAFF_ACTIONS = frozenset({CLAIM, ASSIGN, REPLY, NOTE, ASK_IDENTITY, ASK_DETAILS, EXTEND, RESOLVE,
                           CLOSE, REJECT})
# Steps that send the requester a message from the desk, signed off in the request's language.
SIGNED_ACTIONS = frozenset({REPLY, ASK_IDENTITY, ASK_DETAILS, RESOLVE})
SIGN_OFFS = {
    "fi": "Ystävällisin terveisin\nTietosuojatiimi",
    "sv": "Vänliga hälsningar\nDataskyddsteamet",
    "en": "Kind regards\nPrivacy team",
}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True)
class Step:
    day: float  # days after receipt; staff steps move on to the next working hour
    action: str
    actor: str = ""  # the member of staff's username; "" for the requester
    text: str = ""  # the message, note or reason, in the request's language
    outcome: str = ""
    reason: str = ""  # a resolution's legal reason (a refusal needs one)
    score: int = 0  # a satisfaction answer, 1 to 5


@dataclass(frozen=True)
class DemoRequest:
    name: str
    country: str
    region: str  # a US state or a UK nation, else ""
    language: str
    kind: str
    age: float  # days before the seed runs that the request arrived
    description: str
    steps: tuple[Step, ...] = ()

    @property
    def email(self) -> str:
        """firstname.lastname at one of the reserved example domains (RFC 2606)."""
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        local = ".".join(plain.lower().replace("'", "").split())
        return f"{local}@{EMAIL_DOMAINS[len(self.name) % len(EMAIL_DOMAINS)]}"


def claim(day: float, actor: str) -> Step:
    return Step(day, CLAIM, actor)


def assign(day: float, actor: str, to: str) -> Step:
    return Step(day, ASSIGN, actor, text=to)


def reply(day: float, actor: str, text: str) -> Step:
    return Step(day, REPLY, actor, text)


def note(day: float, actor: str, text: str) -> Step:
    return Step(day, NOTE, actor, text)


def ask_identity(day: float, actor: str, text: str) -> Step:
    return Step(day, ASK_IDENTITY, actor, text)


def ask_details(day: float, actor: str, text: str) -> Step:
    return Step(day, ASK_DETAILS, actor, text)


def answer(day: float, text: str) -> Step:
    return Step(day, ANSWER, text=text)


def extend(day: float, actor: str, reason: str) -> Step:
    return Step(day, EXTEND, actor, text=reason)


def resolve(day: float, actor: str, outcome: str, text: str, reason: str = "") -> Step:
    return Step(day, RESOLVE, actor, text, outcome=outcome, reason=reason)


def withdraw(day: float, reason: str) -> Step:
    """The requester withdraws the request on their status page, saying why."""
    return Step(day, WITHDRAW, text=reason)


def close(day: float, actor: str) -> Step:
    return Step(day, CLOSE, actor)


def reject(day: float, actor: str, reason: str) -> Step:
    return Step(day, REJECT, actor, text=reason)


def rate(day: float, score: int, comment: str = "") -> Step:
    return Step(day, RATE, text=comment, score=score)

