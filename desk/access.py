"""Who counts as signed-in staff: active, staff, and (unless switched off for a first try) past the
second factor. Pages and the API ask the same question here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

View = Callable[..., HttpResponseBase]


def is_staff_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def passed_second_factor(user: Any) -> bool:
    if not settings.DESK_REQUIRE_SECOND_FACTOR:
        return True
    is_verified = getattr(user, "is_verified", None)  # installed by django_otp's middleware
    return bool(is_verified and is_verified())


def second_factor_url(next_path: str) -> str:
    return f"{reverse('desk:second_factor')}?{urlencode({'next': next_path})}"


def staff_required(view: View) -> View:
    """Signed-in, active staff past the second factor. Anyone else signed in sees a 404 (nothing
    here exists for them); staff who gave only their password are sent to the second step."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(user):
            raise Http404
        if not passed_second_factor(user):
            return HttpResponseRedirect(second_factor_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped
