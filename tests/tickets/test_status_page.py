"""The status page behind the emailed link. The link carries its secret in the fragment
(`/status/link/#SECRET`), which no browser sends to a server; the page posts it, and the secret
is exchanged for a short session bound to that browser (issue 15, hole 7). Old links
(`/status/open/SECRET/`) show the same page, and open nothing until its button is pressed. A
wrong or expired link is a plain 404."""

from __future__ import annotations

import datetime
import logging
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_started
from django.test import Client
from django.utils import timezone

from desk.management.commands.rundesk import ACCESS_LOG_ARGUMENTS, mask_status_secrets
from desk.ratelimit import Rate
from tests.conftest import valid_request
from tests.support.services import wait_until
from tests.support.status_links import open_status_link
from tickets import services
from tickets.models import Attachment, Message, StatusLink, Ticket
from tickets.services import stamp
from tickets.services.common import status_link_url, token_digest
from tickets.services.status_links import browser_digest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%%EOF\n"


def emailed_secret(ticket: Ticket) -> str:
    """A fresh link as an email gets it (tickets.services.common.status_link_url): its secret."""
    url = services.status_link_issue(ticket)
    base, secret = url.split("#")
    assert base.endswith("/status/link/")
    return secret


def open_link(client: Client, secret: str, **extra: Any) -> Any:
    """What the page at the link does: loaded (the fragment stays in the browser), then its
    form posts the secret when the person presses the button."""
    return open_status_link(client, secret, **extra)


@pytest.fixture
def filed() -> tuple[Ticket, str]:
    """A ticket filed through the form; returns it and the secret of an emailed status link."""
    Client().post("/", valid_request(description="Please show me my data."))
    ticket = Ticket.objects.get()
    return ticket, emailed_secret(ticket)


