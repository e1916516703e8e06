"""Staff sign-in in a real browser: the password alone sets up nothing; an administrator's one-time
enrolment link, then the password, sets up the authenticator and shows the recovery codes; the
account page makes and revokes an API token; a lockout says what happened. axe checks every one
of these pages at both widths, in English and Finnish."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from desk.enrolment import enrolment_link_issue
from desk.models import ApiToken, AuthenticatorDevice
from desk.second_factor import current_code
from tests.browser.conftest import check_at_both_widths, new_page
from tickets.models import Queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("locale", ["en-GB", "fi-FI"])
def test_a_newcomer_sets_up_the_second_factor_and_makes_an_api_token(
    browser: Any, live_server: Any, locale: str,
) -> None:
    user = get_user_model().objects.create_user("uusi", "uusi@example.org", PASSWORD, is_staff=True)
    Queue.objects.get(slug="requests").members.add(user)
    language = locale[:2]

    page = new_page(browser, locale=locale)
    page.goto(f"{live_server.url}/staff/login/")
    page.locator("#id_username").fill("uusi")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/login/enrol/**")
    assert page.locator(".qr svg").count() == 0  # the password alone sets up nothing
    assert page.locator("h1").inner_text() == {
        "en": "Ask your administrator for an enrolment link",
        "fi": "Pyydä ylläpitäjältä käyttöönottolinkki"}[language]
    check_at_both_widths(page, f"staff-enrolment-link-needed-{language}")
    page.context.close()

    link = enrolment_link_issue(user=user, actor=None, reason="a newcomer")
    page = new_page(browser, locale=locale)
    page.goto(f"{live_server.url}{link.path}")
    page.wait_for_url("**/staff/enrol/")  # the secret is out of the address bar
    check_at_both_widths(page, f"staff-enrolment-password-{language}")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/login/enrol/**")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".qr svg").count() == 1
    check_at_both_widths(page, f"staff-enrol-{language}")

    device = AuthenticatorDevice.objects.get(user=user)
    page.locator("#id_code").fill(current_code(device))
    page.locator("main form button[type=submit]").click()
    page.locator(".recovery-codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    check_at_both_widths(page, f"staff-recovery-codes-{language}")
    page.locator("main a.button").click()
    page.wait_for_url("**/staff/tickets/")

    page.goto(f"{live_server.url}/staff/account/")
    check_at_both_widths(page, f"staff-account-{language}")
    page.locator("#id_name").fill("nightly export")
    page.locator("#id_scope_0").check()
    page.locator("form[action$='/tokens/'] button[type=submit]").click()
    page.locator("#new-token").wait_for()
    secret = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"pd_[A-Za-z0-9_-]{40,}", secret)
    check_at_both_widths(page, f"staff-account-new-token-{language}")

    page.locator("table form button[type=submit]").click()
    page.wait_for_url("**/staff/account/")
    assert ApiToken.objects.get(user=user).revoked_at is not None


def test_a_locked_sign_in_explains_itself(browser: Any, live_server: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_user("lukko", "lukko@example.org", PASSWORD, is_staff=True)

    page = new_page(browser, locale="fi-FI")
    for _ in range(3):
        page.goto(f"{live_server.url}/staff/login/")
        page.locator("#id_username").fill("lukko")
        page.locator("#id_password").fill("not-the-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Kirjautuminen on lukittu toistaiseksi"
    check_at_both_widths(page, "staff-locked-out-fi")
