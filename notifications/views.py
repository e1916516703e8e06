"""The staff's in-app notifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from desk.access import staff_required
from notifications import selectors, services


@never_cache
@require_GET
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/notifications.html",
                  {"notifications": selectors.notifications_for(request.user)})


@require_POST
@staff_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notification_list")
