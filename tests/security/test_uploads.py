"""Uploads (django-helpdesk §3.3 class 5, research F4): every dangerous file is refused with a clear
message in the requester's language, and nothing is stored: no row, no file left in the private
media root. An accepted file is served only to staff who may see its ticket, as a download, with
nosniff and a sandboxing CSP."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.conftest import valid_request
from tests.security.world import PDF, PNG, World, files_in, page_text, state
from tests.support.status_links import open_status_link
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

ONLY_TYPES = ("We accept PDF, PNG and JPEG files only, and the file name must end in .pdf, "
              ".png, .jpg or .jpeg to match the file's content.")
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


def zip_bomb() -> bytes:
    """A DOCX-shaped ZIP of about 10 KB that inflates to 10 MB (the ratio of a real bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 10_000_000)
    return buffer.getvalue()


BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    "svg with script": ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                        b"</svg>", "image/svg+xml"),
    "svg named pdf": ("drawing.pdf", b'<?xml version="1.0"?><svg onload="alert(1)"/>', "application/pdf"),
    "html named pdf": ("invoice.pdf", HTML, "application/pdf"),
    "pdf header then html": ("invoice.pdf", b"%PDF-1.4\n" + HTML, "application/pdf"),
    "png header then html": ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML, "image/png"),
    "double extension": ("report.pdf.html", PDF, "text/html"),
    "html with trailing dot": ("page.html.", HTML, "text/html"),
    "right-to-left override": ("invoice\u202efdp.exe", PDF, "application/pdf"),
    "no extension": ("evidence", PDF, "application/pdf"),
    "executable": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream"),
    "zip bomb as docx": ("report.docx", zip_bomb(), "application/vnd.openxmlformats-officedocument"),
    "zip named pdf": ("report.pdf", zip_bomb(), "application/pdf"),
    "client type lies (html as png)": ("photo.png", HTML, "image/png"),
    "pdf content named png": ("photo.png", PDF, "image/png"),
    "javascript url in a pdf": ("link.pdf", b"%PDF-1.4\n/URI (javascript:alert(1))\n%%EOF",
                                "application/pdf"),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def html_text(response: Any) -> str:
    import html

    return html.unescape(page_text(response))


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_dangerous_file_on_the_public_form_is_refused_and_nothing_is_stored(
    world: World, private_media: Path, case: str, language: str
) -> None:
    name, content, content_type = BAD_FILES[case]
    before = state()

    response = Client().post("/", valid_request(attachment=upload(name, content, content_type)),
                             HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    message = in_language(language, ONLY_TYPES)
    assert language == "en" or message != ONLY_TYPES  # the message is translated
    assert message in html_text(response)
    assert state() == before
    assert files_in(private_media) == before["files"]


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_an_empty_file_and_a_file_one_byte_over_the_limit_are_refused(
    world: World, settings: Any, private_media: Path, language: str
) -> None:
    settings.DESK_MAX_UPLOAD_BYTES = 4096
    before = state()
    client = Client()

    empty = client.post("/", valid_request(attachment=upload("empty.pdf", b"")),
                        HTTP_ACCEPT_LANGUAGE=language)
    over = client.post("/", valid_request(attachment=upload("big.pdf", PDF + b"0" * (4097 - len(PDF)))),
                       HTTP_ACCEPT_LANGUAGE=language)

    assert (empty.status_code, over.status_code) == (400, 400)
    empty_messages = {in_language(language, "The submitted file is empty."),
                      in_language(language, "The file is empty.")}
    assert any(message in html_text(empty) for message in empty_messages)
    too_large = in_language(language,
                            "The file is too large. The largest file we accept is %(megabytes)s MB.")
    assert too_large % {"megabytes": 1} in html_text(over)
    assert state() == before


def test_a_file_of_exactly_the_limit_is_accepted(world: World, settings: Any) -> None:
    settings.DESK_MAX_UPLOAD_BYTES = 4096
    response = Client().post("/", valid_request(attachment=upload("big.pdf", PDF + b"0" * (4096 - len(PDF)))))

    assert response.status_code == 302
    assert Attachment.objects.filter(size=4096).count() == 1


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_dangerous_file_on_the_status_page_is_refused_and_nothing_is_stored(
    world: World, language: str
) -> None:
    client = Client()
    assert open_status_link(client, world.a.token).status_code == 303
    before = state()

    for case, (name, content, content_type) in BAD_FILES.items():
        response = client.post("/status/", {"body": "Here is the file.",
                                            "attachment": upload(name, content, content_type)},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400, case
        assert in_language(language, ONLY_TYPES) in html_text(response), case

    assert state() == before


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_too_many_files_in_one_post_are_refused_with_a_clear_page(
    world: World, settings: Any, language: str
) -> None:
    files = {f"attachment{number}": upload(f"proof{number}.pdf", PDF)
             for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    before = state()

    response = Client().post("/", {**valid_request(), **files}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    text = html_text(response)
    assert "Nothing was saved" in text
    assert "Mitään ei tallennettu" in text and "Inget sparades" in text
    assert state() == before


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf",
                                  "/etc/cron.d/evil.pdf", "evil\r\nContent-Type: text/html.pdf",
                                  "nul\x00byte.pdf", '"><img src=x onerror=alert(1)>.pdf'])
def test_a_path_or_control_characters_in_a_file_name_never_reach_the_disk_or_a_header(
    world: World, private_media: Path, name: str
) -> None:
    """The stored name is random, under the private root; the shown name has no path, no CR or LF."""
    before = files_in(private_media)

    response = Client().post("/", valid_request(attachment=upload(name, PDF, "application/pdf")))

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert files_in(private_media) == before
        return
    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket is not None
    attachment = ticket.attachments.get()
    new_files = files_in(private_media) - before
    assert new_files == {attachment.stored_name}
    assert all(ch not in attachment.original_name for ch in "/\\\r\n\x00")
    assert not any(path.name != attachment.stored_name and path.is_file()
                   for path in private_media.parent.rglob("*") if path.parent != private_media)
    download = World.client(world, "agent_a").get(
        f"/staff/tickets/{ticket.reference}/files/{attachment.pk}/")
    disposition = download["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split("=", 1)[1]


def test_the_client_content_type_is_not_trusted_for_a_good_file(world: World) -> None:
    response = Client().post("/", valid_request(attachment=upload("scan.pdf", PDF, "text/html")))

    assert response.status_code == 302
    assert Attachment.objects.order_by("-pk").first().content_type == "application/pdf"  # type: ignore[union-attr]


@pytest.mark.parametrize("persona", ["agent_b", "manager_b", "admin", "non_staff"])
def test_a_file_is_not_served_to_staff_outside_its_queue(world: World, persona: str) -> None:
    response = world.client(persona).get(
        f"/staff/tickets/{world.a.ticket.reference}/files/{world.a.attachment.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "inactive"])
def test_a_file_is_not_served_to_anyone_signed_out(world: World, persona: str) -> None:
    response = world.client(persona).get(
        f"/staff/tickets/{world.a.ticket.reference}/files/{world.a.attachment.pk}/")

    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
    assert not getattr(response, "streaming", False)


@pytest.mark.parametrize("persona", ["agent_a", "manager_a", "dpo"])
def test_an_accepted_file_is_served_as_a_sandboxed_download(world: World, persona: str) -> None:
    response = world.client(persona).get(
        f"/staff/tickets/{world.a.ticket.reference}/files/{world.a.attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"  # sniffed at upload, not the client's word
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert page_text(response).encode() == PDF


def test_a_png_is_served_with_its_sniffed_type(world: World) -> None:
    response = Client().post("/", valid_request(attachment=upload("photo.png", PNG, "text/html")))
    assert response.status_code == 302
    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket is not None
    attachment = ticket.attachments.get()
    world.a.ticket.queue.members.add(world.people["agent_b"])

    download = world.client("agent_b").get(f"/staff/tickets/{ticket.reference}/files/{attachment.pk}/")

    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
