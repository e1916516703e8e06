"""Issue 16, items 13 and 14, in a real browser, in Finnish and English, at 1280 and 390 px.

The US-state and UK-part fields show only while their country is chosen, with script and without
it (CSS :has()), out of the tab order while hidden, labelled and required when shown. A form sent
too fast comes back as a notice with every answer and its file, and is accepted when sent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, check_accessibility
from tickets import uploads
from tickets.models import Attachment, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
SEND_BUTTON = "form.form button[type=submit]"
TEXTS = {
    "fi": {"locale": "fi-FI", "uk_part": "Iso-Britannian osa", "us_state": "Yhdysvaltain osavaltio",
           "choose_uk_part": "Valitse, missä Iso-Britannian osassa asut.",
           "not_sent": "Lomaketta ei ole vielä lähetetty",
           "too_fast": "Lomake lähetettiin nopeammin kuin ihminen yleensä ehtii sen täyttää.",
           "kept": "Vastauksesi ja tiedostosi passi.pdf ovat tallessa.",
           "kept_file": "Tiedostosi passi.pdf on tallessa"},
    "en": {"locale": "en-GB", "uk_part": "Part of the United Kingdom", "us_state": "US state",
           "choose_uk_part": "Choose the part of the United Kingdom where you live.",
           "not_sent": "The form has not been sent yet",
           "too_fast": "That was quicker than a person usually fills in the form.",
           "kept": "Your answers and your file passi.pdf are kept.",
           "kept_file": "Your file passi.pdf is kept"},
}


def open_form(browser: Any, live_server: Any, language: str, width: int, *, script: bool = True) -> Any:
    context = browser.new_context(locale=TEXTS[language]["locale"], viewport={"width": width, "height": 900},
                                  java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/")
    return page


def screenshot(page: Any, name: str) -> None:
    """A page without script cannot run axe: its look is kept for review all the same."""
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def shown(page: Any) -> tuple[bool, bool]:
    return page.locator("#id_us_state").is_visible(), page.locator("#id_uk_nation").is_visible()


def fill_the_rest(page: Any, *, email: str) -> None:
    page.locator("#id_kind_3").check()  # erasure
    page.locator("#id_name").fill("Fiona Fraser")
    page.locator("#id_email").fill(email)
    page.locator("#id_description").fill("Please delete my data.")


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_region_fields_follow_the_chosen_country(
    browser: Any, live_server: Any, language: str, width: int, script: bool
) -> None:
    texts = TEXTS[language]
    page = open_form(browser, live_server, language, width, script=script)
    name = f"form-regions-{language}-{'script' if script else 'no-script'}"

    # No country is chosen for the person, and no region field shows before one is.
    assert page.locator("#id_country").input_value() == ""
    assert shown(page) == (False, False)

    page.locator("#id_country").select_option("GB")
    assert shown(page) == (False, True)
    # Labelled, announced as required, never "(optional)".
    assert page.locator("label[for=id_uk_nation]").inner_text() == texts["uk_part"]
    assert page.get_by_label(texts["uk_part"], exact=True).get_attribute("aria-required") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#id_uk_nation").scroll_into_view_if_needed()
    if script:
        check_accessibility(page, f"{name}-uk")
    else:
        screenshot(page, f"{name}-uk")

    page.locator("#id_country").select_option("US")
    assert shown(page) == (True, False)
    assert page.locator("label[for=id_us_state]").inner_text() == texts["us_state"]

    page.locator("#id_country").select_option("FI")
    assert shown(page) == (False, False)
    # A hidden field is out of the tab order: from the country, Tab goes to the name.
    page.locator("#id_country").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_name"

    # The UK without its part is refused, next to the field, which shows again with its error.
    page.locator("#id_country").select_option("GB")
    fill_the_rest(page, email=f"regions-{language}-{width}-{script}@example.org")
    page.locator(SEND_BUTTON).click()
    page.wait_for_load_state()
    assert page.locator("#id_uk_nation_error").inner_text().endswith(texts["choose_uk_part"])
    assert shown(page) == (False, True)
    assert Ticket.objects.count() == 0
    if script:
        check_accessibility(page, f"{name}-uk-required")
    else:
        screenshot(page, f"{name}-uk-required")

    page.locator("#id_uk_nation").select_option("WLS")
    page.locator(SEND_BUTTON).click()
    page.wait_for_url("**/submitted/")
    ticket = Ticket.objects.get()
    assert (ticket.requester_country, ticket.requester_region, ticket.regime) == ("GB", "WLS", "uk_gdpr")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_form_sent_too_fast_comes_back_with_its_answers_and_its_file(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path, language: str, width: int
) -> None:
    texts = TEXTS[language]
    settings.DESK_FORM_MIN_SECONDS = 60  # quicker than this is "too fast": the test is
    document = tmp_path / "passi.pdf"
    document.write_bytes(PDF)
    page = open_form(browser, live_server, language, width)
    page.locator("#id_country").select_option("GB")
    page.locator("#id_uk_nation").select_option("SCT")
    fill_the_rest(page, email=f"fast-{language}-{width}@example.org")
    page.locator("#id_attachment").set_input_files(str(document))

    page.locator(SEND_BUTTON).click()
    notice = page.locator(".notice")
    notice.wait_for()

    # Not an error: a notice that says what happened and what was kept, with the focus on it.
    assert page.locator(".error-summary").count() == 0
    text = notice.inner_text()
    assert texts["not_sent"] in text and texts["too_fast"] in text and texts["kept"] in text
    assert page.evaluate("document.activeElement.classList.contains('notice')")
    assert page.locator(".kept-file").inner_text().startswith(texts["kept_file"])
    assert page.locator("#id_name").input_value() == "Fiona Fraser"
    assert page.locator("#id_description").input_value() == "Please delete my data."
    assert page.locator("#id_country").input_value() == "GB"
    assert page.locator("#id_uk_nation").input_value() == "SCT"
    assert page.locator("#id_kind_3").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert Ticket.objects.count() == 0
    check_accessibility(page, f"form-too-fast-{language}")

    settings.DESK_FORM_MIN_SECONDS = 0  # the person has read the notice: sent again, no file chosen
    page.locator(SEND_BUTTON).click()
    page.wait_for_url("**/submitted/")
    attachment = Attachment.objects.get(ticket=Ticket.objects.get())
    assert attachment.original_name == "passi.pdf"
    assert uploads.read(attachment.stored_name) == PDF
    page.context.close()


def test_where_has_is_missing_the_script_shows_only_the_chosen_countrys_field(
    browser: Any, live_server: Any
) -> None:
    """A browser without :has() (an old Firefox ESR): desk/request-form.js hides and shows the
    fields instead, with the `hidden` attribute, which also takes them out of the tab order."""
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 900})
    context.add_init_script("CSS.supports = function () { return false; };")
    page = context.new_page()
    page.goto(f"{live_server.url}/")

    def hidden() -> tuple[bool, bool]:
        def attribute(code: str) -> bool:
            return page.locator(f"[data-for-country={code}]").get_attribute("hidden") is not None
        return attribute("US"), attribute("GB")

    assert hidden() == (True, True)
    page.locator("#id_country").select_option("GB")
    assert hidden() == (True, False)
    page.locator("#id_country").select_option("US")
    assert hidden() == (False, True)
    page.locator("#id_country").select_option("SE")
    assert hidden() == (True, True)
    context.close()
