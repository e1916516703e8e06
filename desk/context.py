"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def desk(request: HttpRequest) -> dict[str, object]:
    return {"organisation_name": settings.DESK_ORGANISATION_NAME}