@pytest.fixture
def requests_made() -> Iterator[list[dict[str, str]]]:
    """Every request the test client makes, as a server (and its access log) receives it."""
    seen: list[dict[str, str]] = []

    def note(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        seen.append({"path": environ.get("PATH_INFO", ""), "query": environ.get("QUERY_STRING", ""),
                     "referer": environ.get("HTTP_REFERER", "")})

    request_started.connect(note)
    yield seen
    request_started.disconnect(note)


def test_the_emailed_link_opens_the_status_page_without_the_secret_in_any_address(
    filed: tuple[Ticket, str], requests_made: list[dict[str, str]],
) -> None:
    ticket, secret = filed
    client = Client()

    page = client.get("/status/link/", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/status/link/", {"link": secret}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert 'action="/status/link/"' in page.content.decode()
    assert response.status_code == 303
    assert response["Location"] == "/status/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    status = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en")
    html = status.content.decode()
    assert status.status_code == 200
    assert ticket.reference in html
    assert "Please show me my data." in html
    assert "Received" in html  # the status, in words
    assert secret not in html  # the secret is nowhere on the page
    assert [seen["path"] for seen in requests_made] == ["/status/link/", "/status/link/", "/status/"]
    assert not any(secret in value for seen in requests_made for value in seen.values())


def test_the_link_in_the_email_carries_the_secret_only_in_its_fragment(settings: Any) -> None:
    settings.DESK_PUBLIC_BASE_URL = "https://desk.example.org"

    url = status_link_url("S3cret_-")

    assert url == "https://desk.example.org/status/link/#S3cret_-"


def test_the_status_token_is_stored_only_as_a_digest(filed: tuple[Ticket, str]) -> None:
    ticket, token = filed

    assert len(token) >= 43  # 256 random bits
    # The emailed link, and the submitting browser's own row (exchanged at once, secret unkept).
    emailed = list(ticket.status_links.filter(exchanged_at=None).values_list("digest", flat=True))
    assert emailed == [token_digest(token)]
    assert not StatusLink.objects.filter(digest=token).exists()
    assert not any(token in digest for digest in StatusLink.objects.values_list("digest", flat=True))


def test_the_first_exchange_is_recorded_on_the_link_as_a_keyed_hash_of_the_browser(
    filed: tuple[Ticket, str],
) -> None:
    _ticket, secret = filed
    client = Client()
    before = timezone.now()

    open_link(client, secret)

    link = StatusLink.objects.get(digest=token_digest(secret))
    cookie = client.cookies["desk_browser"].value
    assert link.exchanged_at is not None and before <= link.exchanged_at <= timezone.now()
    assert re.fullmatch(r"[0-9a-f]{64}", link.browser_digest)
    assert link.browser_digest == browser_digest(cookie)
    assert cookie not in link.browser_digest
    assert client.cookies["desk_browser"]["httponly"]
    assert client.cookies["desk_browser"]["samesite"] == "Lax"


def test_a_second_browser_cannot_use_an_exchanged_link(filed: tuple[Ticket, str]) -> None:
    ticket, secret = filed
    owner, other = Client(), Client()
    assert open_link(owner, secret).status_code == 303
    link = StatusLink.objects.get(digest=token_digest(secret))
    bound = (link.exchanged_at, link.browser_digest)

    refused = open_link(other, secret, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 403
    html = refused.content.decode()
    assert "This link is in use in another browser" in html
    assert ticket.reference not in html and secret not in html
    assert other.get("/status/").status_code == 404
    link.refresh_from_db()
    assert (link.exchanged_at, link.browser_digest) == bound
    assert owner.get("/status/").status_code == 200  # the owner keeps it


def test_the_browser_that_exchanged_a_link_opens_it_again_after_its_session_ended(
    filed: tuple[Ticket, str], settings: Any,
) -> None:
    ticket, secret = filed
    client = Client()
    open_link(client, secret)
    later = timezone.now() + datetime.timedelta(days=3)

    with time_machine.travel(later):
        assert client.get("/status/").status_code == 404  # the one-hour session is over
        client.cookies.pop(settings.SESSION_COOKIE_NAME)  # and the browser was closed
        assert open_link(client, secret).status_code == 303
        assert ticket.reference in client.get("/status/").content.decode()


def test_two_browsers_exchanging_one_link_at_once_bind_it_once(filed: tuple[Ticket, str]) -> None:
    """The link's row is locked for the exchange: the second finds it bound (the real race is
    tests/integration; here the order is the one the lock imposes)."""
    _ticket, secret = filed
    first, second = Client(), Client()

    answers = [open_link(first, secret).status_code, open_link(second, secret).status_code]

    assert answers == [303, 403]
    assert StatusLink.objects.filter(digest=token_digest(secret)).exclude(
        browser_digest="").count() == 1


def test_an_old_link_shows_the_page_with_the_button_and_opens_nothing_by_itself(
    filed: tuple[Ticket, str], requests_made: list[dict[str, str]],
) -> None:
    ticket, secret = filed
    client = Client()

    page = client.get(f"/status/open/{secret}/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'<input type="hidden" name="link" value="{secret}">' in html
    assert 'action="/status/link/"' in html
    # Only the origin goes with the page's own requests (its stylesheet, its post), not the path.
    assert page["Referrer-Policy"] == "strict-origin"
    assert client.get("/status/").status_code == 404  # a GET opened nothing
    assert StatusLink.objects.get(digest=token_digest(secret)).exchanged_at is None
    opened = client.post("/status/link/", {"link": secret})
    assert opened.status_code == 303
    assert ticket.reference in client.get("/status/").content.decode()
    assert [seen["path"] for seen in requests_made][1:] == ["/status/", "/status/link/", "/status/"]


def test_the_exchange_is_protected_against_cross_site_posts(filed: tuple[Ticket, str]) -> None:
    """A page elsewhere cannot post someone's (or its own) link into this browser: the page's
    CSRF token is needed, and a refused post binds nothing."""
    ticket, secret = filed
    forged = Client(enforce_csrf_checks=True)

    refused = forged.post("/status/link/", {"link": secret})

    assert refused.status_code == 403
    assert forged.get("/status/").status_code == 404
    assert StatusLink.objects.get(digest=token_digest(secret)).exchanged_at is None
    browser = Client(enforce_csrf_checks=True)
    assert open_link(browser, secret).status_code == 303
    assert ticket.reference in browser.get("/status/").content.decode()


def test_a_whole_link_pasted_by_hand_opens_the_request(filed: tuple[Ticket, str]) -> None:
    """Without script the page asks for the link: pasted whole, new or old shape, it works."""
    ticket, secret = filed

    for pasted in (status_link_url(secret), f" {status_link_url(secret)}#satisfaction ",
                   f"https://desk.example.org/status/open/{secret}/"):
        client = Client()
        client.cookies["desk_browser"] = "b" * 43  # one browser, pasting three ways
        assert client.post("/status/link/", {"link": pasted}).status_code == 303, pasted
        assert ticket.reference in client.get("/status/").content.decode()


def test_the_answers_email_opens_the_page_at_the_question(filed: tuple[Ticket, str]) -> None:
    _ticket, secret = filed

    response = Client().post("/status/link/", {"link": secret, "section": "satisfaction"})

    assert response.status_code == 303
    assert response["Location"] == "/status/#satisfaction"


@pytest.mark.parametrize("section", ["https://evil.example/", "/staff/", "x"])
def test_the_section_to_open_is_allowlisted(filed: tuple[Ticket, str], section: str) -> None:
    _ticket, secret = filed
    client = Client()

    response = client.post("/status/link/", {"link": secret, "section": section})

    assert response.status_code == 400
    assert client.get("/status/").status_code == 404
    assert StatusLink.objects.get(digest=token_digest(secret)).exchanged_at is None


def test_the_link_page_asks_for_the_link_when_none_was_posted(filed: tuple[Ticket, str]) -> None:
    client = Client()

    response = client.post("/status/link/", {"link": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Paste the link from your email." in html
    assert client.get("/status/").status_code == 404


@pytest.mark.parametrize(
    "link",
    [
        "not-a-real-token-but-long-enough-to-be-looked-up",
        "short",
        "A" * 43,
        "https://desk.example.org/status/link/#" + "B" * 43,
    ],
)
def test_a_wrong_link_is_a_plain_404(filed: tuple[Ticket, str], link: str) -> None:
    client = Client()
    before = list(StatusLink.objects.order_by("pk").values_list("exchanged_at", "browser_digest"))

    posted = client.post("/status/link/", {"link": link}, HTTP_ACCEPT_LANGUAGE="en")
    old_shape = Client().get(f"/status/open/{link.rsplit('#')[-1]}/", HTTP_ACCEPT_LANGUAGE="en")

    assert posted.status_code == old_shape.status_code == 404
    assert "This link does not work" in posted.content.decode()
    assert client.get("/status/").status_code == 404
    assert list(StatusLink.objects.order_by("pk").values_list("exchanged_at", "browser_digest")) == before


def test_a_case_changed_token_is_refused(filed: tuple[Ticket, str]) -> None:
    _, token = filed
    changed = token.swapcase()
    if changed == token:  # pragma: no cover - a token of digits and symbols only
        pytest.skip("token has no letters")

    assert Client().post("/status/link/", {"link": changed}).status_code == 404
    assert Client().get(f"/status/open/{changed}/").status_code == 404


def test_the_status_page_without_a_grant_is_a_404() -> None:
    assert Client().get("/status/").status_code == 404


def test_the_grant_expires(filed: tuple[Ticket, str], settings: Any) -> None:
    _, secret = filed
    client = Client()
    open_link(client, secret)
    later = timezone.now() + datetime.timedelta(seconds=settings.DESK_STATUS_SESSION_SECONDS + 1)

    with time_machine.travel(later):
        assert client.get("/status/").status_code == 404


def test_the_requester_adds_a_message_and_a_file(filed: tuple[Ticket, str], private_media: Path) -> None:
    ticket, secret = filed
    client = Client()
    open_link(client, secret)

    response = client.post("/status/", {
        "body": "Here is my ID.",
        "attachment": SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf"),
    })

    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.ticket_id, message.kind, message.body) == (ticket.pk, "requester", "Here is my ID.")
    history = message.history.get()
    assert history.history_user is None
    assert history.history_change_reason == "message from the requester on the status page"
    attachment = Attachment.objects.get()
    assert attachment.message_id == message.pk
    assert (private_media / attachment.stored_name).exists()
    page = client.get("/status/?sent=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Here is my ID." in page
    assert "id.pdf" in page
    assert "Thank you. Your message was added" in page


@pytest.mark.parametrize(
    "data",
    [
        {"body": ""},
        {"body": "x" * 10_001},
        {"body": "ok", "attachment": SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")},
        {"body": "ok", "status": "closed"},
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_saved(
    filed: tuple[Ticket, str], private_media: Path, data: dict[str, Any]
) -> None:
    ticket, secret = filed
    client = Client()
    open_link(client, secret)
    files_before = sorted(private_media.iterdir()) if private_media.exists() else []

    response = client.post("/status/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert Message.objects.count() == 0
    assert Message.history.count() == 0
    assert (sorted(private_media.iterdir()) if private_media.exists() else []) == files_before
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_internal_notes_never_reach_the_status_page(filed: tuple[Ticket, str]) -> None:
    ticket, secret = filed
    note = Message(ticket=ticket, kind="internal_note", body="SECRET-INTERNAL-NOTE")
    stamp(note, actor=None, reason="test")
    note.save()
    reply = Message(ticket=ticket, kind="reply", body="We are on it.")
    stamp(reply, actor=None, reason="test")
    reply.save()
    client = Client()
    open_link(client, secret)

    html = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "We are on it." in html
    assert "SECRET-INTERNAL-NOTE" not in html


def test_one_browser_sees_only_the_ticket_of_its_own_link() -> None:
    Client().post("/", valid_request(email="first@example.org", description="FIRST"))
    first = emailed_secret(Ticket.objects.get())
    Client().post("/", valid_request(email="second@example.org", description="SECOND"))
    second = emailed_secret(Ticket.objects.latest("pk"))
    client = Client()

    open_link(client, first)
    assert "FIRST" in client.get("/status/").content.decode()
    open_link(client, second)
    html = client.get("/status/").content.decode()
    assert "SECOND" in html
    assert "FIRST" not in html


def test_the_status_page_shows_the_due_date() -> None:
    client = Client()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.post("/", valid_request())
        html = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    ticket = Ticket.objects.get()
    assert ticket.due_date == datetime.date(2026, 4, 2)  # GDPR: one month, Thu 2 Apr 2026
    assert "2 April 2026" in html  # day before month, as desk/formats/en writes it


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ settings.SECRET_KEY }}"],
)
def test_script_in_a_message_or_a_file_name_is_stored_verbatim_and_shown_escaped(
    filed: tuple[Ticket, str], payload: str
) -> None:
    _, secret = filed
    client = Client()
    open_link(client, secret)

    client.post("/status/", {
        "body": f"note {payload}",
        "attachment": SimpleUploadedFile(f"{payload}.pdf", PDF, content_type="application/pdf"),
    })

    assert Message.objects.get().body == f"note {payload}"
    html = client.get("/status/").content.decode()
    if "<" in payload:
        assert payload not in html
    else:
        assert f"note {payload}" in html
    assert "development-only-secret-key" not in html


# --- Logs: no secret (issue 15, hole 7) -----------------------------------------------------------

def test_the_access_log_of_make_run_masks_status_link_secrets(tmp_path: Path) -> None:
    """gunicorn as `make run` starts it (desk/management/commands/rundesk.py), asked for an old
    link (GET and a mail scanner's HEAD) and posted to from an old link's page (its Referer)."""
    port = free_port()
    secret = "OLDLINKsecret-12345"  # short: refused before any lookup, so no database is needed
    referer_secret = "R" * 43
    environment = {**os.environ, "DESK_VAR_DIR": str(tmp_path / "var")}
    command = [sys.executable, "-m", "gunicorn", "desk.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--control-socket", str(tmp_path / "gunicorn.ctl"), *ACCESS_LOG_ARGUMENTS]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_port(port, server)
        answers = [fetch(f"{base}/status/open/{secret}/"),
                   fetch(f"{base}/status/open/{secret}/", method="HEAD"),
                   fetch(f"{base}/status/link/", method="POST",
                         headers={"Referer": f"{base}/status/open/{referer_secret}/"})]
    finally:
        server.terminate()
        try:
            streams = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            streams = server.communicate()
        access_log, error_log = (stream.decode() for stream in streams)

    assert answers == [404, 404, 403]
    assert access_log.count("/status/open/[secret]/") == 3, access_log
    assert '"POST /status/link/ HTTP/1.1" 403' in access_log
    for text in (access_log, error_log):
        assert secret not in text and referer_secret not in text


def test_the_access_log_masks_a_staff_enrolment_links_secret_too() -> None:
    secret = "E" * 43
    line = f'127.0.0.1 - - "GET /staff/enrol/{secret}/ HTTP/1.1" 302 "-"'
    masked = mask_status_secrets(line)
    assert secret not in masked and "/staff/enrol/[secret]/" in masked
    # The page the link leads to is no secret and stays as it is.
    assert mask_status_secrets('"GET /staff/enrol/ HTTP/1.1" 200') == '"GET /staff/enrol/ HTTP/1.1" 200'


def test_a_refused_old_link_is_logged_without_its_secret(
    filed: tuple[Ticket, str], settings: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    ticket, secret = filed
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", closed_at=timezone.now() - datetime.timedelta(
        days=settings.DESK_STATUS_LINK_DAYS_AFTER_CLOSURE + 1))  # the link has died
    client = Client()

    with caplog.at_level(logging.INFO):
        expired = client.get(f"/status/open/{secret}/")
        settings.DESK_RATE_STATUS_LINK_ADDRESS = Rate(1, 3600)
        limited = client.get(f"/status/open/{secret}/")

    assert (expired.status_code, limited.status_code) == (404, 429)
    assert secret not in caplog.text
    assert "Not Found: /status/open/[secret]/" in caplog.text
    assert "Too Many Requests: /status/open/[secret]/" in caplog.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    def listening() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.communicate()[1].decode()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout, "gunicorn to start", interval=0.1)


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - ditto
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
