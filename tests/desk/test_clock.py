"""The desk's one clock (desk/clock.py): held at a moment, everything the desk stamps reads that
moment (the services, auto_now fields, simple-history, the development mailbox); nothing in the
desk takes `now` by name, which would escape it; and no code outside tests/ needs time-machine.
"""

from __future__ import annotations

import ast
import datetime
import email
import email.policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from desk.clock import held_at
from desk.dev_mail import FileMailBackend
from tests.support.people import make_ticket, staff
from tickets import services
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[2]
CLOCK = ROOT / "desk" / "clock.py"  # the one place that swaps the clock
DESK_SOURCES = [path for folder in ("desk", "tickets", "notifications")
                for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts and path != CLOCK]
MOMENT = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.mark.django_db
def test_everything_a_service_stamps_reads_the_held_clock() -> None:
    agent = staff("agent", member_of=("requests",))
    with held_at(MOMENT):
        ticket = make_ticket()
        services.ticket_claim(ticket_id=ticket.pk, actor=agent)
        assert timezone.now() == MOMENT and timezone.now().utcoffset() == datetime.timedelta(0)
        assert timezone.localdate() == datetime.date(2026, 3, 2)

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.received_at, ticket.created_at, ticket.updated_at) == (MOMENT, MOMENT, MOMENT)
    assert ticket.due_date == datetime.date(2026, 4, 2)  # GDPR, one month from Monday 2 March
    assert [entry.history_date for entry in ticket.history.all()] == [MOMENT, MOMENT]
    assert timezone.now() > MOMENT + datetime.timedelta(days=200)  # the real clock again


def test_the_development_mailbox_names_and_dates_a_message_by_the_held_clock(
        settings: Any, tmp_path: Path) -> None:
    settings.DESK_DEV_MAIL_DIR = tmp_path
    with held_at(MOMENT):
        FileMailBackend().send_messages([EmailMessage("Subject", "Body", to=["someone@example.org"])])

    [path] = tmp_path.glob("*.eml")
    assert path.name.startswith("20260302T213000000000-")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Date"] == "Mon, 02 Mar 2026 21:30:00 -0000"  # UTC, as Django writes it


def test_the_clock_is_given_back_after_an_error_and_refuses_a_naive_or_second_hold() -> None:
    real_now = timezone.now
    with pytest.raises(KeyError), held_at(MOMENT):
        raise KeyError("a step failed")
    assert timezone.now is real_now

    naive = datetime.datetime(2026, 3, 2, 12)  # noqa: DTZ001 - the mistake refused
    with pytest.raises(ValueError, match="aware"), held_at(naive):
        pass  # pragma: no cover - never entered
    with held_at(MOMENT), pytest.raises(RuntimeError, match="held already"), held_at(MOMENT):
        pass  # pragma: no cover - never entered
    assert timezone.now is real_now


def test_nothing_in_the_desk_takes_now_by_name() -> None:
    """`from django.utils.timezone import now`, `default=timezone.now` or `clock = timezone.now`
    would keep the real clock where held_at cannot reach it."""
    offenders = []
    for path in DESK_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone":
                if any(alias.name in ("now", "*") for alias in node.names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif (isinstance(node, ast.Attribute) and node.attr == "now" and id(node) not in called
                  and isinstance(node.value, ast.Name) and node.value.id == "timezone"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_code_outside_the_tests_imports_time_machine() -> None:
    """time-machine is a test tool (a development dependency); the demo seed holds the desk's own
    clock instead (issue 17)."""
    sources = [path for path in ROOT.rglob("*.py")
               if not path.relative_to(ROOT).parts[0].startswith((".", "tests", "var"))]
    offenders = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] == "time_machine" for name in names):
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert sources and offenders == []
