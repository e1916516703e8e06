"""Open redirects (research E6, RT CVE-2022-25803): a `next` that leaves the desk is never
followed, on the language switch, the login page or the second-factor step."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tests.security.world import World

pytestmark = pytest.mark.django_db

ELSEWHERE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example",
             "https:evil.example", "%2F%2Fevil.example", "javascript:alert(1)",
             "http://testserver@evil.example/",
             " //evil.example", "/%09/evil.example", "///evil.example"]


def stays_here(response: Any) -> bool:
    """Where a browser would go: it drops tabs and newlines and reads a backslash as a slash
    (WHATWG URL parsing), then resolves the address against the page's own."""
    location = response["Location"]
    as_browser = "".join(ch for ch in location if ch not in "\t\r\n").strip().replace("\\", "/")
    target = urlsplit(urljoin("https://desk.example/some/page/", as_browser))
    return target.scheme == "https" and target.netloc == "desk.example"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_language_switch_stays_on_the_desk(target: str) -> None:
    response = Client().post("/i18n/setlang/", {"language": "fi", "next": target})

    assert response.status_code == 302
    assert stays_here(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_login_page_and_the_second_factor_step_stay_on_the_desk(world: World, target: str) -> None:
    client = world.client("agent_a")

    for path in ("/staff/login/", "/staff/login/verify/"):
        response = client.get(path, {"next": target})
        assert response.status_code == 302, path
        assert stays_here(response), (path, response["Location"])


@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_in_with_a_foreign_next_stays_on_the_desk(world: World, target: str) -> None:
    client = Client()

    response = client.post(f"/staff/login/?next={target}", {"username": "agent_a",
                                                           "password": "a-long-test-password"})

    assert response.status_code == 302
    assert stays_here(response), response["Location"]


@pytest.mark.parametrize(("location", "here"), [
    ("/staff/tickets/", True), ("%2F%2Fevil.example", True), ("//evil.example/", False),
    ("/\\evil.example/", False), ("https://evil.example/", False), ("/\t/evil.example", False),
    ("javascript:alert(1)", False),
])
def test_the_checker_sees_where_a_browser_would_go(location: str, here: bool) -> None:
    assert stays_here({"Location": location}) is here
