"""Encryption at rest of the requester's personal data, and the keyed hash that finds it again.

AES-256-GCM from `cryptography` (research/reliability-security.md §3.1, option (b)). Keys come from
the environment, never from SECRET_KEY or the database:

- `DESK_DATA_KEYS="k2:<base64 of 32 bytes>,k1:<…>"`: the first is the head key, used for every new
  write; the others only decrypt, until `manage.py rotate_keys` has moved everything to the head.
- `DESK_EMAIL_INDEX_KEY`: the HMAC key of the blind index (`email_digest`), a key of its own so
  that the encryption keys can rotate without recomputing every digest.

A stored text value is `<version>:<key id>:<base64 of nonce + ciphertext>`. The associated data
says what the value is, so that a ciphertext moved elsewhere does not authenticate:

- `v2` (every new write of a model field): the column and the row, "tickets.ticket.description"
  NUL "PD-2026-000017". A value copied into another ticket's row, another message, or the history
  of another ticket does not decrypt (issue 15). Which column identifies the row, and why it is
  known before the INSERT, is desk/fields.py's `ROW_IDENTITIES`.
- `v1` (written before issue 15, and by writers that know no row: `QuerySet.update()`, a model
  without a row identity, the audit's change reasons): the column only. Still read, while its key
  is configured; `rotate_keys` rewrites the v1 values of row-bound columns as v2, and
  `verify_encryption` counts those left. Once the head key is new and the old one dropped, an old
  v1 value put back from a backup is under a key that is gone, and is refused like any other.

A stored file is `v1:<key id>:` in bytes followed by the raw nonce and ciphertext, its associated
data "tickets.attachment.file:<stored name>": the stored name is the attachment's row identity, so
files were bound to their row from the start.

Decryption fails closed: a value not in that form, under an unknown key, or failing
authentication (changed, or moved from another column or row) raises `DecryptionError`; nothing
ever returns the stored bytes as if they were the plaintext (the fernet-fields
`except InvalidToken: pass` of §3.1 is what this avoids).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "v1"  # bound to its column only (and the version of every stored file)
ROW_BOUND = "v2"  # bound to its column and its row
VERSIONS = (VERSION, ROW_BOUND)
NONCE_BYTES = 12  # GCM's standard nonce; random per value, so 2**32 writes per key stay far from a collision
KEY_BYTES = 32  # AES-256
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
_FILE_VERSION = VERSION.encode()


class KeyConfigurationError(ValueError):
    """A key in the environment is malformed: start-up stops (desk/settings.py)."""


class DecryptionError(Exception):
    """A stored value is not ours, not under a configured key, or has been changed."""


def parse_data_keys(text: str) -> dict[str, bytes]:
    """`"k2:<base64>,k1:<base64>"` → {"k2": key, "k1": key}, head first (dicts keep their order)."""
    keys: dict[str, bytes] = {}
    for item in text.split(","):
        key_id, separator, encoded = item.strip().partition(":")
        if not separator or not _KEY_ID.fullmatch(key_id):
            raise KeyConfigurationError(
                "each key must be '<id>:<base64 of 32 bytes>', the id of letters, digits, _ or -")
        if key_id in keys:
            raise KeyConfigurationError(f"the key id {key_id!r} is given twice")
        keys[key_id] = _decode_key(encoded, f"the key {key_id!r}")
    if not keys:
        raise KeyConfigurationError("at least one key is needed")
    return keys


def parse_index_key(text: str) -> bytes:
    return _decode_key(text.strip(), "the email index key")


def _decode_key(encoded: str, what: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyConfigurationError(f"{what} is not valid base64") from error
    if len(key) != KEY_BYTES:
        raise KeyConfigurationError(f"{what} must be {KEY_BYTES} bytes, not {len(key)}")
    return key


def _keys() -> dict[str, bytes]:
    keys: dict[str, bytes] = settings.DESK_DATA_KEYS
    return keys


def head_key_id() -> str:
    return next(iter(_keys()))


def _key(key_id: str) -> bytes:
    try:
        return _keys()[key_id]
    except KeyError:
        raise DecryptionError(f"the value is under the key {key_id!r}, which is not configured") from None


@functools.lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def associated_data(context: str, row: str | None) -> bytes:
    """What a value authenticates as: its column, and its row for a v2 value. NUL cannot occur
    in a context or in a PostgreSQL text, so no column and row pair reads as another."""
    return context.encode() if row is None else context.encode() + b"\x00" + row.encode()


def _seal(plaintext: bytes, associated: bytes) -> tuple[str, bytes]:
    key_id = head_key_id()
    nonce = os.urandom(NONCE_BYTES)
    return key_id, nonce + _cipher(_key(key_id)).encrypt(nonce, plaintext, associated)


def _open(key_id: str, sealed: bytes, context: str, row: str | None = None) -> bytes:
    key = _key(key_id)
    if len(sealed) < NONCE_BYTES + 16:  # the nonce and GCM's 16-byte tag at the least
        raise DecryptionError("the value is too short to be a ciphertext")
    try:
        return _cipher(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data(context, row))
    except InvalidTag:
        where = context if row is None else f"{context} of the row {row}"
        raise DecryptionError(f"the value does not authenticate as {where}") from None


def encrypt(plaintext: str, *, context: str, row: str | None = None) -> str:
    """A v2 value bound to `row` (the row's identity, desk/fields.py) when it is given; without
    it a v1 value bound to the column only, for values that belong to no row (second factors)."""
    key_id, sealed = _seal(plaintext.encode(), associated_data(context, row))
    return f"{VERSION if row is None else ROW_BOUND}:{key_id}:{base64.b64encode(sealed).decode()}"


def encrypt_many(plaintexts: Sequence[str], *, context: str, rows: Sequence[str] | None = None) -> list[str]:
    """`encrypt` of each value, a nonce of its own each, for a batch (the escalation sweep writes
    tens of thousands): the key, the cipher and the associated data's column part are looked up
    once, and the nonces drawn in one call, which is most of the cost of a short value. With
    `rows`, the i-th value is bound to the i-th row (v2)."""
    if not plaintexts:
        return []
    if rows is not None and len(rows) != len(plaintexts):
        raise ValueError(f"{len(plaintexts)} values and {len(rows)} rows")
    key_id = head_key_id()
    cipher = _cipher(_key(key_id))
    column = context.encode()
    bound = column + b"\x00"
    prefix = f"{VERSION if rows is None else ROW_BOUND}:{key_id}:"
    nonces = os.urandom(NONCE_BYTES * len(plaintexts))
    sealed = []
    for position, plaintext in enumerate(plaintexts):
        nonce = nonces[position * NONCE_BYTES:(position + 1) * NONCE_BYTES]
        associated = column if rows is None else bound + rows[position].encode()
        sealed.append(prefix + base64.b64encode(nonce + cipher.encrypt(nonce, plaintext.encode(), associated))
                      .decode())
    return sealed


def decrypt(value: str, *, context: str, row: str | None = None) -> str:
    """The plaintext of a stored value read from the row `row`. A v1 value is bound to its column
    alone and reads in any row; a v2 value reads only in its own row, and never without one."""
    version, key_id, encoded = _split(value)
    if version == ROW_BOUND and row is None:
        raise DecryptionError(f"the value is bound to a row of {context}, and no row was given")
    try:
        sealed = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("the value is not in the form v2:<key id>:<base64>") from None
    try:
        return _open(key_id, sealed, context, row if version == ROW_BOUND else None).decode()
    except UnicodeDecodeError:  # authenticated, yet not text: not a value of a text field
        raise DecryptionError(f"the value under {context} is not text") from None


def _split(value: str) -> tuple[str, str, str]:
    parts = value.split(":", 2) if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] not in VERSIONS or not _KEY_ID.fullmatch(parts[1]):
        raise DecryptionError("the value is not in the form v2:<key id>:<base64>")
    return parts[0], parts[1], parts[2]


def key_id_of(value: str) -> str:
    """The id of the key a stored value is under (without decrypting); DecryptionError if none."""
    return _split(value)[1]


def version_of(value: str) -> str:
    """"v2" for a value bound to its row, "v1" for one bound to its column only."""
    return _split(value)[0]


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    key_id, sealed = _seal(data, associated_data(context, None))
    return _FILE_VERSION + b":" + key_id.encode() + b":" + sealed


def decrypt_bytes(stored: bytes, *, context: str) -> bytes:
    return _open(bytes_key_id(stored), stored.split(b":", 2)[2], context)


def bytes_key_id(stored: bytes) -> str:
    parts = stored[:40].split(b":", 2)
    key_id = parts[1].decode("ascii", "replace") if len(parts) == 3 else ""
    if parts[0] != _FILE_VERSION or not _KEY_ID.fullmatch(key_id):
        raise DecryptionError("the file is not in the form v1:<key id>:<ciphertext>")
    return key_id


def file_digest(content: bytes) -> str:
    """What the attachment's `sha256` column holds: an HMAC (under the index key) of the file's
    SHA-256, not the plain hash, which would let a reader of the database confirm a guessed file.
    Keyed over the plain hash so that existing rows convert without reading their files."""
    return keyed_sha256(hashlib.sha256(content).hexdigest())


def keyed_sha256(plain_sha256_hex: str) -> str:
    return index_digest("attachment", plain_sha256_hex)


def index_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 under DESK_EMAIL_INDEX_KEY of "<purpose>:<value>", in hex: a keyed hash that
    finds a value again without keeping it, the purpose keeping one kind's hashes from matching
    another's (an attachment's, a browser's)."""
    key: bytes = settings.DESK_EMAIL_INDEX_KEY
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().casefold()


def email_digest(email: str) -> str:
    """The blind index of an email address: HMAC-SHA256 under DESK_EMAIL_INDEX_KEY of the address
    normalised (NFKC, stripped, casefolded), in hex. The same address typed in any case finds
    the same tickets; without the key, a list of guessed addresses cannot be matched against it."""
    key: bytes = settings.DESK_EMAIL_INDEX_KEY
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()
