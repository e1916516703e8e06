"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from desk.navigation import staff_navigation


def desk(request: HttpRequest) -> dict[str, object]:
    # Lazy: read only on the pages that show it (the staff navigation).
    return {"organisation_name": settings.DESK_ORGANISATION_NAME,
            "navigation": SimpleLazyObject(lambda: staff_navigation(request.user))}
