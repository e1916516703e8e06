"""Issue 16, items 13 and 14: the public form says plainly what happened and keeps what was given.

A post sooner than a person could send it is not an error to correct: the form comes back with a
notice saying so, every answer as typed and the attached file kept (encrypted, for the next send),
and the file is asked for again, by its name, only when it could not be kept. The error summary
says "Nothing was saved" once, and not on a sign-in step that saves nothing. The part of the United
Kingdom is required of people who live there and is never marked optional; no country is chosen
for the person."""

from __future__ import annotations

import datetime
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from desk.ratelimit import Rate
from notifications.models import Outbox
from tests.conftest import valid_request
from tests.support.people import staff
from tickets import uploads
from tickets.forms import form_token
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
OTHER_PDF = b"%PDF-1.7\n2 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

TOO_FAST = {
    "en": "That was quicker than a person usually fills in the form. Please check your answers and "
          "send the form again.",
    "fi": "Lomake lähetettiin nopeammin kuin ihminen yleensä ehtii sen täyttää. Tarkista vastauksesi "
          "ja lähetä lomake uudelleen.",
    "sv": "Det gick snabbare än en människa brukar fylla i formuläret. Kontrollera dina svar och "
          "skicka formuläret igen.",
}
NOT_SENT_YET = {"en": "The form has not been sent yet", "fi": "Lomaketta ei ole vielä lähetetty",
                "sv": "Formuläret har inte skickats ännu"}
KEPT = {"en": "Your answers and your file passi.pdf are kept.",
        "fi": "Vastauksesi ja tiedostosi passi.pdf ovat tallessa.",
        "sv": "Dina svar och din fil passi.pdf finns kvar."}
ATTACH_AGAIN = {"en": "We could not keep your file passi.pdf. Please attach it again.",
                "fi": "Emme voineet säilyttää tiedostoasi passi.pdf. Liitä se uudelleen.",
                "sv": "Vi kunde inte behålla din fil passi.pdf. Bifoga den igen."}
NOTHING_SAVED = {"en": "Nothing was saved", "fi": "Mitään ei tallennettu", "sv": "Inget har sparats"}
UK_PART = {"en": "Part of the United Kingdom", "fi": "Iso-Britannian osa", "sv": "Del av Storbritannien"}
OPTIONAL = {"en": "(optional)", "fi": "(vapaaehtoinen)", "sv": "(frivilligt)"}
CHOOSE_UK_PART = {"en": "Choose the part of the United Kingdom where you live.",
                  "fi": "Valitse, missä Iso-Britannian osassa asut.",
                  "sv": "Välj den del av Storbritannien där du bor."}


