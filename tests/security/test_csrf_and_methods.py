"""State changes over GET or HEAD (django-helpdesk L2/L3, research F6) and cross-site posts
(§3.3 class 6, research F7): every state-changing route of the route table answers GET and HEAD
with 405 and changes nothing; every form refuses a post without its CSRF token, with a wrong
token or from another origin, with a page in the visitor's language; no view is csrf_exempt."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import valid_request
from tests.security.routes import API_INPUT, PAGE_INPUT, ROUTES, STAFF_ACTIONS, Route, fill
from tests.security.world import World, page_text, state
from tests.support.people import client_for
from tests.support.status_links import open_status_link

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CSRF_PAGE = ("For your safety we check that each form comes from this site. This one did not pass the "
             "check, perhaps because the page was open for a long time or your browser blocks cookies. "
             "Nothing was saved.")


def changing_urls(world: World) -> list[tuple[str, str]]:
    """(route name, URL) of every state-changing route, each staff action spelled out."""
    urls = []
    for route in ROUTES:
        if not route.changes:
            continue
        actions = STAFF_ACTIONS if route.name == "tickets:staff_action" else ("",)
        for action in actions:
            urls.append((f"{route.name} {action}".strip(),
                         fill(route.path, ref=world.a.ticket.reference, action=action)))
    return urls


def signed_in_requester_and_agent(world: World, **options: Any) -> Client:
    """One browser that is both agent A and holds A's status session: every route is in reach."""
    client = client_for(world.people["agent_a"], **options)
    assert open_status_link(client, world.a.token).status_code == 303
    return client


@pytest.mark.parametrize("method", ["get", "head"])
def test_no_state_changing_route_answers_get_or_head(world: World, method: str) -> None:
    client = signed_in_requester_and_agent(world)
    before = state()

    answers = {name: getattr(client, method)(url).status_code for name, url in changing_urls(world)}

    assert answers == dict.fromkeys(answers, 405)
    assert state() == before
    assert client.get("/staff/tickets/").status_code == 200  # a GET to logout did not sign out


@pytest.mark.parametrize("override", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_method_override_header_or_parameter_changes_nothing(world: World, override: str) -> None:
    client = signed_in_requester_and_agent(world)
    before = state()

    for _name, url in changing_urls(world):
        assert client.get(url, HTTP_X_HTTP_METHOD_OVERRIDE=override).status_code == 405, url
        assert client.get(url, {"_method": override}).status_code == 405, url
    for path in (f"/api/v1/tickets/{world.a.ticket.reference}/", "/api/v1/tickets/"):
        response = client.post(path, {}, HTTP_X_HTTP_METHOD_OVERRIDE=override,
                               content_type="application/json")
        assert response.status_code == 405, path

    assert state() == before


def test_real_delete_put_and_patch_are_refused_on_every_api_route(world: World) -> None:
    client = client_for(world.people["agent_a"])
    before = state()
    paths = [fill(route.path, ref=world.a.ticket.reference) for route in ROUTES
             if route.access.startswith("api_")]

    for path in paths:
        for method in ("delete", "put", "patch"):
            response = getattr(client, method)(path, "{}", content_type="application/json")
            assert response.status_code == 405, (method, path)

    assert state() == before


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def forged_posts(world: World) -> list[tuple[str, str, Any]]:
    """(what, URL, body) of every form and session-authenticated endpoint that changes something."""
    reference = world.a.ticket.reference
    posts: list[tuple[str, str, Any]] = [
        (f"staff {action}", f"/staff/tickets/{reference}/{action}/", PAGE_INPUT[action])
        for action in STAFF_ACTIONS
    ]
    posts += [(f"api {name}", f"/api/v1/tickets/{reference}/{name}/", API_INPUT[name]) for name in API_INPUT]
    posts += [
        ("status message", "/status/", {"body": "A forged message."}),
        ("satisfaction", "/status/satisfaction/", {"score": "1", "comment": "forged"}),
        ("withdrawal", "/status/withdraw/", {"confirm": "yes"}),
        ("notifications read", "/staff/notifications/read/", {}),
        ("recovery codes", "/staff/account/recovery-codes/", {}),
        ("new API token", "/staff/account/tokens/", {"name": "forged", "scope": "write", "days": "30"}),
        ("logout", "/staff/logout/", {}),
        ("language", "/i18n/setlang/", {"language": "sv", "next": "/"}),
    ]
    return posts


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_cross_site_post_to_any_staff_or_status_form_is_refused(world: World, language: str) -> None:
    client = signed_in_requester_and_agent(world, enforce_csrf_checks=True)
    before = state()

    for what, url, body in forged_posts(world):
        if what.startswith("api "):
            response = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 403, what
            assert "CSRF" in response.json()["message"], what
        else:
            response = client.post(url, body, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 403, what
            assert in_language(language, CSRF_PAGE) in html.unescape(page_text(response)), what

    assert state() == before
    assert client.get("/staff/tickets/").status_code == 200  # the forged logout did not sign out


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_cross_site_post_to_the_public_form_creates_nothing(world: World, language: str) -> None:
    client = Client(enforce_csrf_checks=True)
    before = state()

    response = client.post("/", valid_request(), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    message = in_language(language, CSRF_PAGE)
    assert language == "en" or message != CSRF_PAGE
    assert message in html.unescape(page_text(response))
    assert state() == before


def token_from(response: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text(response))
    assert found is not None
    return found.group(1)


def test_a_wrong_token_or_a_foreign_origin_is_refused_and_the_right_token_passes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    token = token_from(client.get("/"))
    before = state()

    missing = client.post("/", valid_request())
    wrong = client.post("/", valid_request(csrfmiddlewaretoken="A" * 64))
    foreign = client.post("/", valid_request(csrfmiddlewaretoken=token), HTTP_ORIGIN="https://evil.example")
    null_origin = client.post("/", valid_request(csrfmiddlewaretoken=token), HTTP_ORIGIN="null")
    assert [r.status_code for r in (missing, wrong, foreign, null_origin)] == [403, 403, 403, 403]
    assert state() == before

    accepted = client.post("/", valid_request(csrfmiddlewaretoken=token))
    assert accepted.status_code == 302  # the control: the same post with its token goes through


def test_the_login_form_refuses_a_cross_site_post(world: World) -> None:
    """Login CSRF: a forged sign-in would put the victim in the attacker's session."""
    client = Client(enforce_csrf_checks=True)

    response = client.post("/staff/login/", {"username": "agent_a", "password": "a-long-test-password"})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_api_with_a_session_refuses_a_post_without_the_token_and_accepts_it_with(world: World) -> None:
    client = client_for(world.people["agent_a"], enforce_csrf_checks=True)
    url = f"/api/v1/tickets/{world.a.ticket.reference}/note/"
    token = token_from(client.get("/staff/tickets/"))

    refused = client.post(url, {"body": "forged"}, content_type="application/json")
    accepted = client.post(url, {"body": "real"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_no_view_is_csrf_exempt() -> None:
    sources = [path for folder in ("desk", "tickets", "notifications", "bench")
               for path in (ROOT / folder).rglob("*.py")]
    assert sources
    offenders = [str(path.relative_to(ROOT)) for path in sources
                 if "csrf_exempt" in path.read_text(encoding="utf-8")]

    assert offenders == []


def test_every_route_name_in_the_method_tests_exists(world: World) -> None:
    names = {name.split(" ")[0] for name, _url in changing_urls(world)}
    assert names == {route.name for route in ROUTES if route.changes}
    assert all(isinstance(route, Route) for route in ROUTES)
