"""Every page of the desk, public and staff, in Finnish, Swedish and English: axe-core finds no WCAG
2.2 A/AA violation at 1280 and 320 px, in light and in dark mode; nothing scrolls sideways at
1280 px nor on a phone, and the staff header is one row at 1280 px, aligned with the content (issue
16, item 15); `<html lang>` and the title are in the page's language; a screenshot of each is kept.

The pages a visitor reaches by mistake are swept too: 404, the wrong status link, 429, the CSRF
failure, the lockout, and forms shown back with their errors. The sweep fails if an html route of
tests/security/routes.py was not visited, so a new page cannot escape it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone, translation
from django.views.defaults import server_error

from desk.enrolment import enrolment_link_issue
from desk.ratelimit import Rate
from notifications.models import Notification
from tests.browser.conftest import WIDTHS, check_at_both_widths, new_page, pass_second_factor
from tests.security.routes import ROUTES
from tests.support.people import staff
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
LOCALES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}
HTML_ROUTES = {route.name for route in ROUTES if route.html}
# Swagger UI (drf-spectacular's sidecar copy) speaks only English, so its page says so: lang="en"
# whatever the desk's language, and its title is the API's name. The 400 and 500 pages are made
# without a request's language: English first, with the Finnish and Swedish parts marked.
ENGLISH_ONLY = {"api-docs", "bad-request", "server-error"}


@dataclass
class Sweep:
    """What the sweep has seen: the routes visited, and each page's name (one screenshot each)."""

    language: str
    routes: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def check(self, page: Any, name: str, *, route: str | None, title: str | None,
              **placeholders: str) -> None:
        """The page in the sweep's language, then axe at both widths and in dark mode.

        `title` is the English msgid of the page's title: the title shown must be its translation,
        and in Finnish and Swedish a translation must exist."""
        assert name not in self.names, f"two pages named {name}"
        self.names.add(name)
        page.wait_for_load_state("load")
        language = "en" if name in ENGLISH_ONLY else self.language
        assert page.locator("html").get_attribute("lang") == language, name
        # Without it a phone lays the page out 980 px wide and shrinks it (WCAG 1.4.10, 1.4.4).
        assert page.locator('meta[name="viewport"]').count() == 1, f"{name}: no viewport"
        if title is not None:
            with translation.override(language):
                expected = translation.gettext(title) % placeholders
            if language != "en":
                assert expected != title % placeholders, f"{name}: no {language} translation of {title!r}"
            # Some titles go on with their subject (the monthly report's month).
            assert page.title().removeprefix(_error_prefix(language)).startswith(expected), name
        check_layout(page, name)
        check_at_both_widths(page, f"{self.language}-{name}", dark=True)
        if route is not None:
            self.routes.add(route)


