"""One exception handler: every error is JSON with a code and a message; domain refusals are 409."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tickets.errors import Refusal


def api_exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, Refusal):
        return Response({"code": error.code, "message": error.message}, status=status.HTTP_409_CONFLICT)
    response = exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, ValidationError):
        response.data = {"code": "invalid", "message": _("The input is not valid."), "errors": response.data}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(getattr(error, "detail", None), "code", None) or getattr(
            error, "default_code", "error")
        response.data = {"code": str(code), "message": str(detail)}
    return response
