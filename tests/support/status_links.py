"""Opening an emailed status link as a browser does (issue 15, hole 7): the link carries its secret
after "#" (`/status/link/#SECRET`); the page is loaded without it, and its form posts it."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def secret_of(url: str) -> str:
    """The secret of a link as tickets.services.common.status_link_url makes it."""
    return url.split("#", 1)[1]


def open_status_link(client: Client, secret: str, **extra: Any) -> Any:
    """Load the link's page, then press its button: the exchange (303 to /status/ when it opens).
    The page's CSRF token goes with the post, so a client that enforces CSRF checks works too."""
    page = client.get("/status/link/", **extra)
    assert page.status_code == 200, page.status_code
    found = _CSRF.search(page.content.decode())
    data = {"link": secret, "csrfmiddlewaretoken": found.group(1) if found else ""}
    return client.post("/status/link/", data, **extra)