# What makes a page scroll sideways: the elements that reach past the viewport's right edge, the
# innermost first (a long email address, a wide table not in its scrolling box).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const describe = element => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
    + (typeof element.className === 'string' && element.className.trim()
       ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  const wider = [...document.body.querySelectorAll('*')]
    .filter(element => element.getBoundingClientRect().right > width + 1)
    .filter(element => ![...element.children].some(child => child.getBoundingClientRect().right > width + 1));
  return {scroll: document.documentElement.scrollWidth, width,
          wider: wider.slice(0, 5).map(element =>
            `${describe(element)}: ${(element.textContent || '').trim().slice(0, 60)}`)};
}"""
# The staff header's items (the name, each link and button of the navigation, the language
# switcher): on one row when a horizontal line crosses them all. And its left edge on the content's.
HEADER = """() => {
  const inner = document.querySelector('.site-header--staff .site-header__inner');
  if (!inner) { return null; }
  const items = [...inner.querySelectorAll(':scope > :not(nav):not(dialog), :scope > nav li')]
    .filter(item => item.checkVisibility())
    .map(item => ({item: item.className || item.tagName.toLowerCase(),
                   text: item.textContent.trim().slice(0, 30), rect: item.getBoundingClientRect()}));
  const main = document.querySelector('main');
  const left = element =>
    element.getBoundingClientRect().left + parseFloat(getComputedStyle(element).paddingLeft);
  return {lowestTop: Math.max(...items.map(item => item.rect.top)),
          highestBottom: Math.min(...items.map(item => item.rect.bottom)),
          rows: items.map(item => `${item.text || item.item} at y=${Math.round(item.rect.top)}`),
          headerLeft: left(inner), contentLeft: main ? left(main) : left(inner)};
}"""


def check_layout(page: Any, name: str) -> None:
    """Issue 16, item 15: nothing scrolls sideways at 1280 px nor at 320 px, and at 1280 px the
    staff header is one row whose left edge is the content's."""
    desktop = page.viewport_size
    assert desktop["width"] == 1280, name
    for width in ("desktop", "phone"):
        page.set_viewport_size(WIDTHS[width])
        found = page.evaluate(SIDEWAYS)
        assert found["scroll"] <= found["width"], (
            f"{name} scrolls sideways at {WIDTHS[width]['width']} px by "
            f"{found['scroll'] - found['width']} px: {found['wider']}")
    page.set_viewport_size(desktop)
    header = page.evaluate(HEADER)
    if header is not None:
        assert header["lowestTop"] < header["highestBottom"], (
            f"{name}: the staff header wraps: {header['rows']}")
        assert abs(header["headerLeft"] - header["contentLeft"]) <= 2, (
            f"{name}: the staff header starts at x={header['headerLeft']}, "
            f"the content at x={header['contentLeft']}")


