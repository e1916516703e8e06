"""Uploaded files: checked by their bytes against an allowlist, stored under a random name.

The client's file name and Content-Type are never trusted (RT CVE-2022-25802, OTRS CVE-2023-38060):
the type is sniffed from the first bytes and markup looked for in all of them, the name's extension
must agree with the type, and the file is written outside any public directory with a random name,
encrypted (tickets/crypto.py) under associated data that names the stored file: the bytes on disk
are no use without the key, and a file moved onto another attachment's name does not decrypt as
that attachment.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tickets import crypto


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
# Bytes that mark markup; a file that starts with a real header but carries these anywhere is
# refused too. Anywhere: a header, a kilobyte of padding and then HTML got past a check of the first
# 1,024 bytes (issue 15, hole 13). The whole file is at most DESK_MAX_UPLOAD_BYTES, already in memory.
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
        sha256=crypto.file_digest(content),  # keyed: a plain hash would confirm a guessed file
        content=content,
    )


def _sniff(content: bytes) -> FileType | None:
    lowered = content.lower()  # bytes.lower() folds ASCII only: "<SCRIPT" is found, no text is decoded
    if any(marker in lowered for marker in _MARKUP_MARKERS):
        return None
    for file_type in ALLOWED_TYPES:
        if content.startswith(file_type.magic):
            return file_type
    return None


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def file_context(stored_name: str) -> str:
    return f"tickets.attachment.file:{stored_name}"


def store(upload: CheckedUpload) -> str:
    """Write the bytes, encrypted, under a random name; returns that name."""
    stored_name = secrets.token_hex(24)
    root = private_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / stored_name
    with path.open("xb") as handle:
        handle.write(crypto.encrypt_bytes(upload.content, context=file_context(stored_name)))
    path.chmod(0o600)
    return stored_name


def read(stored_name: str) -> bytes | None:
    """The file's plaintext; None if it is not on disk. A file that does not decrypt raises
    crypto.DecryptionError: it is never handed out as stored."""
    path = private_root() / stored_name
    if not path.exists():
        return None
    return crypto.decrypt_bytes(path.read_bytes(), context=file_context(stored_name))


def replace(stored_name: str, stored_bytes: bytes) -> None:
    """Write new stored bytes beside the file, then rename over it (rotation, the migration): a
    crash leaves the old file or the new one, whole, never half of each."""
    path = private_root() / stored_name
    temporary = path.with_name(f".{stored_name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(stored_bytes)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.chmod(0o600)
    os.replace(temporary, path)


def discard(stored_name: str) -> None:
    (private_root() / stored_name).unlink(missing_ok=True)
