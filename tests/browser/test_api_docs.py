"""Swagger UI at /api/docs/ under the desk's content security policy (issue 16, item 20): its
stylesheet draws its icons as data: images, which the policy blocked, two console errors on every
visit. The page loads with no console error and no policy violation, with an operation and the
schemas opened (more icons: the arrows, the lock, the copy button), and still loads nothing from
another host and runs no script of another origin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import check_accessibility, new_page
from tests.conftest import close_stray_connections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every Content-Security-Policy violation the page reports, as the browser sees it.
LISTEN_FOR_VIOLATIONS = """
window.violations = [];
document.addEventListener('securitypolicyviolation',
    event => window.violations.push(event.violatedDirective + ' ' + event.blockedURI.slice(0, 60)));
"""


@pytest.fixture(autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Any:
    yield
    close_stray_connections(django_db_blocker)


def test_swagger_ui_shows_its_icons_with_no_console_error(browser: Any, live_server: Any) -> None:
    page = new_page(browser)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(LISTEN_FOR_VIOLATIONS)

    response = page.goto(f"{live_server.url}/api/docs/")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data:" in policy and "script-src 'self'" in policy
    page.locator(".opblock-summary").first.wait_for()
    page.locator(".opblock-summary-control").first.click()  # an operation, with its parameters
    page.locator(".opblock-body").first.wait_for()
    page.locator(".models-control").click()  # the schemas, with their expand arrows
    page.wait_for_load_state("networkidle")

    assert errors == []
    assert page.evaluate("window.violations") == []
    assert [url for url in requests if not url.startswith((live_server.url, "data:"))] == []
    check_accessibility(page, "api-docs-open")
