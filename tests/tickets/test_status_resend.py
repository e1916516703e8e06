""""Lost your link?": fresh links by email for each ticket whose link would still work, with the
same answer, byte for byte, whether or not the address has requests (research §5, A7); and one
404 page for every link that does not work (A6)."""

from __future__ import annotations

import datetime
import inspect
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from notifications import rendering
from notifications.models import Outbox
from tests.support.status_links import open_status_link, secret_of
from tests.tickets.test_honeypot import resend_post
from tickets import selectors, services
from tickets.models import StatusLink, Ticket
from tickets.services.status_links import RESEND_REASON, status_link_exchange, status_links_resend
from tickets.views import public

pytestmark = pytest.mark.django_db

# Per page view, not per address: the CSRF token, and the time the form was served.
PER_VIEW = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"')


def without_csrf(html: bytes) -> str:
    return PER_VIEW.sub(r'name="\1" value=""', html.decode())


def ticket_of(email: str, *, language: str = "en") -> Ticket:
    return services.ticket_create(
        kind="access", country="FI", region="", name="Sanna Soini", email=email,
        description="Show me my data.", language=language, attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket


def closed_long_ago(email: str) -> Ticket:
    """Rejected more than DESK_STATUS_LINK_DAYS_AFTER_CLOSURE days ago: its links are dead."""
    ticket = ticket_of(email)
    services.ticket_reject(ticket_id=ticket.pk, actor=None, reason="not ours")
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - datetime.timedelta(days=91))
    return ticket


def counts() -> tuple[int, int, int]:
    return Outbox.objects.count(), Ticket.history.count(), StatusLink.objects.count()


def link_secret(row: Outbox) -> str:
    """The secret of the email's link as sent: the outbox keeps none, each delivery makes its own
    (issue 15), and the link carries it after "#" (`/status/link/#SECRET`)."""
    from django.core import mail

    from notifications.services import outbox_deliver

    assert outbox_deliver(outbox_id=row.pk) == "sent"
    body = str(mail.outbox[-1].body)
    match = re.search(r"https?://\S+/status/link/#([A-Za-z0-9_-]+)", body)
    assert match is not None, body
    return match.group(1)


def test_each_ticket_with_a_live_link_gets_a_fresh_link_by_email() -> None:
    first, second = ticket_of("sanna@example.org"), ticket_of("sanna@example.org")
    expired = closed_long_ago("sanna@example.org")
    someone_else = ticket_of("other@example.org")
    history_before = {t.pk: t.history.count() for t in (first, second, expired, someone_else)}

    response = Client().post("/status/lost/", resend_post(email="Sanna@Example.org"),
                             HTTP_ACCEPT_LANGUAGE="fi")

    assert response.status_code == 302
    assert response["Location"] == "/status/lost/sent/"
    rows = list(Outbox.objects.filter(event="status_links").order_by("ticket_id"))
    assert [row.ticket_id for row in rows] == [first.pk, second.pk]
    assert {row.recipient for row in rows} == {"sanna@example.org"}  # the address on the ticket
    assert {row.language for row in rows} == {"fi"}  # the language the person asked in
    assert "Linkki" in rows[0].subject and first.reference in rows[0].subject
    for ticket in (first, second):
        entry = ticket.history.order_by("-history_date", "-history_id").first()
        assert entry is not None
        assert (entry.history_change_reason, entry.history_user) == (RESEND_REASON, None)
        assert ticket.history.count() == history_before[ticket.pk] + 1
    for ticket in (expired, someone_else):
        assert ticket.history.count() == history_before[ticket.pk]
    # Each new link works, and opens its own ticket.
    for row in rows:
        browser = Client()
        assert open_status_link(browser, link_secret(row)).status_code == 303
        assert row.ticket is not None
        assert row.ticket.reference in browser.get("/status/").content.decode()


