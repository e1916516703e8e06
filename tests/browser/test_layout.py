"""The staff pages' layout at the widths people use (issue 16, item 15): a very long email address
and a long queue name never make a page scroll sideways, at 1280 px or at 320 px; the staff
header is one row at 1280 px and starts where the content starts; the dashboard's text columns
read from the left; and the printed compliance record keeps each heading with what follows it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, WIDTHS, new_page
from tests.conftest import close_stray_connections
from tests.support.people import sign_in_fully, staff
from tickets import services
from tickets.models import Queue, Ticket
from tickets.services.escalation import escalation_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# 64 characters before the @ (the longest local part RFC 5321 allows), and a long domain.
LONG_EMAIL = ("maija-liisa.virtanen-korhonen.tietosuojapyynto.asiakasnumero12345"[:64]
              + "@asiakaspalvelu.pohjoismainen-esimerkkiorganisaatio-osakeyhtio.example.org")
LONG_QUEUE = "Rekisteröityjen oikeudet ja tietosuojapyynnöt – Pohjoismaiden asiakaspalvelu ja laskutus"

# Every box of the header's row (the name, each navigation item, the menu of the account, the
# shortcuts, the language and signing out): their tops and bottoms, and the left edges of the
# header and of the content, in CSS pixels.
HEADER_BOXES = """() => {
  const box = element => element.getBoundingClientRect();
  const items = [document.querySelector('.site-header__name'),
                 ...document.querySelectorAll('.staff-nav > ul > li'),
                 document.querySelector('.user-menu > summary')].map(box);
  return {tops: items.map(item => item.top), bottoms: items.map(item => item.bottom),
          header_left: box(document.querySelector('.site-header__name')).left,
          content_left: box(document.querySelector('main h1')).left,
          heights: items.map(item => item.height)};
}"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Iterator[None]:
    """The live server's threads keep connections that would stop the test database being dropped."""
    yield
    close_stray_connections(django_db_blocker)


def desk_with_long_names() -> tuple[Any, Ticket]:
    """A manager of a queue with a long name, and a ticket there from a very long email address,
    escalated (so the dashboard's escalation table has a rule in it)."""
    queue = Queue.objects.create(name=LONG_QUEUE, slug="long-queue")
    manager = staff("hannele", member_of=("requests", "complaints"), manager_of=("requests", "complaints"))
    queue.members.add(manager)
    queue.managers.add(manager)
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Maija-Liisa Virtanen-Korhonen", email=LONG_EMAIL,
        description="Haluan nähdä tietoni.", language="fi", attachment=None, submission_key=None,
        received_at=timezone.now() - datetime.timedelta(days=45), actor=None, reason="test",
        acknowledge=False,
    ).ticket
    services.ticket_move(ticket_id=ticket.pk, actor=manager, queue_id=queue.pk, reason="test")
    escalation_sweep()
    return manager, Ticket.objects.get(pk=ticket.pk)


def signed_in(browser: Any, live_server: Any, user: Any, *, locale: str = "fi-FI") -> Any:
    client = sign_in_fully(Client(), user)
    page = new_page(browser, locale=locale)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"layout-{name}-{page.viewport_size['width']}.png"), full_page=full_page)


@pytest.mark.parametrize("locale", ["fi-FI", "en-GB"])
def test_long_names_never_make_a_staff_page_scroll_sideways(
        browser: Any, live_server: Any, locale: str) -> None:
    manager, ticket = desk_with_long_names()
    page = signed_in(browser, live_server, manager, locale=locale)
    pages = {"ticket": f"/staff/tickets/{ticket.reference}/", "queue": "/staff/tickets/",
             "record": f"/staff/tickets/{ticket.reference}/record/", "dashboard": "/staff/dashboard/",
             "queues": "/staff/queues/"}
    for name, path in pages.items():
        page.set_viewport_size(WIDTHS["desktop"])
        page.goto(f"{live_server.url}{path}")
        if name == "ticket":
            assert LONG_EMAIL in page.locator("main").inner_text()
        if name == "queue":
            assert LONG_QUEUE in page.locator("main").inner_text()
        for width in ("desktop", "phone"):
            page.set_viewport_size(WIDTHS[width])
            screenshot(page, f"{locale[:2]}-{name}")
            assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways at {WIDTHS[width]['width']} px"


