"""The public request form: a good request becomes one ticket with its deadline; bad input
gets a clear message in the requester's language and saves nothing."""

from __future__ import annotations

import datetime
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from notifications.models import Outbox
from notifications.services import STATUS_URL, outbox_deliver
from tests.conftest import valid_request
from tickets import uploads
from tickets.form_rendering import select_renderer
from tickets.forms import PublicRequestForm, _served_at
from tickets.models import Attachment, Ticket
from tickets.selectors.metrics import public_record

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def post(client: Client, language: str = "en", **overrides: Any) -> Any:
    return client.post("/", valid_request(**overrides), HTTP_ACCEPT_LANGUAGE=language)


def assert_nothing_saved(private_media: Path) -> None:
    assert Ticket.objects.count() == 0
    assert Ticket.history.count() == 0
    assert Attachment.objects.count() == 0
    assert Outbox.objects.count() == 0
    assert not private_media.exists() or not any(private_media.iterdir())


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_form_is_served_in_the_browsers_language(client: Client, language: str) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    # The five transparency points stand beside the form, in every language.
    assert html.count("<h3>") == 5
    assert 'name="submission_key"' in html
    assert 'novalidate' in html


def test_the_finnish_form_is_in_finnish(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()

    assert "Lähetä" in html
    assert "Make a privacy request" not in html


def test_a_valid_request_becomes_one_ticket_with_history_and_acknowledgement(
    client: Client,
) -> None:
    before = timezone.now()
    response = post(client)

    assert response.status_code == 302
    assert response["Location"] == "/submitted/"
    ticket = Ticket.objects.get()
    assert re.fullmatch(r"PD-\d{4}-\d{6}", ticket.reference)
    assert before <= ticket.received_at <= timezone.now()
    assert (ticket.kind, ticket.regime, ticket.calendar, ticket.language) == (
        "access", "gdpr", "FI", "en")
    assert ticket.status == "new"
    assert ticket.deadlines["final"]
    assert ticket.queue.slug == "requests"
    history = list(ticket.history.all())
    assert len(history) == 1
    assert history[0].history_type == "+"
    assert history[0].history_user is None
    assert history[0].history_change_reason == "submitted by the requester through the public form"
    outbox = Outbox.objects.get()
    assert (outbox.event, outbox.recipient, outbox.state) == (
        "acknowledgement", "maija@example.org", "pending")
    assert ticket.reference in outbox.subject
    # The row holds the place of the status link, never a link; its delivery makes one (issue 15).
    assert STATUS_URL in outbox.body_text and STATUS_URL in outbox.body_html
    assert "/status/link/" not in outbox.body_text + outbox.body_html
    assert outbox_deliver(outbox_id=outbox.pk) == "sent"
    assert re.search(r"https?://\S+/status/link/#[A-Za-z0-9_-]{43}\s", str(mail.outbox[-1].body))


@time_machine.travel(datetime.datetime(2026, 1, 31, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_due_date_comes_from_the_deadline_engine(client: Client) -> None:
    post(client, country="FI", kind="access")

    ticket = Ticket.objects.get()
    # GDPR Art. 12(3): one month from 31 January is the last day of February (Sat 28 Feb 2026),
    # moved to Monday 2 March, the next Finnish working day.
    assert ticket.due_date == datetime.date(2026, 3, 2)
    assert ticket.reference == "PD-2026-000001"


def test_the_confirmation_page_shows_reference_and_due_date(client: Client) -> None:
    post(client)
    response = client.get("/submitted/", HTTP_ACCEPT_LANGUAGE="en")

    ticket = Ticket.objects.get()
    html = response.content.decode()
    assert ticket.reference in html
    assert "What happens next" in html
    assert ticket.due_date.strftime("%Y") in html


def test_a_double_submit_makes_one_ticket(client: Client) -> None:
    key = str(uuid.uuid4())
    first = post(client, submission_key=key)
    second = post(client, submission_key=key)

    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    assert Outbox.objects.count() == 1
    assert Ticket.history.count() == 1


def test_a_us_requester_must_name_the_state_and_californians_get_the_ccpa(client: Client) -> None:
    refused = post(client, country="US", us_state="")
    assert refused.status_code == 400
    assert "Choose your state." in refused.content.decode()
    assert Ticket.objects.count() == 0

    post(client, country="US", us_state="CA")
    assert Ticket.objects.get().regime == "ccpa"


def test_a_scottish_requester_gets_the_uk_regime_on_the_scottish_calendar(client: Client) -> None:
    post(client, country="GB", uk_nation="SCT", kind="erasure")

    ticket = Ticket.objects.get()
    assert (ticket.regime, ticket.calendar, ticket.requester_region) == ("uk_gdpr", "GB-SCT", "SCT")


def test_a_complaint_goes_to_the_complaints_queue(client: Client) -> None:
    post(client, kind="complaint")

    assert Ticket.objects.get().queue.slug == "complaints"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"kind": ""}, "kind", "This field is required."),
        ({"country": ""}, "country", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters"),
        ({"description": "x" * 10_001}, "description", "at most 10000 characters"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "a@b.c\r\nBcc: x@evil.example"}, "email", "Enter a valid email address."),
        ({"kind": "deletion_of_everyone"}, "kind", "Select a valid choice."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"name": "Nul\x00byte"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    client: Client, private_media: Path, overrides: dict[str, str], field: str, message: str
) -> None:
    response = post(client, **overrides)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert_nothing_saved(private_media)


def test_errors_come_in_finnish_for_a_finnish_requester(
    client: Client, private_media: Path
) -> None:
    response = post(client, language="fi", name="", email="huono")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tämä kenttä vaaditaan." in html  # Django's own Finnish catalogue
    assert "Syötä kelvollinen sähköpostiosoite." in html
    assert "There is a problem" not in html
    assert_nothing_saved(private_media)


def test_an_input_with_an_error_is_described_by_its_message(client: Client) -> None:
    html = post(client, email="nope").content.decode()

    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html


def test_a_forged_receipt_time_is_refused_and_nothing_is_saved(
    client: Client, private_media: Path
) -> None:
    response = post(client, received_at="2020-01-01T00:00:00Z")

    assert response.status_code == 400
    assert "fields it does not accept: received_at" in response.content.decode()
    assert_nothing_saved(private_media)


@pytest.mark.parametrize("forged", [{"status": "resolved"}, {"priority": "4"}, {"due_date": "2099-01-01"}])
def test_fields_only_staff_set_cannot_be_posted(
    client: Client, private_media: Path, forged: dict[str, str]
) -> None:
    assert post(client, **forged).status_code == 400
    assert_nothing_saved(private_media)


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(document.domain)>',
    "{{ settings.SECRET_KEY }} {% debug %}",
    "</textarea><svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_and_template_syntax_are_stored_verbatim_and_shown_escaped(
    client: Client, payload: str
) -> None:
    post(client, name=f"Eve {payload}", description=f"Hello {payload}")

    ticket = Ticket.objects.get()
    assert ticket.requester_name == f"Eve {payload}"
    assert ticket.description == f"Hello {payload}"
    outbox = Outbox.objects.get()
    assert f"Eve {payload}" in outbox.body_text  # verbatim in the plain-text email
    html = client.get("/status/").content.decode()
    for rendered in (outbox.body_html, html):
        if "<" in payload:
            assert payload not in rendered  # markup is escaped …
            assert "&lt;" in rendered
        else:
            assert payload in rendered  # … and template syntax is shown, never evaluated
        assert "development-only-secret-key" not in rendered


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_pdf_is_stored_under_a_random_name_with_its_sniffed_type(
    client: Client, private_media: Path
) -> None:
    response = post(client, attachment=upload("my id.pdf", PDF, "text/html"))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "my id.pdf"
    assert attachment.content_type == "application/pdf"  # ours, not the client's text/html
    assert attachment.stored_name != "my id.pdf"
    assert PDF not in (private_media / attachment.stored_name).read_bytes()  # encrypted on disk
    assert uploads.read(attachment.stored_name) == PDF
    assert attachment.history.get().history_change_reason.startswith("submitted by the requester")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>"),
        ("picture.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("picture.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("x.pdf.html", PDF),
        ("photo.png", PDF),
        ("png-then-html.png", PNG + b"<html><script>alert(1)</script>"),
        ("program.exe", b"MZ\x90\x00"),
        ("noextension", PDF),
        ("invoice\u202efdp.exe", PDF),
    ],
)
def test_a_disguised_file_is_refused_and_nothing_is_saved(
    client: Client, private_media: Path, name: str, content: bytes
) -> None:
    response = post(client, attachment=upload(name, content))

    assert response.status_code == 400
    assert "We accept PDF, PNG and JPEG files only" in response.content.decode()
    assert_nothing_saved(private_media)


