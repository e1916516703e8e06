"""The world every security test attacks: two queues, a ticket in each with a requester message,
an attachment and an internal note, and nine personas. Plus the one "nothing changed" snapshot.

Queue A is "requests" (an access request lands there), queue B is "complaints". The personas
and what the rule of the workspace gives them (SPEC: "an agent sees only the queues they work";
issue 7: "managers see personal data only of their queues; admins manage users without seeing
ticket content unless they are also in the queue"):

    agent_a     member of A                       tickets of A
    agent_b     member of B                       tickets of B
    manager_a   manager of A (not a member)       tickets of A, A's figures
    manager_b   manager of B                      tickets of B, B's figures
    admin       superuser, in no queue            no ticket; every queue's figures (no personal data)
    dpo         staff in group "dpo", member of both queues (as in seed_demo)   tickets of A and B
    anonymous   nobody signed in                  the login page
    inactive    staff member of A, deactivated    the login page, as if signed out
    non_staff   a signed-in user without is_staff, even though listed as a member of A: nothing
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from notifications.models import Notification, Outbox
from tests.support.people import client_for, staff
from tests.support.status_links import secret_of
from tickets import services, uploads
from tickets.models import (
    AccessLog,
    Attachment,
    ClockPause,
    Escalation,
    Extension,
    Message,
    Queue,
    Satisfaction,
    StatusLink,
    Ticket,
)
from tickets.uploads import CheckedUpload

User = get_user_model()

QUEUE_A, QUEUE_B = "requests", "complaints"
PERSONAS = ("agent_a", "agent_b", "manager_a", "manager_b", "admin", "dpo", "anonymous", "inactive",
            "non_staff")
# Whose tickets each persona reaches: the one rule, written once, that the matrix checks.
SEES_TICKETS_OF: dict[str, frozenset[str]] = {
    "agent_a": frozenset({"a"}), "agent_b": frozenset({"b"}),
    "manager_a": frozenset({"a"}), "manager_b": frozenset({"b"}),
    "admin": frozenset(), "dpo": frozenset({"a", "b"}),
    "anonymous": frozenset(), "inactive": frozenset(), "non_staff": frozenset(),
}
# Who reaches the manager's side (dashboard, its CSV files, the monthly report, /api/v1/metrics/).
SEES_FIGURES = frozenset({"manager_a", "manager_b", "admin"})
# Who is signed out in effect: staff pages send them to the login page.
SIGNED_OUT = frozenset({"anonymous", "inactive"})
# Signed-in, active staff: the queue page, the CSV of the queue, the notifications.
ACTIVE_STAFF = frozenset({"agent_a", "agent_b", "manager_a", "manager_b", "admin", "dpo"})

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def checked(name: str = "evidence.pdf", content: bytes = PDF) -> CheckedUpload:
    return CheckedUpload(original_name=name, content_type="application/pdf", size=len(content),
                         sha256=hashlib.sha256(content).hexdigest(), content=content)


@dataclass
class Side:
    """One queue's ticket and what hangs on it."""

    ticket: Ticket
    message: Message  # the requester's message, with the attachment
    attachment: Attachment
    note: Message
    token: str  # the ticket's status-link secret


@dataclass
class World:
    people: dict[str, Any]
    a: Side
    b: Side
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            self.clients[persona] = client_for(self.people[persona])
        return self.clients[persona]

    def side(self, letter: str) -> Side:
        return self.a if letter == "a" else self.b


