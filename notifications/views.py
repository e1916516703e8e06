"""The staff's in-app notifications: grouped per event and day, marked read one, a group or all."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from desk.access import staff_required
from notifications import selectors, services
from notifications.forms import MarkReadForm


@never_cache
@require_GET
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "staff/notifications.html", {
        "groups": selectors.notification_groups(request.user), "days": selectors.NOTIFICATION_DAYS,
        "today": today, "yesterday": today - datetime.timedelta(days=1)})


@require_POST
@staff_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("notification_list")
    services.notifications_mark_read(user=request.user, notification_id=form.cleaned_data["notification"],
                                     event=form.cleaned_data["event"], day=form.cleaned_data["day"])
    return redirect("notification_list")
