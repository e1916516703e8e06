"""Status links (django-helpdesk §3.3 class 2, research A6): every wrong form of the secret gets one
and the same 404 page, in the visitor's language, and grants no session. The public side's own
tests (tests/tickets/test_status_page.py) cover the good link; this is the table of bad ones."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.security.world import World, comparable, state
from tests.support.status_links import open_status_link
from tickets import services

pytestmark = pytest.mark.django_db


def flipped(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


BAD_TOKENS: dict[str, Callable[[str], str]] = {
    "wrong": lambda token: secrets.token_urlsafe(32),
    "one character flipped": flipped,
    "first character flipped": lambda token: ("A" if token[0] != "A" else "B") + token[1:],
    "case changed": lambda token: token.swapcase(),
    "upper case": lambda token: token.upper(),
    "truncated": lambda token: token[:-1],
    "one character more": lambda token: token + "x",
    "doubled": lambda token: token * 2,
    "far too long": lambda token: token * 10,
    "short": lambda token: "abc",
    "percent-encoded": lambda token: quote(token[:10] + "%" + token[10:], safe=""),
    "with a NUL": lambda token: token[:10] + "%00" + token[10:],
    "non-ASCII": lambda token: token[:-1] + "ä",
    "the digest instead": lambda token: services.token_digest(token),
}


def status_open(client: Client, token: str, language: str) -> tuple[str, Any]:
    """A link of the old shape, `/status/open/SECRET/`, from an email sent before the secret
    moved to the fragment: a GET of it shows the link's page, or the 404."""
    path = f"/status/open/{token}/"
    return path, client.get(path, HTTP_ACCEPT_LANGUAGE=language)


def status_link(client: Client, token: str, language: str) -> tuple[str, Any]:
    """The emailed link as it opens now (issue 15, hole 7): its page posts the secret."""
    path = "/status/link/"
    return path, client.post(path, {"link": token}, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_every_bad_token_gets_one_identical_404_and_no_session(world: World, language: str) -> None:
    token = world.a.token
    before = state()
    bodies = set()

    for case, make in BAD_TOKENS.items():
        for shape in (status_link, status_open):
            client = Client()
            path, response = shape(client, make(token), language)
            assert response.status_code == 404, (case, path)
            bodies.add(comparable(response, path))
            assert client.get("/status/", HTTP_ACCEPT_LANGUAGE=language).status_code == 404, (case, path)
    for path in (f"/status/?token={token}", f"/status/?t={token}&ticket={world.a.ticket.reference}"):
        client = Client()
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404, path
        bodies.add(comparable(response, path))
        assert client.get("/status/").status_code == 404, path

    assert len(bodies) == 1
    body = bodies.pop()
    assert world.a.ticket.reference not in body
    assert token not in body
    assert state() == before


@pytest.mark.parametrize("path", ["/status/open//", "/status/open/", "/status/open/?token={token}",
                                  "/status/open/{half}/{rest}/", "/status/open/{token}/extra/"])
def test_a_link_of_the_wrong_shape_is_a_404_that_names_nothing(world: World, path: str) -> None:
    """These never reach the status view (no route matches), so they get the site's ordinary
    "page not found", whatever the secret in them: the difference says nothing about any ticket."""
    token = world.a.token
    client = Client()
    path = path.format(token=token, half=token[:20], rest=token[20:])

    response = client.get(path)

    assert response.status_code == 404
    # (The page's own address comes back only in the language switcher's `next`.)
    assert world.a.ticket.reference not in response.content.decode()
    assert world.a.ticket.requester_name not in response.content.decode()
    assert client.get("/status/").status_code == 404


def test_the_404_of_a_bad_token_is_in_the_visitors_language(world: World) -> None:
    pages = {language: status_open(Client(), flipped(world.a.token), language)[1]
             for language in ("en", "fi", "sv")}

    assert {page.status_code for page in pages.values()} == {404}
    for language, page in pages.items():
        assert f'<html lang="{language}">' in page.content.decode()
    assert len({page.content for page in pages.values()}) == 3


def test_an_expired_link_gets_the_same_404_as_a_wrong_one(world: World, settings: Any) -> None:
    """A link stops working DESK_STATUS_LINK_DAYS_AFTER_CLOSURE days after the request was closed."""
    agent = world.people["agent_b"]
    services.ticket_resolve(ticket_id=world.b.ticket.pk, actor=agent, outcome="fulfilled", body="Done.")
    services.ticket_close(ticket_id=world.b.ticket.pk, actor=agent, reason="done")
    days = settings.DESK_STATUS_LINK_DAYS_AFTER_CLOSURE

    with time_machine.travel(timezone.now() + datetime.timedelta(days=days + 1), tick=False):
        expired_path, expired = status_link(Client(), world.b.token, "en")
        wrong_path, wrong = status_link(Client(), flipped(world.b.token), "en")
        old_path, old = status_open(Client(), world.b.token, "en")

    assert expired.status_code == wrong.status_code == old.status_code == 404
    assert comparable(expired, expired_path) == comparable(wrong, wrong_path) == comparable(old, old_path)


def test_a_good_link_leaves_the_address_bar_and_the_referrer_at_once(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = open_status_link(client, world.a.token, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 303
    assert response["Location"] == "/status/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_another_tickets_link_gives_that_ticket_only(world: World) -> None:
    client = Client()
    assert open_status_link(client, world.a.token).status_code == 303
    assert open_status_link(client, world.b.token).status_code == 303

    page = client.get("/status/").content.decode()

    assert world.b.ticket.reference in page
    assert world.a.ticket.reference not in page
    assert world.a.ticket.description not in page


def test_a_bad_token_after_a_good_one_does_not_open_another_ticket(world: World) -> None:
    client = Client()
    assert open_status_link(client, world.a.token).status_code == 303

    _path, response = status_link(client, flipped(world.b.token), "en")

    assert response.status_code == 404
    page = client.get("/status/").content.decode()
    assert world.b.ticket.reference not in page
