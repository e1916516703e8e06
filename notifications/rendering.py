"""Renders one message (subject, plain text, HTML) in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

EVENTS = (
    "acknowledgement", "reply", "information_requested", "extended", "resolved", "escalation", "digest",
    "status_links",
    "requester_message", "requester_withdrew", "withdrawn",  # tickets/services/requester.py
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def render_message(*, event: str, language: str, context: dict[str, Any]) -> Rendered:
    if event not in EVENTS:
        raise ValueError(f"no templates for event {event!r}")
    base = f"notifications/{event}"
    with translation.override(language):
        full = {**context, "language": language}
        subject = render_to_string(f"{base}/subject.txt", full)
        text = render_to_string(f"{base}/body.txt", full)
        html = render_to_string(f"{base}/body.html", full)
    # One line, no control characters: a subject can never carry a header (ASVS 1.3.11).
    return Rendered(subject=" ".join(subject.split())[:255], body_text=text.strip() + "\n",
                    body_html=html)
