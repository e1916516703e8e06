"""Audit anchors: every ticket's chain heads and the count of tickets, signed, dated, written
outside the database (tickets/audit.py makes and checks them; this module is the file).

The file is JSON lines, so that it is written and read streaming whatever the desk's size:

    {"format": "privacy-desk-audit-anchor", "version": 1, "made_at": "…Z", "tickets": N}
    {"id": 12, "reference": "PD-2026-000012", "chains": {"ticket": [5, "<hash>"], "message": [2, "<hash>"]}}
    …                                   (one line per ticket with history, by ticket id)
    {"summary": {"anchored": M, "tickets": N}}
    {"signature": "<HMAC-SHA256 of every byte above, keyed with DESK_AUDIT_ANCHOR_KEY>"}

`[5, "<hash>"]` is the chain's length and its last entry's hash: since each link covers the one
before, the entry at position 5 still carrying that hash proves the first five unchanged.

Its name is `audit-anchor-<UTC time to the microsecond>Z.jsonl`; the newest name is the latest
anchor. It is written to a hidden temporary file in the same directory, flushed to disk, then
renamed (atomic on one file system), so a reader sees a whole anchor or none.

The key is DESK_AUDIT_ANCHOR_KEY, not the chain's DESK_AUDIT_KEY: every process that writes
history must hold the chain key, and whoever has it can re-seal a rewritten chain; with the same
key they could re-sign the anchor to match. With a key of its own, rewriting the history and its
anchors takes two secrets, the anchor key can live only where anchors are made and checked (and
with the DPO), and either key can be replaced without touching the other's evidence. The copy
emailed to the DPO (DESK_AUDIT_ANCHOR_EMAIL) is beyond the desk's reach altogether:
`verify_audit --anchor FILE` checks the desk against it.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import hmac
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

FORMAT = "privacy-desk-audit-anchor"
VERSION = 1
_NAME = re.compile(r"^audit-anchor-(\d{8}T\d{12})Z\.jsonl$")
_TIME = "%Y%m%dT%H%M%S%f"
# An anchor is attached to its email when it compresses to this or less (about 50,000 tickets);
# a bigger one stays in the directory and the email carries its SHA-256.
ATTACH_MAX_BYTES = 5 * 1024 * 1024


class AnchorError(Exception):
    """An anchor that cannot be trusted: unsigned, signed with another key, cut, or renamed."""


@dataclass(frozen=True)
class Pinned:
    """One ticket as an anchor saw it: per chain, its length and its last entry's hash."""

    reference: str
    chains: dict[str, tuple[int, str]]


def _key() -> bytes:
    return str(settings.DESK_AUDIT_ANCHOR_KEY).encode()


def _line(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def file_name(made_at: datetime.datetime) -> str:
    return f"audit-anchor-{made_at.astimezone(datetime.UTC).strftime(_TIME)}Z.jsonl"


def latest(directory: Path) -> Path | None:
    """The newest anchor in the directory by its name's time (None if there is none)."""
    if not directory.is_dir():
        return None
    names = sorted(entry.name for entry in os.scandir(directory) if _NAME.match(entry.name))
    return directory / names[-1] if names else None


class AnchorWriter:
    """`with AnchorWriter(dir, made_at=…, tickets=N) as writer: writer.add(…); writer.finish()`;
    leaving the block without `finish()` leaves no file behind."""

    def __init__(self, directory: Path, *, made_at: datetime.datetime, tickets: int) -> None:
        self.directory, self.made_at, self.tickets = directory, made_at, tickets
        self.path = directory / file_name(made_at)
        self.partial = directory / f".{self.path.name}.partial"
        self.mac = hmac.new(_key(), digestmod=hashlib.sha256)
        self.anchored = 0
        self.file: IO[bytes] | None = None

    def __enter__(self) -> AnchorWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.file = self.partial.open("xb")
        self._put({"format": FORMAT, "version": VERSION, "tickets": self.tickets,
                   "made_at": self.made_at.astimezone(datetime.UTC).isoformat()})
        return self

    def _put(self, value: dict[str, Any]) -> None:
        assert self.file is not None  # noqa: S101 - only inside the with block
        line = _line(value)
        self.mac.update(line)
        self.file.write(line)

    def add(self, ticket_id: int, reference: str, chains: dict[str, tuple[int, str]]) -> None:
        self._put({"id": ticket_id, "reference": reference,
                   "chains": {name: [count, head] for name, (count, head) in chains.items()}})
        self.anchored += 1

    def finish(self) -> Anchor:
        assert self.file is not None  # noqa: S101 - only inside the with block
        self._put({"summary": {"anchored": self.anchored, "tickets": self.tickets}})
        self.file.write(_line({"signature": self.mac.hexdigest()}))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.file = None
        os.replace(self.partial, self.path)
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)  # the rename itself survives a crash
        finally:
            os.close(descriptor)
        return Anchor.open(self.path)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.file is not None:
            self.file.close()
            self.partial.unlink(missing_ok=True)


