"""Uploaded files: checked by their bytes against an allowlist, stored under a random name.

The client's file name and Content-Type are never trusted (RT CVE-2022-25802, OTRS CVE-2023-38060):
the type is sniffed from the first bytes, the name's extension must agree with it, and the file is
written outside any public directory with a random name.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


class UploadRefused(Exception):
    pass


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]


ALLOWED_TYPES = (
    FileType("application/pdf", (".pdf",), (b"%PDF-",)),
    FileType("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
)
# Bytes that mark markup; a file that starts with a real header but carries these is refused too.
_MARKUP_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype html", b"<iframe", b"javascript:")


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def clean_display_name(name: str) -> str:
    """A file name safe to show: no path, no control or bidirectional-override characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return kept.strip().strip(".")[:200] or "file"


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Raise UploadRefused with a message in the active language unless the file is acceptable."""
    limit = settings.DESK_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise UploadRefused(_("The file is empty."))
    if size > limit:
        raise UploadRefused(
            _("The file is too large. The largest file we accept is %(megabytes)s MB.")
            % {"megabytes": max(limit // (1024 * 1024), 1)}
        )
    content = b"".join(upload.chunks())
    if len(content) > limit:  # the size the client declared is not trusted either
        raise UploadRefused(_("The file is too large."))
    display_name = clean_display_name(upload.name or "")
    file_type = _sniff(content)
    suffix = Path(display_name.lower()).suffix
    if file_type is None or suffix not in file_type.extensions:
        raise UploadRefused(
            _("We accept PDF, PNG and JPEG files only, and the file name must end in .pdf, "
              ".png, .jpg or .jpeg to match the file's content.")
        )
    return CheckedUpload(
        original_name=display_name,
        content_type=file_type.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def _sniff(content: bytes) -> FileType | None:
    head = content[:1024].lower()
    if any(marker in head for marker in _MARKUP_MARKERS):
        return None
    for file_type in ALLOWED_TYPES:
        if content.startswith(file_type.magic):
            return file_type
    return None


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def store(upload: CheckedUpload) -> str:
    """Write the bytes under a random name; returns that name."""
    stored_name = secrets.token_hex(24)
    root = private_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / stored_name
    with path.open("xb") as handle:
        handle.write(upload.content)
    path.chmod(0o600)
    return stored_name


def discard(stored_name: str) -> None:
    (private_root() / stored_name).unlink(missing_ok=True)
