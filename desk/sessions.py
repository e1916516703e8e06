"""Staff sessions end after a while without activity, and after a fixed time in any case (ASVS 7.3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

SIGNED_IN_AT = "desk_signed_in_at"
SEEN_AT = "desk_seen_at"
# The idle clock is written at most this often, so that most requests do not write the session.
SEEN_RESOLUTION_SECONDS = 60


def stamp_sign_in(session: Any, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # Only signed-in sessions have limits here; a requester's status session keeps its own.
        if "_auth_user_id" in session:
            now = time.time()
            signed_in_at = session.get(SIGNED_IN_AT)
            seen_at = session.get(SEEN_AT)
            if signed_in_at is None or seen_at is None:
                stamp_sign_in(session, now)
            elif now - signed_in_at > settings.DESK_SESSION_MAX_SECONDS:
                return self._end(request, _("You were signed out because your session reached its "
                                            "time limit. Please sign in again."))
            elif now - seen_at > settings.DESK_SESSION_IDLE_SECONDS:
                return self._end(request, _("You were signed out after a while without activity. "
                                            "Please sign in again."))
            elif now - seen_at > SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)

    def _end(self, request: HttpRequest, message: str) -> HttpResponse:
        path = request.get_full_path()
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "not_authenticated", "message": message}, status=401)
        messages.info(request, message)
        return redirect_to_login(path, settings.LOGIN_URL)
