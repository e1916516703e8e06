"""Rate limits of the public side (desk/ratelimit.py): per client address, per email address and
per ticket; over a limit a 429 page in the visitor's language says when to try again, and
nothing is saved (research/reliability-security.md §3.5)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from desk import ratelimit
from desk.ratelimit import Rate, RateLimited, client_address
from notifications.models import Outbox
from tests.conftest import valid_request
from tests.support.status_links import secret_of
from tickets import services
from tickets.models import Message, StatusLink, Ticket

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

TOO_MANY = {
    "en": ("Too many attempts", "Please try again in"),
    "fi": ("Liian monta yritystä", "Yritä uudelleen"),
    "sv": ("För många försök", "Försök igen om"),
}


def saved() -> tuple[int, int, int, int, int]:
    return (Ticket.objects.count(), Ticket.history.count(), Outbox.objects.count(),
            StatusLink.objects.count(), Message.objects.count())


# --- The limiter ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/hour", Rate(10, 3600)), ("3/h", Rate(3, 3600)), ("5/10minute", Rate(5, 600)),
     ("100/day", Rate(100, 86400)), ("1/30s", Rate(1, 30)), (" 2/Minute ", Rate(2, 60))],
)
def test_a_rate_is_parsed(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "10", "ten/hour", "10/fortnight", "0/hour", "5/0minute",
                                  "-1/hour", "10/hour/2", "10 per hour"])
def test_a_malformed_rate_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not|at least 1"):
        Rate.parse(text)


def test_a_window_lets_exactly_the_limit_through_then_says_when_it_ends() -> None:
    rate = Rate(3, 3600)
    start = 1_800_000_000.0  # a window boundary (a multiple of 3600)

    counts = [ratelimit.hit("t", "id", rate, now=start + second) for second in range(3)]
    with pytest.raises(RateLimited) as refused:
        ratelimit.hit("t", "id", rate, now=start + 600)

    assert counts == [1, 2, 3]
    assert refused.value.retry_after == 3000  # the rest of the window
    assert refused.value.retry_after_minutes == 50
    assert ratelimit.hit("t", "other id", rate, now=start + 600) == 1  # each identity its own count
    assert ratelimit.hit("t", "id", rate, now=start + 3600) == 1  # the next window starts at zero


def test_the_cache_holds_no_address_or_email_only_keyed_hashes() -> None:
    ratelimit.hit("form-email", "maija@example.org", Rate(5, 3600))
    ratelimit.hit("form-address", "203.0.113.9", Rate(5, 3600))

    keys = " ".join(str(key) for key in caches["default"]._cache)  # type: ignore[attr-defined]
    assert "rl:form-email:" in keys
    assert "maija" not in keys and "203.0.113.9" not in keys


def test_a_cache_that_is_down_lets_the_request_through_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def down(key: str, *, timeout: int) -> int:
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(ratelimit, "_count", down)
    with caplog.at_level(logging.ERROR, logger="desk.ratelimit"):
        assert ratelimit.hit("form-address", "203.0.113.9", Rate(1, 3600)) == 0

    assert "not counted: the cache is unavailable" in caplog.text


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # no proxy said: the header is ignored
        (1, "10.0.0.2", "203.0.113.1", "203.0.113.1"),
        (1, "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # a client-written entry is skipped
        (2, "10.0.0.3", "6.6.6.6, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "10.0.0.3", "203.0.113.1", "203.0.113.1"),  # fewer entries than hops: the leftmost
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "unknown"),
        (0, "2001:db8:1:2:aaaa::1", "", "2001:db8:1:2::/64"),  # IPv6: one counter per /64
        (0, "::ffff:192.0.2.1", "", "192.0.2.1"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_as_far_as_the_operator_said(
    settings: Any, hops: int, remote: str, forwarded: str, expected: str,
) -> None:
    settings.DESK_TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


# --- The public form -----------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_over_the_address_limit_the_form_is_a_429_in_the_visitors_language_and_saves_nothing(
    settings: Any, language: str,
) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate.parse("2/hour")
    client = Client()
    for number in range(2):
        assert client.post("/", valid_request(email=f"person{number}@example.org")).status_code == 302
    before = saved()

    refused = client.post("/", valid_request(email="third@example.org"), HTTP_ACCEPT_LANGUAGE=language)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert f'<html lang="{language}">' in html
    title, retry = TOO_MANY[language]
    assert title in html and retry in html
    assert saved() == before
    # Another client address still gets through.
    assert Client(REMOTE_ADDR="198.51.100.20").post("/", valid_request()).status_code == 302


def test_over_the_email_limit_from_any_address_saves_nothing(settings: Any) -> None:
    settings.DESK_RATE_FORM_EMAIL = Rate.parse("1/hour")
    assert Client().post("/", valid_request(email="maija@example.org")).status_code == 302
    before = saved()

    refused = Client(REMOTE_ADDR="198.51.100.30").post("/", valid_request(email="MAIJA@example.org"))

    assert refused.status_code == 429
    assert saved() == before


def test_a_forged_forwarded_for_does_not_get_around_the_limit(settings: Any) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate.parse("1/hour")
    Client().post("/", valid_request(email="a@example.org"))
    before = saved()

    refused = Client().post("/", valid_request(email="b@example.org"), HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert refused.status_code == 429
    assert saved() == before


def test_a_double_click_is_not_counted_as_a_second_request(settings: Any) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate.parse("1/hour")
    data = valid_request()
    client = Client()

    first, again = client.post("/", data), client.post("/", data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert Ticket.objects.count() == 1


def test_a_form_with_mistakes_is_not_counted(settings: Any) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate.parse("1/hour")
    client = Client()

    assert client.post("/", valid_request(email="nope")).status_code == 400
    assert client.post("/", valid_request()).status_code == 302


# --- The emailed link and the status page --------------------------------------------------------

def test_wrong_links_count_towards_the_limit_and_then_even_the_right_one_waits(settings: Any) -> None:
    settings.DESK_RATE_STATUS_LINK_ADDRESS = Rate.parse("2/hour")
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="N", email="n@example.org", description="d",
        language="en", attachment=None, submission_key=None, received_at=timezone.now(), actor=None,
        reason="test", acknowledge=False).ticket
    right = secret_of(services.status_link_issue(ticket))
    client = Client()

    # A wrong link posted by its page, and one of the old shape (/status/open/SECRET/): both count.
    wrong = [client.post("/status/link/", {"link": "x" * 43}).status_code,
             client.get(f"/status/open/{'x' * 43}/").status_code]
    refused = client.post("/status/link/", {"link": right}, HTTP_ACCEPT_LANGUAGE="fi")

    assert wrong == [404, 404]
    assert refused.status_code == 429
    assert "Liian monta yritystä" in refused.content.decode()
    assert right not in refused.content.decode()  # the secret is not echoed
    assert client.get("/status/").status_code == 404  # nothing was granted
    assert StatusLink.objects.get(ticket=ticket).exchanged_at is None  # nor the link made its own


def test_the_requesters_messages_are_limited_per_ticket(settings: Any) -> None:
    settings.DESK_RATE_STATUS_MESSAGE_TICKET = Rate.parse("1/hour")
    client = Client()
    client.post("/", valid_request())  # the submitting browser holds the ticket's status session
    assert client.post("/status/", {"body": "First."}).status_code == 302
    before = saved()
    history = Ticket.objects.get().history.count()

    refused = client.post("/status/", {"body": "Second."}, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    assert saved() == before
    assert Ticket.objects.get().history.count() == history


# --- The API intake --------------------------------------------------------------------------------

def test_the_api_intake_has_the_same_limits_and_answers_429_in_json(settings: Any) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate.parse("1/hour")
    client = APIClient()
    first = client.post("/api/v1/intake/", valid_request(email="a@example.org"), format="json")
    assert first.status_code == 201
    before = saved()

    refused = client.post("/api/v1/intake/", valid_request(email="b@example.org"), format="json",
                          HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert body["retry_after"] == int(refused["Retry-After"]) > 0
    assert "Nothing was saved" in body["message"]
    assert saved() == before


def test_the_page_and_the_api_share_one_count(settings: Any) -> None:
    settings.DESK_RATE_FORM_EMAIL = Rate.parse("1/hour")
    assert Client().post("/", valid_request(email="shared@example.org")).status_code == 302

    refused = APIClient().post("/api/v1/intake/", valid_request(email="shared@example.org"), format="json")

    assert refused.status_code == 429
    assert Ticket.objects.count() == 1


# --- Settings --------------------------------------------------------------------------------------

def settings_in_a_fresh_process(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'desk.settings'; "
                               f"from django.conf import settings; {code}"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False)


def test_a_malformed_limit_stops_start_up_naming_the_variable() -> None:
    result = settings_in_a_fresh_process({"DESK_RATE_FORM_EMAIL": "3 a day"}, "settings.CACHES")

    assert result.returncode != 0
    assert "DESK_RATE_FORM_EMAIL" in result.stderr


def test_production_counts_on_redis_the_brokers_unless_told_otherwise() -> None:
    from tests.desk.test_settings import PRODUCTION

    show = "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
    brokers = settings_in_a_fresh_process(PRODUCTION, show)
    own = settings_in_a_fresh_process({**PRODUCTION, "DESK_CACHE_URL": "redis://cache.example.org:6379/3"},
                                      show)
    rabbit = settings_in_a_fresh_process({**PRODUCTION, "CELERY_BROKER_URL": "amqp://mq.example.org//"}, show)
    laptop = settings_in_a_fresh_process({}, show)

    assert brokers.stdout.split() == ["desk.cache.SharedClientRedisCache",
                                      "redis://redis.example.org:6379/0"], brokers.stderr
    assert own.stdout.split()[1] == "redis://cache.example.org:6379/3"
    assert rabbit.returncode != 0 and "DESK_CACHE_URL must name a Redis server" in rabbit.stderr
    assert laptop.stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_redis_cache_shares_one_client_per_server_and_still_reads_from_the_replicas() -> None:
    """desk/cache.py: Django's Redis cache made a client per operation; ours makes one per pool
    (nothing connects until a command is sent, so no server is needed here)."""
    from desk.cache import SharedClientRedisCache

    single = SharedClientRedisCache("redis://127.0.0.1:6399/0", {})._cache  # type: ignore[attr-defined]
    assert single.get_client(write=True) is single.get_client() is single.get_client("key")

    replicated = SharedClientRedisCache("redis://primary:6379/0,redis://replica-a:6379/0,redis://replica-b:6379/0",
                                        {})._cache  # type: ignore[attr-defined]
    writer = replicated.get_client(write=True)
    readers = {id(replicated.get_client()) for _ in range(60)}
    assert writer.connection_pool.connection_kwargs["host"] == "primary"
    assert len(readers) == 2 and id(writer) not in readers
    hosts = {client.connection_pool.connection_kwargs["host"] for client in replicated._clients.values()}
    assert hosts == {"primary", "replica-a", "replica-b"}