def test_an_oversize_file_is_refused_and_nothing_is_saved(
    client: Client, private_media: Path, settings: Any
) -> None:
    settings.DESK_MAX_UPLOAD_BYTES = 2048
    response = post(client, attachment=upload("big.pdf", PDF + b"0" * 2048))

    assert response.status_code == 400
    assert "The file is too large." in response.content.decode()
    assert_nothing_saved(private_media)


def test_an_empty_file_is_refused(client: Client, private_media: Path) -> None:
    response = post(client, attachment=upload("empty.pdf", b""))

    assert response.status_code == 400
    assert_nothing_saved(private_media)


@pytest.mark.parametrize("token", [None, "forged-token-value"])
def test_a_missing_or_forged_csrf_token_is_refused_plainly_and_nothing_is_saved(
    private_media: Path, token: str | None
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # sets the CSRF cookie
    data = valid_request()
    if token is not None:
        data["csrfmiddlewaretoken"] = token

    response = client.post("/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert "We could not accept the form" in response.content.decode()
    assert_nothing_saved(private_media)


def test_a_cross_site_post_is_refused(private_media: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    data = valid_request(csrfmiddlewaretoken=token.group(1))

    response = client.post("/", data, HTTP_ORIGIN="https://evil.example", secure=True,
                           HTTP_REFERER="https://evil.example/")

    assert response.status_code == 403
    assert_nothing_saved(private_media)


def test_the_form_is_not_changed_over_get(client: Client) -> None:
    response = client.get("/", valid_request())

    assert response.status_code == 200
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client: Client, method: str) -> None:
    assert getattr(client, method)("/").status_code == 405


def test_a_request_is_accepted_even_when_every_queue_was_removed(client: Client) -> None:
    from tickets.models import Queue

    Queue.objects.all().delete()

    assert post(client).status_code == 302
    assert Ticket.objects.get().queue.slug == "inbox"


FRESH_VALUES = {
    "csrf": re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"'),
    "form_token": re.compile(r'name="form_token" value="([^"]+)"'),
    "submission_key": re.compile(r'name="submission_key" value="([^"]+)"'),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_each_blank_form_has_fresh_values_in_the_same_page_and_is_accepted(language: str) -> None:
    """The blank form is rendered once and filled per request (tickets/views/public.py): every
    GET must still get its own CSRF token, served time and submission key, and nothing else of
    the page may differ from one GET to the next, or from the page rendered from scratch."""
    client = Client(enforce_csrf_checks=True)
    pages = [client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode() for _ in range(3)]

    values = [{name: pattern.findall(page) for name, pattern in FRESH_VALUES.items()} for page in pages]
    for name in FRESH_VALUES:
        seen = [tuple(page_values[name]) for page_values in values]
        assert all(seen), f"a page lacks its {name}"
        if name != "form_token":  # the time it was served, to the millisecond: may repeat
            assert len(set(seen)) == 3, f"two GETs got the same {name}"
    for page_values in values:  # signed, and the time of this GET, not of the cached render
        served_at = _served_at("request", page_values["form_token"][0])
        assert served_at is not None and abs(time.time() - served_at) < 5
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10), tick=False):
        later = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        served_later = _served_at("request", FRESH_VALUES["form_token"].findall(later)[0])
        assert served_later == pytest.approx(time.time(), abs=1)
    assert len(values[0]["csrf"]) == 2  # the form's and the language switcher's
    uuid.UUID(values[0]["submission_key"][0])

    def blanked(page: str) -> str:
        for pattern in FRESH_VALUES.values():
            page = pattern.sub(lambda match: match.group(0).replace(match.group(1), "…"), page)
        return page

    assert blanked(pages[0]) == blanked(pages[1]) == blanked(pages[2])
    assert f'<html lang="{language}">' in pages[0]

    # The same page as a full render of the same blank form.
    request = RequestFactory().get("/")
    request.session = client.session
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    with translation.override(language):
        full = render_to_string("public/request_form.html", {
            "form": PublicRequestForm(initial={"submission_key": uuid.uuid4()}, renderer=select_renderer),
            "public_record": public_record(timezone.localdate())}, request=request)
    assert blanked(full) == blanked(pages[0])

    # And what it serves is accepted.
    page = pages[2]
    data = valid_request(csrfmiddlewaretoken=values[2]["csrf"][0], form_token=values[2]["form_token"][0],
                         submission_key=values[2]["submission_key"][0])
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=30)):
        response = client.post("/", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, page[:200]
    assert Ticket.objects.get().submission_key == uuid.UUID(values[2]["submission_key"][0])


def test_a_form_page_with_a_message_to_show_is_rendered_in_full(client: Client) -> None:
    """A message waiting (after the language switch, say) is not in the cached blank page."""
    client.get("/")  # the blank page is cached now
    client.cookies["messages"] = CookieStorage(RequestFactory().get("/"))._encode(  # type: ignore[attr-defined]
        [Message(constants.INFO, "Kieli vaihdettu")])

    page = client.get("/").content.decode()

    assert "Kieli vaihdettu" in page
    assert "Kieli vaihdettu" not in client.get("/").content.decode()  # shown once, as messages are


def test_a_session_the_browser_came_with_is_replaced_when_the_request_is_saved(client: Client) -> None:
    """Session fixation: a planted session must not become the one that sees the ticket."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    planted = SessionStore()
    planted["anything"] = 1
    planted.create()
    assert planted.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    assert post(client).status_code == 302

    kept = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert kept and kept != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert client.get("/status/").status_code == 200  # the new session sees the ticket


def test_a_browser_without_a_session_gets_one_that_sees_its_ticket(client: Client) -> None:
    from django.conf import settings

    assert post(client).status_code == 302

    assert client.cookies[settings.SESSION_COOKIE_NAME].value
    page = client.get("/status/")
    assert page.status_code == 200 and Ticket.objects.get().reference in page.content.decode()
