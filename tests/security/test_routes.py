"""The table of routes (tests/security/routes.py) is the whole desk: a route added without a row
there fails here, so no endpoint escapes the access matrix, the method and CSRF tests, or the
header crawl."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.routes import API_ACTIONS, BY_NAME, PAGE_INPUT, STAFF_ACTIONS
from tickets.actions import NAMES
from tickets.api.views import ACTIONS as API_VIEWS


def named_routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the admin has its own tests (test_admin_scope.py)
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}{name}", str(pattern.pattern)


def test_every_route_of_the_resolver_is_in_the_table() -> None:
    found = dict(named_routes(get_resolver().url_patterns))

    missing = sorted(set(found) - set(BY_NAME))
    stale = sorted(set(BY_NAME) - set(found))

    assert missing == [], f"routes not covered by tests/security/routes.py: {missing}"
    assert stale == [], f"routes in the table that no longer exist: {stale}"


def test_every_action_has_a_page_form_an_api_endpoint_and_a_row() -> None:
    assert set(NAMES) == set(STAFF_ACTIONS) == set(PAGE_INPUT)
    assert set(API_VIEWS) == set(API_ACTIONS)