def _error_prefix(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Error") + ": "


# The contrast (WCAG 1.4.3) of an element's text with the first opaque background behind it. axe
# drops punctuation before it checks contrast, so a key cap showing "?" escapes it.
CONTRAST = """element => {
  const rgb = value => value.match(/[0-9.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(channel => channel / 255)
    .map(channel => channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4)
    .reduce((sum, channel, index) => sum + channel * [0.2126, 0.7152, 0.0722][index], 0);
  let behind = element;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) { behind = behind.parentElement; }
  const [lighter, darker] = [luminance(rgb(getComputedStyle(element).color)),
                             luminance(rgb(getComputedStyle(behind).backgroundColor))].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}"""


def open_every_disclosure(page: Any) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")


def seed(live_server: Any) -> dict[str, Any]:
    """A manager who also works both queues, a ticket with a conversation, an overdue ticket, a
    notification; a newcomer without an authenticator; a colleague who will be locked out."""
    manager = staff("maria", member_of=("requests", "complaints"), manager_of=("requests", "complaints"))
    get_user_model().objects.create_user("uusi", "uusi@example.org", PASSWORD, is_staff=True)
    get_user_model().objects.create_user("lukko", "lukko@example.org", PASSWORD, is_staff=True)

    def create(name: str, received_at: datetime.datetime) -> Ticket:
        return services.ticket_create(
            kind="access", country="FI", region="", name=name, email=f"{name.split()[0].lower()}@example.org",
            description="Haluan nähdä tietoni.", language="en", attachment=None, submission_key=None,
            received_at=received_at, actor=None, reason="seeded for the page sweep", acknowledge=False,
        ).ticket

    ticket = create("Reija Requester", timezone.now())
    services.ticket_claim(ticket_id=ticket.pk, actor=manager)
    services.ticket_reply(ticket_id=ticket.pk, actor=manager, body="We are collecting your data.")
    services.ticket_add_note(ticket_id=ticket.pk, actor=manager, body="Checked the CRM.")
    create("Olli Overdue", timezone.now() - datetime.timedelta(days=60))
    Notification.objects.create(user=manager, ticket=ticket, event="escalation", dedupe_key="sweep-1",
                                text=f"{ticket.reference} is due soon")
    return {"manager": manager, "ticket": Ticket.objects.get(pk=ticket.pk)}


def public_pages(browser: Any, live_server: Any, sweep: Sweep, seeded: dict[str, Any], settings: Any) -> None:
    url = live_server.url
    page = new_page(browser, locale=LOCALES[sweep.language])
    check: Callable[..., None] = sweep.check

    page.goto(f"{url}/")
    check(page, "request-form", route="tickets:request_form", title="Make a privacy request or complaint")
    # Shown back with errors: the summary takes the focus and each of its links leads to its field.
    page.locator("#id_email").fill("not-an-email")
    page.locator("form.form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    targets = page.locator(".error-summary a").evaluate_all(
        "links => links.map(link => [link.hash, !!document.getElementById(link.hash.slice(1))])")
    assert len(targets) >= 2 and all(found for _hash, found in targets), targets
    assert page.title().startswith(_error_prefix(sweep.language))
    check(page, "request-form-errors", route="tickets:request_form",
          title="Make a privacy request or complaint")

    page.locator("#id_kind_1").check()
    page.locator("#id_country").select_option("FI")
    page.locator("#id_name").fill("Aino Asiakas")
    page.locator("#id_email").fill(f"sweep-{sweep.language}@example.org")
    page.locator("#id_description").fill("Haluan nähdä tietoni.")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/submitted/")
    check(page, "submitted", route="tickets:submitted", title="We have received your request")

    # The status page through a real emailed link (the seeded ticket has a reply to show).
    ticket = seeded["ticket"]
    page.goto(services.status_link_issue(ticket))
    # The link's own page first (issue 15, hole 7): its button opens the request.
    check(page, "status-link", route="tickets:status_link", title="Open your request")
    page.locator("#status-link-form button[type=submit]").click()
    page.wait_for_url("**/status/")
    check(page, "status", route="tickets:status", title="Request %(reference)s", reference=ticket.reference)
    page.locator("form.form button[type=submit]").click()  # an empty message
    page.locator(".error-summary").wait_for()
    check(page, "status-errors", route="tickets:status", title="Request %(reference)s",
          reference=ticket.reference)
    # Withdrawing asks first (issue 16, item 12); the question is left unanswered here.
    page.goto(f"{url}/status/withdraw/")
    check(page, "status-withdraw", route="tickets:status_withdraw", title="Withdraw request %(reference)s",
          reference=ticket.reference)

    page.goto(f"{url}/status/lost/")
    check(page, "status-lost", route="tickets:status_lost", title="Get the link to your request again")
    page.locator("#id_email").fill("lost@")
    page.locator("form.form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    check(page, "status-lost-errors", route="tickets:status_lost", title="Get the link to your request again")
    page.locator("#id_email").fill(f"sweep-{sweep.language}@example.org")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/status/lost/sent/")
    check(page, "status-lost-sent", route="tickets:status_lost_sent", title="Check your email")

    # The development profile's sent emails (issue 16, item 16), one of them opened.
    import tempfile
    from pathlib import Path

    from django.core.mail import EmailMessage

    from desk.dev_mail import FileMailBackend

    settings.DESK_DEV_MAIL_DIR = Path(tempfile.mkdtemp(prefix="desk-dev-mail-"))
    FileMailBackend().send_messages([EmailMessage(
        "Pyyntösi on vastaanotettu", f"Avaa pyyntösi tästä: {url}/status/link/#{'x' * 43}\n",
        to=[f"a-very-long-address.of-a-requester-{sweep.language}@asiakaspalvelu.example.org"])])
    page.goto(f"{url}/dev/mail/")
    page.locator(".dev-mail__entry summary").first.click()
    check(page, "dev-mail", route="dev_mail", title="Sent emails")

    # By mistake: an address that is not there, a link that does not work, too many tries.
    response = page.goto(f"{url}/no-such-page/")
    assert response is not None and response.status == 404
    check(page, "not-found", route=None, title="Page not found")
    response = page.goto(f"{url}/status/open/{'x' * 43}/")
    assert response is not None and response.status == 404
    check(page, "link-not-found", route=None, title="This link does not work")
    settings.DESK_RATE_STATUS_LINK_ADDRESS = Rate(limit=1, seconds=3600)
    for _ in range(3):  # the first try of the window may still pass
        response = page.goto(f"{url}/status/open/{'x' * 43}/")
        assert response is not None
        if response.status == 429:
            break
    assert response.status == 429
    check(page, "too-many", route=None, title="Too many attempts")
    settings.DESK_RATE_STATUS_LINK_ADDRESS = Rate(limit=1_000_000, seconds=3600)

    # A form sent without its CSRF cookie (blocked cookies, an expired session): the 403 page.
    page.goto(f"{url}/status/lost/")
    page.context.clear_cookies()
    page.locator("#id_email").fill("someone@example.org")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("load")
    check(page, "csrf-failure", route=None, title="We could not accept the form")

    # The two pages Django serves by itself, in all three languages at once (lang="en" with the
    # Finnish and Swedish parts marked): 400, for a form too large to read (more fields than
    # DATA_UPLOAD_MAX_NUMBER_FIELDS), and 500, which no route can be made to raise here, served
    # as Django's handler renders it, from the desk's own address.
    page.goto(f"{url}/status/lost/")
    with page.expect_navigation():
        page.evaluate("""() => {
            const form = document.querySelector('form.form');
            for (let number = 0; number < 250; number++) {
                const field = document.createElement('input');
                field.type = 'hidden'; field.name = `field${number}`; field.value = 'x';
                form.appendChild(field);
            }
            form.submit();
        }""")
    assert page.locator("h1").inner_text() == "The request could not be read"
    check(page, "bad-request", route=None, title=None)
    error_page = server_error(RequestFactory().get("/")).content

    def serve_error(route: Any) -> None:
        route.fulfill(status=500, body=error_page, content_type="text/html; charset=utf-8")

    page.route(f"{url}/broken/", serve_error)
    response = page.goto(f"{url}/broken/")
    assert response is not None and response.status == 500
    check(page, "server-error", route=None, title=None)
    page.context.close()


def staff_pages(browser: Any, live_server: Any, sweep: Sweep, seeded: dict[str, Any]) -> None:
    url = live_server.url
    ticket = seeded["ticket"]
    page = new_page(browser, locale=LOCALES[sweep.language])
    check: Callable[..., None] = sweep.check

    page.goto(f"{url}/staff/login/")
    check(page, "staff-login", route="tickets:staff_login", title="Staff sign-in")
    page.locator("#id_username").fill("maria")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/login/verify/**")
    check(page, "second-factor", route="desk:second_factor", title="Second step of signing in")
    pass_second_factor(page, seeded["manager"])
    page.wait_for_url("**/staff/tickets/")
    check(page, "queue", route="tickets:staff_queue", title="Queue")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.locator("#shortcuts-open kbd").evaluate(CONTRAST) >= 4.5, scheme
    page.emulate_media(color_scheme="light")
    page.keyboard.press("?")
    page.locator("#shortcuts-help").wait_for()
    check(page, "queue-shortcuts", route="tickets:staff_queue", title="Queue")
    page.keyboard.press("Escape")

    page.goto(f"{url}/staff/tickets/{ticket.reference}/")
    # The title is the reference alone: nothing in it to translate.
    check(page, "ticket", route="tickets:staff_ticket", title=None)
    open_every_disclosure(page)  # the action forms: axe skips what is hidden
    check(page, "ticket-actions-open", route="tickets:staff_ticket", title=None)
    page.goto(f"{url}/staff/tickets/{ticket.reference}/record/")
    check(page, "compliance-record", route="tickets:staff_record", title="Compliance record %(reference)s",
          reference=ticket.reference)
    page.goto(f"{url}/staff/dashboard/")
    open_every_disclosure(page)  # the tables behind the charts
    check(page, "dashboard", route="tickets:staff_dashboard", title="Dashboard")
    page.goto(f"{url}/staff/reports/monthly/")
    check(page, "monthly-report", route="tickets:staff_monthly_report", title="Monthly service level report")
    page.goto(f"{url}/staff/queues/")
    check(page, "queue-members", route="tickets:staff_queues", title="Queue members")
    page.goto(f"{url}/staff/account/")
    check(page, "account", route="desk:account", title="Your account")
    page.goto(f"{url}/staff/notifications/")
    check(page, "notifications", route="notification_list", title="Notifications")
    page.goto(f"{url}/api/docs/")
    page.locator("#swagger-ui .information-container").wait_for()
    check(page, "api-docs", route="api_docs", title=None)
    page.context.close()

    # A newcomer's password alone sets up nothing: they are told to ask for an enrolment link.
    page = new_page(browser, locale=LOCALES[sweep.language])
    page.goto(f"{url}/staff/login/")
    page.locator("#id_username").fill("uusi")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/login/enrol/**")
    check(page, "enrolment-link-needed", route=None, title="Ask your administrator for an enrolment link")
    page.context.close()

    # The link an administrator issued: the password, then the authenticator (desk/enrolment.py).
    page = new_page(browser, locale=LOCALES[sweep.language])
    link = enrolment_link_issue(user=get_user_model().objects.get(username="uusi"), actor=None,
                                reason="the page sweep")
    page.goto(f"{url}{link.path}")
    page.wait_for_url("**/staff/enrol/")
    check(page, "enrolment-password", route="desk:enrolment", title="Set up your second factor")
    page.locator("main form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    check(page, "enrolment-password-errors", route="desk:enrolment", title="Set up your second factor")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/login/enrol/**")
    check(page, "enrol", route="desk:enrol", title="Set up your second factor")
    response = page.goto(f"{url}/staff/enrol/{'x' * 43}/")
    assert response is not None and response.status == 404
    check(page, "enrolment-link-not-found", route="desk:enrolment_link_open",
          title="This enrolment link does not work")
    page.context.close()


def locked_out_page(browser: Any, live_server: Any, sweep: Sweep, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    page = new_page(browser, locale=LOCALES[sweep.language])
    for _ in range(3):
        page.goto(f"{live_server.url}/staff/login/")
        page.locator("#id_username").fill("lukko")
        page.locator("#id_password").fill("not-the-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
    sweep.check(page, "locked-out", route=None, title="Signing in is locked for now")
    page.context.close()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_page_passes_axe_in_each_language_at_both_widths_and_in_dark_mode(
    browser: Any, live_server: Any, settings: Any, language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    seeded = seed(live_server)
    sweep = Sweep(language)

    public_pages(browser, live_server, sweep, seeded, settings)
    staff_pages(browser, live_server, sweep, seeded)
    locked_out_page(browser, live_server, sweep, settings)

    assert HTML_ROUTES - sweep.routes == set(), "html routes the sweep did not visit"


# The layout check itself, on pages made to break it: a staff header too long for one row, a header
# narrower than the content, a word too long for 1280 px, a box too wide for 320 px.
STAFF_PAGE = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
<style>body {{ margin: 0; }} .container {{ max-width: 60rem; margin: 0 auto; padding: 0 1rem; }}
.site-header__inner, .staff-nav ul {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.staff-nav ul {{ list-style: none; margin: 0; padding: 0; }}</style></head>
<body><header class="site-header site-header--staff">
<div class="container site-header__inner" style="{header}">
<p class="site-header__name">Desk</p><nav class="staff-nav"><ul>{links}</ul></nav></div></header>
<main class="container">{content}</main></body></html>"""


@pytest.mark.parametrize(("links", "header", "content", "wrong"), [
    (4, "", "<p>A page that fits.</p>", None),
    (40, "", "", "the staff header wraps"),
    (4, "max-width: 40rem", "", "the staff header starts at"),
    (4, "", f"<p>{'averylongemailaddress' * 20}@example.org</p>", "scrolls sideways at 1280 px"),
    (4, "", "<p style='width: 400px'>A box as wide as a desktop table.</p>", "scrolls sideways at 320 px"),
])
def test_the_layout_check_finds_a_wrapped_header_and_a_page_that_scrolls_sideways(
    browser: Any, links: int, header: str, content: str, wrong: str | None,
) -> None:
    page = new_page(browser)
    page.set_content(STAFF_PAGE.format(
        links="".join(f"<li><a href='#'>Link {number}</a></li>" for number in range(links)),
        header=header, content=content))
    if wrong is None:
        check_layout(page, "made")
    else:
        with pytest.raises(AssertionError, match=wrong):
            check_layout(page, "made")
    page.context.close()
