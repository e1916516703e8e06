"""What the desk answers when a request fails on the server (issue 15, hole 18).

A lost database (a restart, a failover, a full connection table) is not a bug: it is a 503 with
`Retry-After`, so that API clients and proxies wait and try again. Every other unexpected error is
a 500. Under /api/ both are JSON with a code and a message, like every other API error
(tickets/api/errors.py); DRF hands the errors it does not know to Django, which calls
`server_error` here (`handler500` in desk/urls.py) from inside its `except` block, so the error is
`sys.exc_info()`. Django's own 400, 403 and 404 under /api/ (a body too large to read, an address
no view answers) are JSON too (`bad_request`, `permission_denied`, `not_found`).

The pages' 503 is templates/503.html rendered without a request: no context processor, so
nothing in it asks the database for the signed-in user, the session or the navigation. Its
language is read from the request's language cookie and Accept-Language header only (the session
may live in the database that is gone).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

# Seconds a client is asked to wait: long enough for PostgreSQL to restart or fail over.
RETRY_AFTER_SECONDS = 60
API_PREFIX = "/api/"


def database_lost(error: BaseException | None) -> bool:
    """The error, or one it was raised from or during, is the database not answering."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(status: int, code: str, message: str, **extra: object) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message, **extra}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)  # an error about one caller is not for a shared cache
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The service is unavailable for a moment. Try again in a minute.")
    if _is_api(request):
        response: HttpResponse = _json(503, "unavailable", message, retry_after=RETRY_AFTER_SECONDS)
    else:
        page = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
        add_never_cache_headers(response)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: a 503 while the database is lost, else a 500 (JSON under /api/)."""
    error = sys.exc_info()[1]
    with translation.override(translation.get_language_from_request(request)):
        if database_lost(error):
            return _unavailable(request)
        if _is_api(request):
            return _json(500, "server_error", _("There is a problem with the service. Try again later."))
    return defaults.server_error(request)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler404: JSON under /api/ (an address no view answers), else the desk's page."""
    if _is_api(request):
        with translation.override(translation.get_language_from_request(request)):
            return _json(404, "not_found", _("There is nothing at this address."))
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400 (a body too large or with too many fields, a host not allowed): JSON
    under /api/, else templates/400.html."""
    if _is_api(request):
        with translation.override(translation.get_language_from_request(request)):
            return _json(400, "bad_request", _("The request could not be read. Nothing was saved."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler403: JSON under /api/ (DRF answers its own refusals as JSON already)."""
    if _is_api(request):
        with translation.override(translation.get_language_from_request(request)):
            return _json(403, "permission_denied", _("You may not do that."))
    return defaults.permission_denied(request, exception)