@pytest.mark.parametrize("locale", ["fi-FI", "sv-SE", "en-GB"])
def test_the_staff_header_is_one_row_at_1280_aligned_with_the_content(
        browser: Any, live_server: Any, locale: str) -> None:
    """The widest header there is: a manager's (dashboard, report and queue members too), unread
    notifications, a long username, in each language."""
    manager, ticket = desk_with_long_names()
    page = signed_in(browser, live_server, manager, locale=locale)
    for name, path in (("queue", "/staff/tickets/"), ("ticket", f"/staff/tickets/{ticket.reference}/"),
                       ("dashboard", "/staff/dashboard/")):
        page.goto(f"{live_server.url}{path}")
        page.locator(".site-header").screenshot(
            path=str(ARTIFACTS / "screenshots" / f"layout-{locale[:2]}-header-{name}-1280.png"))
        boxes = page.evaluate(HEADER_BOXES)
        # One row: every box overlaps the first one vertically.
        first_top, first_bottom = boxes["tops"][0], boxes["bottoms"][0]
        assert all(top < first_bottom and bottom > first_top
                   for top, bottom in zip(boxes["tops"], boxes["bottoms"], strict=True)), (path, boxes)
        assert abs(boxes["header_left"] - boxes["content_left"]) <= 1, (path, boxes)
        assert page.evaluate(SIDEWAYS) <= 0, path
    # The menu opens over the page, inside the window, with the language and signing out in it.
    page.locator(".user-menu > summary").click()
    for item in ("#language-select", ".user-menu a[href$='/staff/account/']", "#shortcuts-open",
                 ".user-menu form[action$='/staff/logout/'] button"):
        assert page.locator(item).is_visible(), item
    menu = page.locator(".user-menu__items").bounding_box()
    assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= WIDTHS["desktop"]["width"]
    screenshot(page, f"{locale[:2]}-header-menu", full_page=False)
    page.set_viewport_size(WIDTHS["phone"])
    assert page.locator("#language-select").is_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    screenshot(page, f"{locale[:2]}-header-menu", full_page=False)


def test_the_dashboards_text_columns_read_from_the_left_and_its_numbers_from_the_right(
        browser: Any, live_server: Any) -> None:
    manager, _ticket = desk_with_long_names()
    page = signed_in(browser, live_server, manager, locale="en-GB")
    page.goto(f"{live_server.url}/staff/dashboard/")
    rule = page.locator("#table-escalations tbody tr").first.locator("td").first
    count = page.locator("#table-escalations tbody tr").first.locator("td").last
    assert rule.inner_text().strip() and not rule.inner_text().strip().isdigit()
    assert rule.evaluate("cell => getComputedStyle(cell).textAlign") in ("left", "start")
    assert count.evaluate("cell => getComputedStyle(cell).textAlign") == "right"
    # The charts' row labels too (the chart of open tickets by status).
    label = page.locator(".chart__label").first
    assert label.evaluate("cell => getComputedStyle(cell).textAlign") in ("left", "start")
    screenshot(page, "en-dashboard")


# What print CSS must do for the record: a heading stays with what follows it, a table row or a
# message is not cut in two, a table is not clipped by its scrolling wrapper, the screen's
# navigation is not printed.
PRINT_STYLES = """() => {
  const style = selector => [...document.querySelectorAll(selector)].map(
    element => getComputedStyle(element));
  return {
    headings: style('main h1, main h2, main h3').map(s => s.breakAfter),
    rows: style('main tbody tr').map(s => s.breakInside),
    wraps: style('main .table-wrap').map(s => s.overflowX),
    navigation: style('.staff-nav, .skip-link, .language-switcher').map(s => s.display),
  };
}"""
# Chromium's fragmentation engine, as it cuts printed pages, cuts columns: the record laid out in
# columns one "page" high, each heading must be in the same column as the start of what follows
# it. Tried at many page heights, so that some heading falls near the end of a page in each.
LONELY_HEADINGS = """(pageHeight) => {
  const report = document.querySelector('main .report');
  const width = report.getBoundingClientRect().width;
  Object.assign(report.style, {columnWidth: width + 'px', columnGap: '0px', columnFill: 'auto',
                               height: pageHeight + 'px'});
  const left = report.getBoundingClientRect().left;
  const column = rect => Math.floor((rect.left - left + 1) / width);
  const lonely = [];
  for (const heading of report.querySelectorAll('h2, h3')) {
    const next = heading.nextElementSibling;
    if (!next) continue;
    const headingRects = heading.getClientRects(), nextRects = next.getClientRects();
    if (!headingRects.length || !nextRects.length) continue;
    if (column(headingRects[headingRects.length - 1]) !== column(nextRects[0])) {
      lonely.push(heading.textContent.trim());
    }
  }
  report.removeAttribute('style');
  return lonely;
}"""


def test_the_printed_record_keeps_each_heading_with_what_follows(browser: Any, live_server: Any) -> None:
    manager, ticket = desk_with_long_names()
    for number in range(6):  # a record of several pages: messages and the changes they made
        services.ticket_reply(ticket_id=ticket.pk, actor=manager, body=f"Viesti {number}. " * 40)
    page = signed_in(browser, live_server, manager, locale="fi-FI")
    page.goto(f"{live_server.url}/staff/tickets/{ticket.reference}/record/")
    page.emulate_media(media="print")
    styles = page.evaluate(PRINT_STYLES)
    assert styles["headings"] and set(styles["headings"]) == {"avoid"}, styles["headings"]
    assert styles["rows"] and set(styles["rows"]) == {"avoid"}
    assert styles["wraps"] and set(styles["wraps"]) == {"visible"}
    assert set(styles["navigation"]) == {"none"}
    lonely = {height: page.evaluate(LONELY_HEADINGS, height) for height in range(260, 1200, 17)}
    assert {height: headings for height, headings in lonely.items() if headings} == {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "layout-record.pdf").write_bytes(page.pdf(format="A4"))
