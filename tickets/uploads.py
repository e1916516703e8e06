"""Uploaded files: checked by their bytes against an allowlist, stored under a random name.

The client's file name and Content-Type are never trusted (RT CVE-2022-25802, OTRS CVE-2023-38060):
the type is sniffed from the first bytes and markup looked for in all of them, the name's extension
must agree with the type, and the file is written outside any public directory with a random name,
encrypted (desk/crypto.py) under associated data that names the stored file: the bytes on disk
are no use without the key, and a file moved onto another attachment's name does not decrypt as
that attachment.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

from desk import crypto


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


# A file the public form could not take yet: the form came back (sent sooner than a person could,
# or with a mistake elsewhere) and a browser never sends a file again by itself. Kept for the next
# send, encrypted like an attachment under a random name in a directory of its own, bound to the
# form's submission key (in its associated data and in the signed reference the page carries), for
# HELD_SECONDS: the person is asked to send at once. Old files go at the next public post.
HELD_SECONDS = 3600
# After the request they belonged to was made: a double click's second post still finds the file.
HELD_AFTER_USE_SECONDS = 120
# Each kept file is up to DESK_MAX_UPLOAD_BYTES on disk: past this many, a file is not kept and the
# person is asked, by its name, to attach it again (scripts posting files cannot fill the disk).
HELD_MAXIMUM_FILES = 200
_HELD_SALT = "desk.held-upload"
_STORED_NAME = re.compile(r"[0-9a-f]{48}")  # secrets.token_hex(24)


class HeldUploadGone(Exception):
    """A kept file that is there no longer (expired, discarded, for another form, or changed)."""


@dataclass(frozen=True)
class HeldUpload:
    """What a form's signed reference says: the stored file, its name as the person chose it, and
    the submission key of the form it belongs to."""

    stored_name: str
    original_name: str
    submission_key: str
    reference: str


def held_root() -> Path:
    return private_root() / "held"


def _held_context(stored_name: str, submission_key: str) -> str:
    return f"tickets.held-upload:{stored_name}:{submission_key}"


def hold(upload: CheckedUpload, *, submission_key: str) -> HeldUpload | None:
    """Keep a checked file for the form's next send; None when too many files are kept already."""
    root = held_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    if sum(1 for _ in root.iterdir()) >= HELD_MAXIMUM_FILES:
        return None
    stored_name = secrets.token_hex(24)
    path = root / stored_name
    with path.open("xb") as handle:
        handle.write(crypto.encrypt_bytes(upload.content, context=_held_context(stored_name, submission_key)))
    path.chmod(0o600)
    reference = signing.TimestampSigner(salt=_HELD_SALT).sign_object(
        {"file": stored_name, "name": upload.original_name, "key": submission_key})
    return HeldUpload(stored_name, upload.original_name, submission_key, reference)


def held_upload(reference: str) -> HeldUpload | None:
    """The kept file a form's reference names, whatever its age; None unless the server signed it."""
    try:
        named = signing.TimestampSigner(salt=_HELD_SALT).unsign_object(reference)
    except (signing.BadSignature, ValueError):
        return None
    parts = ("file", "name", "key")
    if not isinstance(named, dict) or not all(isinstance(named.get(part), str) for part in parts):
        return None
    if not _STORED_NAME.fullmatch(named["file"]):  # ours, signed; still never a path
        return None
    return HeldUpload(named["file"], named["name"], named["key"], reference)


def read_held(held: HeldUpload, *, submission_key: str) -> CheckedUpload:
    """The kept file, checked again as it was on arrival; HeldUploadGone if it cannot be had."""
    try:
        signing.TimestampSigner(salt=_HELD_SALT).unsign_object(held.reference, max_age=HELD_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        raise HeldUploadGone(held.original_name) from None
    path = held_root() / held.stored_name
    if held.submission_key != submission_key:
        raise HeldUploadGone(held.original_name)
    try:
        if path.stat().st_mtime < time.time() - HELD_SECONDS:
            raise HeldUploadGone(held.original_name)
        context = _held_context(held.stored_name, submission_key)
        content = crypto.decrypt_bytes(path.read_bytes(), context=context)
        return check_upload(SimpleUploadedFile(held.original_name, content))
    except (OSError, crypto.DecryptionError, UploadRefused):
        raise HeldUploadGone(held.original_name) from None


def release_held(held: HeldUpload) -> None:
    """The request was made with the file: it goes at the first public post after a short while."""
    path = held_root() / held.stored_name
    expires_soon = time.time() - HELD_SECONDS + HELD_AFTER_USE_SECONDS
    with contextlib.suppress(OSError):
        os.utime(path, (expires_soon, expires_soon))


def discard_held(held: HeldUpload) -> None:
    (held_root() / held.stored_name).unlink(missing_ok=True)


def discard_expired_held() -> int:
    """Remove the kept files older than HELD_SECONDS; how many went. One directory listing, of at
    most HELD_MAXIMUM_FILES entries."""
    root = held_root()
    if not root.is_dir():
        return 0
    oldest = time.time() - HELD_SECONDS
    removed = 0
    for path in root.iterdir():
        with contextlib.suppress(OSError):  # another process's sweep took it first
            if path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
    return removed
