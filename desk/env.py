"""Strict parsing of the environment: an unknown or malformed value is an error, never a silent default."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Env:
    """Reads typed values from a mapping (os.environ by default) and names the variable on error."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        value = self.source.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str:
        value = self._raw(name)
        if value is None:
            if required or default is None:
                raise ImproperlyConfigured(f"{name} must be set")
            return default
        return value

    def optional_text(self, name: str) -> str | None:
        return self._raw(name)

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")

    def number(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
        if number < minimum or (maximum is not None and number > maximum):
            raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {number}")
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
        return value

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def numbers_by_key(self, name: str, allowed: frozenset[str]) -> dict[str, int]:
        """`key=number,key=number` with every key from `allowed` and every number at least 1."""
        result = {}
        for item in self.items(name):
            key, _, value = item.partition("=")
            key = key.strip()
            if key not in allowed or not value.strip().isdigit() or int(value) < 1:
                raise ImproperlyConfigured(f"{name}: {item!r} is not <kind or regime>=<days>")
            result[key] = int(value)
        return result

    def dates(self, name: str) -> list[datetime.date]:
        """Comma-separated ISO dates (2026-12-31); anything else is an error."""
        result = []
        for item in self.items(name):
            try:
                result.append(datetime.date.fromisoformat(item))
            except ValueError:
                raise ImproperlyConfigured(f"{name}: {item!r} is not an ISO date") from None
        return result
