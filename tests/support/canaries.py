"""A ticket whose personal data is made of unique canary strings, taken through its lifecycle by
the services (so that history and outbox rows exist), and a scanner that looks for the canaries
in stored bytes: plain, in hex and in base64 (research/reliability-security.md §5, G1)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets import services
from tickets.choices import Outcome, PauseKind
from tickets.models import Ticket
from tickets.uploads import check_upload


@dataclass(frozen=True)
class Canaries:
    name: str
    email: str
    description: str
    message: str
    file_name: str
    file_content: str
    reply: str
    pause: str
    comment: str

    def all(self) -> dict[str, str]:
        return dict(vars(self))


def new_canaries() -> Canaries:
    tag = secrets.token_hex(4)
    return Canaries(
        name=f"Kanarialintu{tag}Name", email=f"kanaria.{tag}@canary-mail.example",
        description=f"DescCanary{tag}", message=f"MessageCanary{tag}", file_name=f"passport{tag}canary",
        file_content=f"FileCanary{tag}", reply=f"ReplyCanary{tag}", pause=f"PauseCanary{tag}",
        comment=f"CommentCanary{tag}",
    )


def pdf(text: str) -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def seed_canary_ticket(canaries: Canaries, agent: Any) -> Ticket:
    """Submitted with a file, acknowledged, claimed, asked for identity, answered with a message
    and another file, replied to, resolved, rated: every place the requester's data goes."""
    first_file = check_upload(SimpleUploadedFile(f"{canaries.file_name}.pdf", pdf(canaries.file_content),
                                                 content_type="application/pdf"))
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name=canaries.name, email=canaries.email,
        description=canaries.description, language="en", attachment=first_file, submission_key=None,
        received_at=timezone.now(), actor=None, reason="submitted by the requester",
    ).ticket
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_request_information(ticket_id=ticket.pk, actor=agent, kind=PauseKind.IDENTITY,
                                        body=canaries.pause)
    second_file = check_upload(SimpleUploadedFile(f"{canaries.file_name}-2.pdf",
                                                  pdf(canaries.file_content), content_type="application/pdf"))
    services.ticket_add_requester_message(ticket=Ticket.objects.get(pk=ticket.pk), body=canaries.message,
                                          attachment=second_file)
    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body=canaries.reply)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome=Outcome.FULFILLED, body=canaries.reply)
    services.satisfaction_record(ticket_id=ticket.pk, score=4, comment=canaries.comment)
    return Ticket.objects.get(pk=ticket.pk)


def variants(canary: str) -> set[bytes]:
    """The canary as stored plainly, in hex, and in base64 at each of the three alignments (the
    middle of an encoding does not depend on what came before it, once aligned)."""
    raw = canary.encode()
    found = {raw.lower(), raw.hex().encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        found.add(encoded[4:-4] if shift else encoded[:-4])
    return found


def hits(blobs: Iterable[tuple[str, bytes]], canaries: Canaries) -> list[tuple[str, str]]:
    """(where, which canary) for every blob holding any variant of any canary. Plain text is
    compared in lower case: the email is normalised before it is hashed, never stored lowered."""
    found = []
    wanted = {name: variants(value) for name, value in canaries.all().items()}
    for where, blob in blobs:
        lowered = blob.lower()
        for name, forms in wanted.items():
            if any(form in blob or form.lower() in lowered for form in forms):
                found.append((where, name))
    return found


def files_under(root: Path) -> list[tuple[str, bytes]]:
    return [(str(path), path.read_bytes()) for path in sorted(root.rglob("*")) if path.is_file()]
