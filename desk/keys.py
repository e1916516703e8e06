"""Production refuses weak or published keys (issue 15, hole 11).

A key is refused when it is one of the development defaults published in this repository
(desk/settings.py), when it is shorter than 32 bytes (after base64 decoding, for the data and index
keys; as UTF-8, for the text keys), or when it is obviously not random: few distinct bytes, or one
short run repeated ("aaaa…", "abcabc…"). This cannot prove a key random; it stops the keys an
operator types by hand or copies from the documentation, and the message names the variable.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

MINIMUM_BYTES = 32
# 32 random bytes hold about 30 distinct values, a 32-character random base64 or hex text 25 or
# 14; fewer than this many distinct bytes is a pattern, not a key.
MINIMUM_DISTINCT_BYTES = 10


def weakness(key: bytes) -> str | None:
    """Why this key is too weak for production, or None."""
    if len(key) < MINIMUM_BYTES:
        return f"is {len(key)} bytes long; at least {MINIMUM_BYTES} random bytes are needed"
    if len(set(key)) < MINIMUM_DISTINCT_BYTES:
        return "is not random (too few different characters)"
    if _period(key) <= len(key) // 2:
        return "is not random (a short sequence repeated)"
    return None


def _period(key: bytes) -> int:
    """The length of the shortest run whose repetition makes the key."""
    for length in range(1, len(key) // 2 + 1):
        if all(key[index] == key[index % length] for index in range(len(key))):
            return length
    return len(key)


def refuse_weak_key(name: str, key: bytes, *, development_values: frozenset[bytes]) -> None:
    """Stop start-up if `key` (the value of the variable `name`) is published or weak."""
    if key in development_values:
        raise ImproperlyConfigured(
            f"{name} is a development key published in the repository; set a random key of your own")
    reason = weakness(key)
    if reason is not None:
        raise ImproperlyConfigured(f"{name} {reason}")