def _lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.name.endswith(".gz") else open  # the DPO's emailed copy is gzipped
    with opener(path, "rb") as file:
        yield from file


def _signed_lines(path: Path, *, refused: str, digest: Any = None) -> Iterator[bytes]:
    """Each line the signature covers, in order (every line but the last, which holds the
    signature); once they are all read, the signature is checked and `refused` raised as an
    AnchorError if it does not match. `digest`, a hashlib object, takes every line as written."""
    mac = hmac.new(_key(), digestmod=hashlib.sha256)
    previous: bytes | None = None
    for line in _lines(path):
        if digest is not None:
            digest.update(line)
        if previous is not None:
            mac.update(previous)
            yield previous
        previous = line
    signature = json.loads(previous or b"{}").get("signature", "")
    if not hmac.compare_digest(mac.hexdigest(), str(signature)):
        raise AnchorError(refused)


@dataclass(frozen=True)
class Anchor:
    path: Path
    made_at: datetime.datetime
    tickets: int  # tickets in the database when it was made
    anchored: int  # tickets with a line of their own
    sha256: str  # of the file as written, for the email and the DPO's records

    @classmethod
    def open(cls, path: Path) -> Anchor:
        """Read the whole file once, streaming: a signature that does not match refuses it."""
        digest = hashlib.sha256()
        header: dict[str, Any] | None = None
        summary: dict[str, Any] | None = None
        refused = (f"{path.name} is not signed with DESK_AUDIT_ANCHOR_KEY: it was changed, cut, or made "
                   "with another key")
        try:
            for line in _signed_lines(path, refused=refused, digest=digest):
                if header is None:
                    header = json.loads(line)
                elif line.startswith(b'{"summary":'):
                    summary = json.loads(line)["summary"]
        except (OSError, ValueError, AttributeError) as error:
            raise AnchorError(f"{path.name} is not an anchor: {error}") from None
        if not header or header.get("format") != FORMAT or header.get("version") != VERSION or not summary:
            raise AnchorError(f"{path.name} is not an anchor of this format")
        made_at = datetime.datetime.fromisoformat(header["made_at"])
        named = _NAME.match(path.name)
        if named and named.group(1) != made_at.astimezone(datetime.UTC).strftime(_TIME):
            raise AnchorError(f"{path.name} was made at {header['made_at']}: its name was changed")
        return cls(path, made_at, int(header["tickets"]), int(summary["anchored"]), digest.hexdigest())

    def records(self, wanted: list[int] | None = None) -> Iterator[tuple[int, Pinned]]:
        """Each anchored ticket (or each of `wanted`), by ticket id. The signature is checked again
        at the end: a file swapped since `open` raises AnchorError."""
        chosen = None if wanted is None else set(wanted)
        for line in _signed_lines(self.path, refused=f"{self.path.name} changed while it was read"):
            if line.startswith(b'{"chains":'):
                record = json.loads(line)
                if chosen is None or record["id"] in chosen:
                    chains = {name: (int(count), str(head))
                              for name, (count, head) in record["chains"].items()}
                    yield record["id"], Pinned(record["reference"], chains)


def anchor_email(anchor: Anchor) -> bool:
    """Send the anchor to DESK_AUDIT_ANCHOR_EMAIL (the DPO), attached when small enough; the body
    carries its SHA-256 either way. Returns whether an email was sent (False: none configured)."""
    recipient = settings.DESK_AUDIT_ANCHOR_EMAIL
    if not recipient:
        return False
    compressed = _compressed(anchor.path)
    with translation.override(settings.DESK_STAFF_LANGUAGE):
        made = formats.date_format(timezone.localtime(anchor.made_at), "DATETIME_FORMAT")
        subject = _("Audit anchor of %(date)s") % {"date": made}
        body = [_("The head of every ticket's history chain at %(date)s (%(count)s tickets), signed "
                  "with the desk's anchor key. Keep it outside the desk: python manage.py verify_audit "
                  "--anchor FILE checks the desk against it.") % {"date": made, "count": anchor.tickets},
                _("SHA-256 of the anchor: %(digest)s") % {"digest": anchor.sha256}]
        if compressed is None:
            body.append(_("The anchor is too large to attach; it is %(name)s in the anchor directory. "
                          "Keep this email: the SHA-256 above shows that the file is the one made then.")
                        % {"name": anchor.path.name})
    message = EmailMessage(subject, "\n\n".join(body) + "\n", settings.DEFAULT_FROM_EMAIL, [recipient])
    if compressed is not None:
        message.attach(f"{anchor.path.name}.gz", compressed, "application/gzip")
    message.send()
    return True


def _compressed(path: Path) -> bytes | None:
    """The file gzipped, or None once it grows past ATTACH_MAX_BYTES (read in pieces, never whole)."""
    buffer = io.BytesIO()
    with path.open("rb") as source, gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as target:
        while piece := source.read(1 << 20):
            target.write(piece)
            if buffer.tell() > ATTACH_MAX_BYTES:
                return None
    return buffer.getvalue() if buffer.tell() <= ATTACH_MAX_BYTES else None
