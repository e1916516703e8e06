"""The public record ("we answered N requests, X % on time; people rated us Y out of 5") is the
organisation's choice (issue 16, item 19): DESK_PUBLIC_RECORD on (the default) shows it once
DESK_PUBLIC_RECORD_MINIMUM requests were answered, as before; off, the form never shows it and
nothing is counted. The blank form, rendered once per language and record and cut into slots
(tickets/views/public.py), follows the switch both ways."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tickets.models import Queue, Satisfaction, Ticket
from tickets.selectors.metrics import public_record

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime.datetime(2026, 11, 23, 12, tzinfo=HELSINKI)
RECORD = 'id="public-record"'


@pytest.fixture
def answered_desk(settings: Any) -> None:
    """Three requests answered in the last twelve months, two of them rated: the minimum (2) met."""
    settings.DESK_PUBLIC_RECORD_MINIMUM = 2
    queue = Queue.objects.get(slug="requests")
    for number, score in enumerate((5, 4, None)):
        received = NOW - datetime.timedelta(days=40 + number)
        answered = received + datetime.timedelta(days=5)
        ticket = Ticket.objects.create(
            reference=f"PD-R-{number:06d}", kind="access", regime="gdpr", calendar="FI", language="fi",
            requester_name="Riku Requester", requester_email="riku@example.org", requester_country="FI",
            description="Please.", received_at=received,
            due_date=answered.date() + datetime.timedelta(days=25), status="resolved", outcome="fulfilled",
            resolved_at=answered, resolution_days=4, queue=queue,
        )
        if score is not None:
            Satisfaction.objects.create(ticket=ticket, score=score, answered_at=answered)


@pytest.fixture(autouse=True)
def _on_the_23rd() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def form_page(language: str = "en") -> str:
    client = Client(headers={"accept-language": language})
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("answered_desk")
def test_on_by_default_the_form_shows_the_record_once_the_minimum_is_met(settings: Any) -> None:
    assert settings.DESK_PUBLIC_RECORD is True  # no DESK_PUBLIC_RECORD in the environment

    text = form_page()

    assert RECORD in text
    assert "we answered 3 requests, 100 % of them by the date the law sets" in text
    assert "People rated how we treated them 4.5 out of 5 on average (2 answers)" in text


@pytest.mark.usefixtures("answered_desk")
def test_off_the_form_never_shows_the_record_and_nothing_is_counted(
        settings: Any, django_assert_num_queries: Any) -> None:
    settings.DESK_PUBLIC_RECORD = False

    with django_assert_num_queries(0):  # neither the answered tickets nor the ratings are counted
        assert public_record(NOW.date()) is None
    for language in ("fi", "sv", "en"):
        assert RECORD not in form_page(language), language


def test_on_below_the_minimum_the_record_stays_unpublished(settings: Any) -> None:
    settings.DESK_PUBLIC_RECORD_MINIMUM = 2

    assert public_record(NOW.date()) is None
    assert RECORD not in form_page()


@pytest.mark.usefixtures("answered_desk")
def test_the_blank_form_follows_the_switch_both_ways_with_fresh_values_each_time(settings: Any) -> None:
    """The cut blank form is kept per language and record: switching must not serve the other one."""
    first, second = form_page(), form_page()
    assert RECORD in first and RECORD in second
    assert first != second  # a fresh CSRF token, served time and submission key in each copy

    settings.DESK_PUBLIC_RECORD = False
    assert RECORD not in form_page()

    settings.DESK_PUBLIC_RECORD = True
    assert RECORD in form_page()


@pytest.mark.parametrize(("raw", "expected"), [("off", "False"), ("on", "True")])
def test_the_environment_switches_it(raw: str, expected: str) -> None:
    result = settings_value("DESK_PUBLIC_RECORD", {"DESK_PUBLIC_RECORD": raw})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_value_that_is_neither_on_nor_off_stops_start_up_naming_the_variable() -> None:
    result = settings_value("DESK_PUBLIC_RECORD", {"DESK_PUBLIC_RECORD": "sometimes"})

    assert result.returncode != 0
    assert "DESK_PUBLIC_RECORD must be one of true/false/1/0/yes/no/on/off, not 'sometimes'" in result.stderr


def settings_value(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    code = f"import desk.settings; print(desk.settings.{name})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False)