def test_an_address_without_requests_gets_the_same_answer_and_nothing_is_written() -> None:
    ticket_of("known@example.org")
    closed_long_ago("expired@example.org")
    before = counts()

    answers = {}
    for email in ("known@example.org", "nobody@example.org", "expired@example.org"):
        client = Client()
        form_page = client.get("/status/lost/", HTTP_ACCEPT_LANGUAGE="en")
        posted = client.post("/status/lost/", resend_post(email=email), HTTP_ACCEPT_LANGUAGE="en")
        followed = client.get(posted["Location"], HTTP_ACCEPT_LANGUAGE="en")
        answers[email] = (
            without_csrf(form_page.content), posted.status_code, posted["Location"], posted.content,
            sorted((k, v) for k, v in posted.items() if k.lower() not in {"set-cookie", "expires"}),
            followed.status_code, without_csrf(followed.content),
        )

    assert answers["known@example.org"] == answers["nobody@example.org"] == answers["expired@example.org"]
    assert "If we have requests from this address, we have sent the links to it." in answers[
        "nobody@example.org"][-1]
    # Only the known address's one live ticket got an email and a history entry (the email's
    # link is made when it is sent).
    assert counts() == (before[0] + 1, before[1] + 1, before[2])


def test_the_answer_waits_out_the_same_floor_whether_or_not_links_were_sent(
    settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.DESK_STATUS_RESEND_ANSWER_MS = 400
    waits: list[float] = []
    monkeypatch.setattr(public.time, "sleep", waits.append)
    ticket_of("known@example.org")

    for email in ("known@example.org", "nobody@example.org"):
        Client().post("/status/lost/", resend_post(email=email))

    # Both answers were held back to the floor (no wall clock is asserted: the wait asked for).
    assert len(waits) == 2
    assert all(0 < wait <= 0.4 for wait in waits)


def test_a_bad_address_is_a_form_error_and_nothing_is_sent() -> None:
    ticket_of("known@example.org")
    before = counts()

    response = Client().post("/status/lost/", resend_post(email="known@"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert counts() == before


def test_over_the_limit_for_one_email_the_answer_is_the_same_and_nothing_is_sent(settings: Any) -> None:
    from desk.ratelimit import Rate

    settings.DESK_RATE_RESEND_EMAIL = Rate.parse("1/hour")
    ticket_of("known@example.org")
    first = Client().post("/status/lost/", resend_post(email="known@example.org"))
    after_first = counts()

    # From another address, the same mailbox: no 429 that would say someone asked lately.
    again = Client(REMOTE_ADDR="192.0.2.77").post("/status/lost/", resend_post(email="KNOWN@example.org"))

    assert (first.status_code, first["Location"]) == (again.status_code, again["Location"])
    assert first.content == again.content
    assert counts() == after_first


def test_over_the_limit_for_one_client_address_is_a_429_and_nothing_is_sent(settings: Any) -> None:
    from desk.ratelimit import Rate

    settings.DESK_RATE_RESEND_ADDRESS = Rate.parse("1/hour")
    ticket_of("known@example.org")
    Client().post("/status/lost/", resend_post(email="nobody@example.org"))
    before = counts()

    refused = Client().post("/status/lost/", resend_post(email="known@example.org"),
                            HTTP_ACCEPT_LANGUAGE="sv")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "För många försök" in refused.content.decode()
    assert counts() == before


def test_the_links_go_out_together_or_not_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_of("known@example.org")
    ticket_of("known@example.org")
    before = counts()
    real = rendering.render_message
    calls: list[str] = []

    def fail_on_the_second(**kwargs: Any) -> Any:
        calls.append(kwargs["event"])
        if len(calls) == 2:
            raise RuntimeError("template broke")
        return real(**kwargs)

    monkeypatch.setattr("notifications.services.render_message", fail_on_the_second)

    with pytest.raises(RuntimeError):
        status_links_resend(email="known@example.org", language="en")

    assert counts() == before  # no email, no link, no history entry for the first ticket either


def test_the_resend_email_renders_for_a_closed_request_without_a_due_date_line() -> None:
    context = {"reference": "PD-2026-000042", "name": "Sanna", "due_date": datetime.date(2026, 4, 2),
               "is_open": False, "status_url": "https://desk.example.org/status/link/#abc",
               "organisation_name": "Example Oy"}

    closed = rendering.render_message(event="status_links", language="en", context=context)
    open_ = rendering.render_message(event="status_links", language="en",
                                     context={**context, "is_open": True})

    assert "We answer by" not in closed.body_text
    assert "We answer by" in open_.body_text
    assert "https://desk.example.org/status/link/#abc" in closed.body_html


# --- One 404 for every link that does not work (research §5, A6) --------------------------------

def test_every_failing_link_gets_one_identical_404_page_that_offers_a_new_link() -> None:
    live = ticket_of("live@example.org")
    token = secret_of(services.status_link_issue(live))
    expired = closed_long_ago("expired@example.org")
    expired_token = secret_of(services.status_link_issue(expired))
    flipped = ("B" if token[0] == "A" else "A") + token[1:]
    changed = token.swapcase()
    assert changed != token

    paths = [f"/status/open/{flipped}/", f"/status/open/{changed}/", "/status/open//",
             f"/status/open/{expired_token}/", "/status/open/short/", f"/status/open/{token}x/",
             f"/status/open/{flipped}/?token={token}"]
    # The emailed link as it opens now: its page posts the secret, or the link pasted whole.
    posted = [flipped, changed, expired_token, "short", f"{token}x",
              f"https://desk.example.org/status/link/#{flipped}", f"/status/open/{flipped}/"]
    bodies = set()
    for path in paths:
        response = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, path
        html = response.content.decode()
        assert flipped not in html and expired_token not in html and token not in html
        bodies.add(without_csrf(response.content))
    for link in posted:
        client = Client()
        response = client.post("/status/link/", {"link": link}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, link
        html = response.content.decode()
        assert flipped not in html and expired_token not in html and token not in html
        bodies.add(without_csrf(response.content))
        assert client.get("/status/").status_code == 404, link  # nothing was granted
    no_session = Client().get("/status/", HTTP_ACCEPT_LANGUAGE="en")

    assert len(bodies) == 1
    assert without_csrf(no_session.content) in bodies  # the status page without a grant: the same
    assert 'href="/status/lost/"' in bodies.pop()
    assert open_status_link(Client(), token).status_code == 303  # the real one still opens


def test_the_404_page_is_in_the_visitors_language() -> None:
    finnish = Client().get("/status/open/not-a-real-token-but-long-enough-to-look-up/",
                           HTTP_ACCEPT_LANGUAGE="fi").content.decode()

    assert '<html lang="fi">' in finnish
    assert "This link does not work" not in finnish


def test_status_tokens_are_compared_by_their_digest() -> None:
    # Code check (RT CVE-2017-5361): the view of an old link and the exchange of a posted one hash
    # the secret, and look up the stored digest; the secret itself is never compared, nor stored.
    view = inspect.getsource(public.status_open)
    selector = inspect.getsource(selectors.ticket_by_status_link_digest)
    exchange = inspect.getsource(status_link_exchange)

    assert "services.token_digest(token)" in view
    assert "== token" not in view and "token ==" not in view
    assert "status_links__digest=digest" in selector
    assert "digest = token_digest(secret)" in exchange and "filter(digest=digest)" in exchange
    assert "== secret" not in exchange and "secret ==" not in exchange


def test_the_form_page_and_the_lost_page_link_to_each_other() -> None:
    form = Client().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    lost = Client().get("/status/lost/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'href="/status/lost/"' in form
    assert 'href="/"' in lost
    assert 'name="email"' in lost


def test_an_address_without_requests_costs_one_query(django_assert_num_queries: Any) -> None:
    ticket_of("known@example.org")

    # SAVEPOINT (the test's transaction holds the outer one); the tickets of the address by its
    # digest, locked; RELEASE. Nothing is written.
    with django_assert_num_queries(3):
        assert status_links_resend(email="nobody@example.org", language="en") == 0
