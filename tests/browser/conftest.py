"""Headless Chromium (Debian's) driven by Playwright, with an axe-core check and screenshots."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("DESK_TEST_ARTIFACTS", "test-artifacts"))
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}
# WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]



@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        unavailable("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The database's content as migrated, which each serialized_rollback test restores, is kept on
    # the connection object. Django keeps connections per thread, but per task in a thread that
    # runs an event loop, as this one does from now on (asgiref's thread-critical Local): the ORM
    # here gets new connection objects. When the database was set up before the browser started (a
    # non-browser test ran first), they would lack that content, and every later test would start
    # from an empty database: the default queues and groups gone.
    migrated = {alias: getattr(connections[alias], "_test_serialized_contents", None)
                for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in migrated.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                setattr(connections[alias], "_test_serialized_contents", contents)  # noqa: B010
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield chromium
        chromium.close()


def new_page(browser: Any, *, locale: str = "en-GB", width: str = "desktop") -> Any:
    context = browser.new_context(locale=locale, viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def check_accessibility(page: Any, name: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation; a screenshot is kept for review."""
    from axe_playwright_python.sync_playwright import Axe

    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    if violations:
        report = ARTIFACTS / "axe" / f"{name}-{width}.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(violations, indent=2))
    assert violations == [], results.generate_report()


def check_at_both_widths(page: Any, name: str, *, dark: bool = False) -> None:
    check_accessibility(page, name)
    if dark:
        check_in_dark_mode(page, name)
    desktop = page.viewport_size
    page.set_viewport_size(WIDTHS["phone"])
    # At 320 px nothing scrolls sideways (WCAG 1.4.10 reflow).
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_accessibility(page, name)
    page.set_viewport_size(desktop)


def check_in_dark_mode(page: Any, name: str) -> None:
    """The desk follows prefers-color-scheme: its dark colours must pass axe's contrast checks too."""
    page.emulate_media(color_scheme="dark")
    try:
        check_accessibility(page, f"{name}-dark")
    finally:
        page.emulate_media(color_scheme="light")



def pass_second_factor(page: Any, user: Any, *, by_keyboard: bool = False, check: str = "") -> None:
    """The second step of a staff sign-in, as a person with the authenticator app does it."""
    from tests.support.people import totp_code

    page.wait_for_url("**/staff/login/verify/**")
    if check:
        check_at_both_widths(page, check)
    code = page.locator("#id_code")
    if by_keyboard:
        for _ in range(40):  # Tab to the field, as a person without a mouse does
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "id_code":
                break
        assert page.evaluate("document.activeElement.id") == "id_code", "Tab never reached the code"
        page.keyboard.type(totp_code(user))
        page.keyboard.press("Enter")
    else:
        code.fill(totp_code(user))
        page.locator("main form button[type=submit]").first.click()


def tab_to(page: Any, found: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `found` (a JavaScript expression): the way a
    keyboard user gets somewhere, with no scripted focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(found):
            return
    raise AssertionError(f"Tab never reached {found}")


def sign_in_by_keyboard(page: Any, base_url: str, user: Any, password: str) -> None:
    """A member of staff signs in by keyboard alone: the username field has the focus on arrival
    (Django's sign-in form sets autofocus), Tab to the password, Enter, then the code."""
    page.goto(f"{base_url}/staff/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    pass_second_factor(page, user, by_keyboard=True)
    page.wait_for_url("**/staff/tickets/")
