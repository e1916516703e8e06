"""The public forms' human checks: a trap field people never see, and the signed time the form
was served. A post that fails either saves nothing and comes back, as typed, to be sent again."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from notifications.models import Outbox
from tests.conftest import valid_request
from tickets.forms import form_token
from tickets.models import StatusLink, Ticket

pytestmark = pytest.mark.django_db

SEND_AGAIN = {
    "en": "Please check your answers and send the form again.",
    "fi": "Tarkista vastauksesi ja lähetä lomake uudelleen.",
    "sv": "Kontrollera dina svar och skicka formuläret igen.",
}


def resend_post(**overrides: Any) -> dict[str, Any]:
    """A "Lost your link?" post that passes the human checks (its form served a minute ago)."""
    return {"email": "sanna@example.org", "website": "",
            "form_token": form_token("resend", served_at=time.time() - 60), **overrides}


def nothing_saved() -> None:
    assert Ticket.objects.count() == 0
    assert Ticket.history.count() == 0
    assert Outbox.objects.count() == 0
    assert StatusLink.objects.count() == 0


def token_in(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/status/lost/"])
def test_the_trap_is_hidden_from_people_and_out_of_reach(path: str) -> None:
    html = Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    wrapper = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.DOTALL)
    assert wrapper is not None
    trap = wrapper.group(1)
    assert re.search(r'<input[^>]*name="website"', trap)
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert '<label for="id_website">Leave this field empty.' in trap  # if a screen reader gets there
    assert 'type="hidden" name="form_token"' in html


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_filled_trap_saves_nothing_and_gives_the_person_their_form_back(language: str) -> None:
    posted = valid_request(website="http://spam.example", description="Näytä tietoni, kiitos.")

    response = Client().post("/", posted, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    html = response.content.decode()
    assert SEND_AGAIN[language] in html
    assert "Näytä tietoni, kiitos." in html  # what they typed is still there
    assert "http://spam.example" not in html  # the trap comes back empty
    assert token_in(html) != posted["form_token"]  # with a fresh time
    nothing_saved()


def test_a_post_sooner_than_a_person_could_type_saves_nothing(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    served = token_in(client.get("/").content.decode())

    response = client.post("/", valid_request(form_token=served), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert SEND_AGAIN["en"] in response.content.decode()
    nothing_saved()


def test_the_form_shown_again_is_accepted_when_sent_again(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        refused = client.post("/", valid_request(website="autofilled", form_token=form_token("request")))
        fresh = token_in(refused.content.decode())
    nothing_saved()

    with time_machine.travel(start + datetime.timedelta(seconds=5), tick=False):
        accepted = client.post("/", valid_request(form_token=fresh))

    assert accepted.status_code == 302
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    ["", "not-signed", form_token("resend"), form_token("request", served_at=time.time() + 3600),
     form_token("request", served_at=time.time() - 3 * 24 * 3600),
     form_token("request", served_at=time.time() - 60)[:-2] + "xx"],
    ids=["missing", "unsigned", "another-forms", "from-the-future", "days-old", "tampered"],
)
def test_a_missing_forged_or_stale_time_saves_nothing(token: str) -> None:
    response = Client().post("/", valid_request(form_token=token), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert SEND_AGAIN["en"] in response.content.decode()
    nothing_saved()


@pytest.mark.parametrize("trap", ["x", "x" * 5000])
def test_both_checks_answer_alike_so_a_script_cannot_tell_which_caught_it(trap: str) -> None:
    trapped = Client().post("/", valid_request(website=trap), HTTP_ACCEPT_LANGUAGE="en")
    unsigned = Client().post("/", valid_request(form_token="nope" * 100), HTTP_ACCEPT_LANGUAGE="en")

    def shape(html: str) -> str:
        html = re.sub(r'name="(csrfmiddlewaretoken|form_token|submission_key)" value="[^"]*"', "", html)
        return re.sub(r'name="submission_key"[^>]*>', "", html)

    assert trapped.status_code == unsigned.status_code == 400
    assert shape(trapped.content.decode()) == shape(unsigned.content.decode())


def test_the_lost_link_form_has_the_same_checks() -> None:
    Client().post("/", valid_request(email="sanna@example.org"))
    before = (Outbox.objects.count(), Ticket.history.count(), StatusLink.objects.count())

    trapped = Client().post("/status/lost/", resend_post(website="x"), HTTP_ACCEPT_LANGUAGE="en")
    unsigned = Client().post("/status/lost/", resend_post(form_token=""), HTTP_ACCEPT_LANGUAGE="en")

    for response in (trapped, unsigned):
        assert response.status_code == 400
        assert SEND_AGAIN["en"] in response.content.decode()
        assert 'value="sanna@example.org"' in response.content.decode()
    assert (Outbox.objects.count(), Ticket.history.count(), StatusLink.objects.count()) == before


def test_the_api_intake_takes_no_human_checks_and_drops_them_if_copied() -> None:
    client = APIClient()
    bare = {key: value for key, value in valid_request().items() if key not in {"website", "form_token"}}

    without = client.post("/api/v1/intake/", bare, format="json")
    copied = client.post("/api/v1/intake/", valid_request(website="x", form_token=""), format="json")

    assert (without.status_code, copied.status_code) == (201, 201)
    assert Ticket.objects.count() == 2