def make_people() -> dict[str, Any]:
    dpo = staff("dpo", member_of=(QUEUE_A, QUEUE_B))
    dpo.groups.add(Group.objects.get_or_create(name="dpo")[0])
    admin = staff("root")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    inactive = staff("gone", member_of=(QUEUE_A,))
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    non_staff = User.objects.create_user("customer", "customer@example.org", "a-long-test-password")
    Queue.objects.get(slug=QUEUE_A).members.add(non_staff)
    return {
        "agent_a": staff("agent_a", member_of=(QUEUE_A,)),
        "agent_b": staff("agent_b", member_of=(QUEUE_B,)),
        "manager_a": staff("manager_a", manager_of=(QUEUE_A,)),
        "manager_b": staff("manager_b", manager_of=(QUEUE_B,)),
        "admin": admin, "dpo": dpo, "anonymous": None, "inactive": inactive, "non_staff": non_staff,
    }


def make_side(kind: str, *, name: str, email: str, description: str, agent: Any) -> Side:
    submission = services.ticket_create(
        kind=kind, country="FI", region="", name=name, email=email, description=description,
        language="en", attachment=None, submission_key=None, received_at=timezone.now(),
        actor=None, reason="test", acknowledge=False,
    )
    ticket = submission.ticket
    # The service gives the link to email (a full URL); the secret is its fragment.
    token = secret_of(services.status_link_issue(ticket))
    services.ticket_add_requester_message(ticket=ticket, body=f"Message of {name}.",
                                          attachment=checked(f"proof-{kind}.pdf"))
    note = services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body=f"Internal note on {name}.")
    message = ticket.messages.get(kind="requester")
    ticket.refresh_from_db()
    return Side(ticket=ticket, message=message, attachment=message.attachments.get(), note=note,
                token=token)


def make_world() -> World:
    people = make_people()
    a = make_side("access", name="Aada Asiakas", email="aada@example.org",
                  description="Show me my data (A).", agent=people["agent_a"])
    b = make_side("complaint", name="Bertil Bengtsson", email="bertil@example.org",
                  description="You sold my data (B).", agent=people["agent_b"])
    assert a.ticket.queue.slug == QUEUE_A and b.ticket.queue.slug == QUEUE_B
    return World(people=people, a=a, b=b)


# --- Nothing changed ----------------------------------------------------------------------------

TRACKED_MODELS: tuple[Any, ...] = (Ticket, Message, Attachment, ClockPause, Extension, Escalation,
                                   Satisfaction, StatusLink, Outbox, Notification)
TICKET_FIELDS = ("status", "assignee_id", "queue_id", "priority", "due_date", "escalation_level",
                 "outcome", "outcome_reason", "first_response_at", "resolved_at", "closed_at",
                 "description", "requester_name", "requester_email", "updated_at")


def files_in(root: Path) -> frozenset[str]:
    return frozenset(path.name for path in root.iterdir()) if root.exists() else frozenset()


def state() -> dict[str, Any]:
    """Everything a refusal must leave as it was: every row count (history tables included),
    every ticket's fields, and the files in the private media root."""
    counts = {model.__name__: model.objects.count() for model in TRACKED_MODELS}
    for model in (Ticket, Message, Attachment, ClockPause, Extension, Satisfaction):
        counts[f"{model.__name__} history"] = model.history.count()
    tickets = {ticket.pk: tuple(getattr(ticket, name) for name in TICKET_FIELDS)
               for ticket in Ticket.objects.order_by("pk")}
    messages = tuple(Message.objects.order_by("pk").values_list("pk", "ticket_id", "kind", "body"))
    return {"counts": counts, "tickets": tickets, "messages": messages,
            "files": files_in(uploads.private_root())}


def access_count() -> int:
    return AccessLog.objects.count()


def page_text(response: Any) -> str:
    """A response's body as text, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return str(response.content.decode())


def comparable(response: Any, path: str) -> str:
    """The body with what legitimately differs between two requests taken out: the per-response
    mask of the CSRF token, and the request's own path (the language switcher's `next`)."""
    import re

    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""',
                  page_text(response))
    return text.replace(path, "{path}")


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a streamed CSV download (UTF-8 with a byte-order mark)."""
    import csv
    import io

    return list(csv.reader(io.StringIO(page_text(response).removeprefix("\ufeff"))))
