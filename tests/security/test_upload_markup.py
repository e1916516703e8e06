"""Markup anywhere in a file (issue 15, hole 13): the sniffer looked for markup in the first
1,024 bytes only, so a real PDF, PNG or JPEG header followed by a kilobyte of padding and then
HTML, SVG or a javascript: URL was accepted. The whole file is scanned now; each is refused in the
requester's language and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import valid_request
from tests.security.test_uploads import ONLY_TYPES, html_text, in_language
from tests.security.world import PDF, PNG, World, files_in, state
from tickets.models import Attachment
from tickets.uploads import UploadRefused, check_upload

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PADDING = b"\x00" * 1_024
DEEP: dict[str, tuple[str, bytes]] = {
    "pdf, html after a kilobyte": ("invoice.pdf", PDF + PADDING + b"<html><script>alert(1)</script></html>"),
    "png, svg after a kilobyte": ("photo.png", PNG + PADDING + b'<svg onload="alert(1)"/>'),
    "jpeg, javascript url at the end": ("scan.jpg", JPEG + PADDING * 100 + b"javascript:alert(1)"),
    "pdf, iframe in capitals": ("a.pdf", PDF + PADDING * 3 + b"<IFRAME src=//evil.example>"),
    "pdf, a marker across byte 1024": ("b.pdf", (PDF + b" " * 2_000)[:1_020] + b"<script>alert(1)</script>"),
    "png, doctype at the last bytes": ("c.png", PNG + PADDING * 8 + b"<!DOCTYPE html>"),
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_markup_past_the_first_kilobyte_is_refused_by_the_check(case: str) -> None:
    name, content = DEEP[case]

    with pytest.raises(UploadRefused):
        check_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_markup_past_the_first_kilobyte_is_refused_on_the_form_and_nothing_is_stored(
        world: World, private_media: Path, language: str) -> None:
    """The form; the status page's messages and the API intake call the same check_upload."""
    before = state()

    for case, (name, content) in DEEP.items():
        response = Client().post("/", valid_request(attachment=SimpleUploadedFile(name, content)),
                                 HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400, case
        assert in_language(language, ONLY_TYPES) in html_text(response), case

    assert state() == before
    assert files_in(private_media) == before["files"]


def test_a_large_clean_file_is_still_accepted(world: World) -> None:
    content = PDF + b"0" * 500_000 + b"\n%%EOF\n"

    response = Client().post("/", valid_request(attachment=SimpleUploadedFile("long.pdf", content)))

    assert response.status_code == 302
    assert Attachment.objects.filter(size=len(content)).count() == 1