def pdf(name: str = "passi.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def nothing_saved() -> None:
    """No ticket, history, outbox row or attachment: a kept file is not an attachment until sent."""
    assert Ticket.objects.count() == 0
    assert Ticket.history.count() == 0
    assert Outbox.objects.count() == 0
    assert Attachment.objects.count() == 0


def held_files() -> list[Path]:
    root = uploads.held_root()
    return sorted(root.iterdir()) if root.exists() else []


def value_of(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match is not None, f"no {name} in the page"
    return match.group(1)


def too_fast(client: Client, language: str = "en", **overrides: Any) -> Any:
    """A post the moment its form was served, with a file, from someone in Scotland."""
    data = valid_request(form_token=form_token("request"), country="GB", uk_nation="SCT",
                         kind="erasure", description="Poistakaa tietoni.", attachment=pdf())
    data.update(overrides)
    return client.post("/", data, HTTP_ACCEPT_LANGUAGE=language)


def send_again(client: Client, refused: Any, language: str = "en", **overrides: Any) -> Any:
    """The form that came back, sent again as a person would: its answers, its hidden values."""
    html = refused.content.decode()
    data = valid_request(country="GB", uk_nation="SCT", kind="erasure", description="Poistakaa tietoni.",
                         form_token=value_of(html, "form_token"),
                         submission_key=value_of(html, "submission_key"))
    if 'name="held_attachment"' in html:
        data["held_attachment"] = value_of(html, "held_attachment")
    data.update(overrides)
    return client.post("/", data, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_too_fast_post_says_so_and_keeps_every_answer_and_the_file(settings: Any, language: str) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    with time_machine.travel(START, tick=False):
        refused = too_fast(client, language)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'class="notice"' in html and 'class="error-summary"' not in html  # not shown as an error
    assert NOT_SENT_YET[language] in html
    assert TOO_FAST[language] in html
    assert KEPT[language] in html
    assert NOTHING_SAVED[language] not in html  # "not sent yet" says it, once
    # Everything typed is there as it was.
    assert 'value="Maija Mehiläinen"' in html and 'value="maija@example.org"' in html
    assert re.search(r">\s*Poistakaa tietoni.</textarea>", html)
    assert re.search(r'<option value="GB" selected>', html)
    assert re.search(r'<option value="SCT" selected>', html)
    assert re.search(r'value="erasure"[^>]*checked', html)
    # The file is kept, encrypted, for the next send; nothing else was saved.
    [kept] = held_files()
    assert PDF not in kept.read_bytes()
    nothing_saved()

    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        accepted = send_again(client, refused)  # no file chosen again

    assert accepted.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.requester_region) == ("erasure", "SCT")
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.original_name == "passi.pdf"
    assert uploads.read(attachment.stored_name) == PDF


def test_the_kept_file_is_removed_soon_after_the_request_is_made(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    with time_machine.travel(START, tick=False):
        refused = too_fast(client)
    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        assert send_again(client, refused).status_code == 302
        again = send_again(client, refused)  # a double click's second post still finds the file
    assert again.status_code == 302 and Ticket.objects.count() == 1
    assert len(held_files()) == 1

    with time_machine.travel(START + datetime.timedelta(seconds=5 + uploads.HELD_AFTER_USE_SECONDS + 1),
                             tick=False):
        Client().post("/", valid_request(name=""))  # any public post sweeps the kept files
    assert held_files() == []


@pytest.mark.parametrize("how", ["expired", "discarded", "another-form"])
@pytest.mark.parametrize("language", ["en", "fi"])
def test_a_kept_file_that_is_gone_is_asked_for_again_by_name(settings: Any, how: str, language: str) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    with time_machine.travel(START, tick=False):
        refused = too_fast(client, language)
    overrides: dict[str, Any] = {}
    later = START + datetime.timedelta(seconds=5)
    if how == "expired":
        later = START + datetime.timedelta(seconds=uploads.HELD_SECONDS + 60)
    elif how == "discarded":
        held_files()[0].unlink()
    else:
        overrides["submission_key"] = str(uuid.uuid4())

    with time_machine.travel(later, tick=False):
        response = send_again(client, refused, language, **overrides)

    assert response.status_code == 400
    html = response.content.decode()
    assert ATTACH_AGAIN[language] in html
    assert 'name="held_attachment"' not in html  # nothing kept is claimed
    nothing_saved()


def test_a_forged_kept_file_reference_is_refused_and_saves_nothing() -> None:
    response = Client().post("/", valid_request(held_attachment="eyJmaWxlIjoiLi4vLi4vZXRjL3Bhc3N3ZCJ9:1:x"),
                             HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The form was out of date. Please send it again." in response.content.decode()
    nothing_saved()
    assert held_files() == []


def test_a_new_file_replaces_the_kept_one(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    with time_machine.travel(START, tick=False):
        refused = too_fast(client)
    [first] = held_files()

    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        accepted = send_again(client, refused, attachment=pdf("toinen.pdf", OTHER_PDF))

    assert accepted.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "toinen.pdf"
    assert uploads.read(attachment.stored_name) == OTHER_PDF
    assert not first.exists()  # the replaced file is gone at once


def test_the_person_may_choose_not_to_send_the_kept_file(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    client = Client()
    with time_machine.travel(START, tick=False):
        refused = too_fast(client)
    html = refused.content.decode()
    assert '<label for="id_forget_held_attachment">Do not send passi.pdf</label>' in html

    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        accepted = send_again(client, refused, forget_held_attachment="on")

    assert accepted.status_code == 302
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 0
    assert held_files() == []


def test_a_file_is_kept_when_other_answers_need_correcting() -> None:
    client = Client()
    refused = client.post("/", valid_request(email="not-an-email", attachment=pdf()),
                          HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'class="error-summary"' in html
    assert "Your file passi.pdf is kept and is sent with the form." in html
    nothing_saved()

    accepted = client.post("/", valid_request(
        submission_key=value_of(html, "submission_key"), form_token=value_of(html, "form_token"),
        held_attachment=value_of(html, "held_attachment")))
    assert accepted.status_code == 302
    assert uploads.read(Attachment.objects.get().stored_name) == PDF


@pytest.mark.parametrize("why", ["over-the-address-limit", "too-many-kept"])
def test_a_file_that_cannot_be_kept_is_asked_for_again_by_name(
    settings: Any, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    if why == "over-the-address-limit":
        settings.DESK_RATE_FORM_ADDRESS = Rate(limit=1, seconds=3600)
        too_fast(Client(), attachment=pdf("first.pdf"))  # the one file this address may have kept
    else:
        monkeypatch.setattr(uploads, "HELD_MAXIMUM_FILES", 0)

    response = too_fast(Client(), "fi")

    assert response.status_code == 400
    html = response.content.decode()
    assert ATTACH_AGAIN["fi"] in html
    assert TOO_FAST["fi"] in html  # and still why the form came back
    assert 'name="held_attachment"' not in html
    nothing_saved()


def test_the_error_summary_says_nothing_was_saved_once(settings: Any) -> None:
    settings.DESK_FORM_MIN_SECONDS = 3
    forged = Client().post("/", valid_request(received_at="2020-01-01", email="x"), HTTP_ACCEPT_LANGUAGE="fi")
    hurried = Client().post("/", valid_request(form_token=form_token("request"), email="x"),
                            HTTP_ACCEPT_LANGUAGE="en")

    forged_html = forged.content.decode()
    assert forged.status_code == 400
    assert "Lomakkeessa oli kenttiä, joita se ei hyväksy: received_at." in forged_html
    assert forged_html.count(NOTHING_SAVED["fi"]) == 1
    hurried_html = hurried.content.decode()
    assert hurried.status_code == 400
    assert hurried_html.count(NOTHING_SAVED["en"]) == 1
    # A mistake to correct says enough: the form is sent again anyway, no word about speed.
    assert "Enter a valid email address." in hurried_html
    assert "quicker than a person" not in hurried_html
    nothing_saved()


def test_steps_that_save_nothing_do_not_say_nothing_was_saved() -> None:
    """Signing in and opening a link save nothing: their errors do not say so."""
    staff("agent", member_of=("requests",))
    client = Client()
    wrong_password = client.post("/staff/login/", {"username": "agent", "password": "wrong"},
                                 HTTP_ACCEPT_LANGUAGE="en")
    client.post("/staff/login/", {"username": "agent", "password": "a-long-test-password"})
    wrong_code = client.post("/staff/login/verify/", {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    no_link = Client().post("/status/link/", {"link": ""}, HTTP_ACCEPT_LANGUAGE="en")

    for response, said in ((wrong_password, "There is a problem"), (wrong_code, "That code did not work."),
                           (no_link, "Paste the link from your email.")):
        html = response.content.decode()
        assert response.status_code in (200, 400)
        assert said in html
        assert "Nothing was saved" not in html


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_the_uk_part_is_required_of_uk_residents_and_labelled_so(language: str) -> None:
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    field = re.search(r'<div class="field field--for-country" data-for-country="GB">(.*?)</div>', html,
                      re.DOTALL)
    assert field is not None
    assert f'<label class="field__label" for="id_uk_nation">{UK_PART[language]}</label>' in field.group(1)
    assert OPTIONAL[language] not in field.group(1)
    assert re.search(r'<select name="uk_nation"[^>]*aria-required="true"', field.group(1))
    assert 'data-for-country="US"' in html
    assert OPTIONAL[language] in html  # the file is optional, and says so

    refused = Client().post("/", valid_request(country="GB", uk_nation=""), HTTP_ACCEPT_LANGUAGE=language)

    assert refused.status_code == 400
    assert CHOOSE_UK_PART[language] in refused.content.decode()
    nothing_saved()


@pytest.mark.parametrize("accept_language", ["en-GB,en;q=0.9", "fi-FI,fi;q=0.9", "en-US", "sv-SE"])
@pytest.mark.parametrize("path", ["/", "/?from=link"], ids=["blank-page", "rendered-page"])
def test_no_country_is_chosen_for_the_person(accept_language: str, path: str) -> None:
    html = Client().get(path, HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()

    select = re.search(r'<select name="country".*?</select>', html, re.DOTALL)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)" selected>', select.group(0)) in ([], [""])


def test_the_api_intake_takes_no_kept_file_reference() -> None:
    fields = {key: value for key, value in valid_request().items() if key not in {"website", "form_token"}}

    response = APIClient().post("/api/v1/intake/", {**fields, "held_attachment": "x"}, format="json")

    assert response.status_code == 400
    nothing_saved()


def test_the_trap_and_a_forged_time_still_answer_alike_and_keep_the_file() -> None:
    trapped = Client().post("/", valid_request(website="x", attachment=pdf()), HTTP_ACCEPT_LANGUAGE="en")
    forged = Client().post("/", valid_request(form_token=f"{time.time()}:forged", attachment=pdf()),
                           HTTP_ACCEPT_LANGUAGE="en")

    for response in (trapped, forged):
        html = response.content.decode()
        assert response.status_code == 400
        assert "We could not tell that a person sent this form." in html
        assert KEPT["en"] in html
    nothing_saved()
