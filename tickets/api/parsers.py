"""JSON that Python's parser cannot take apart is malformed input, not a server error.

`json.loads` recurses once per nesting level, so a body of 100,000 `[` raises RecursionError,
which DRF's JSONParser does not catch: an anonymous POST to /api/v1/intake/ got an HTTP 500
(research F5, tests/security/test_bodies.py). Here it is a ParseError, a 400 with a message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
