"""The admin site behind the staff sign-in and its second factor (desk/admin.py registers on it).

Its own module, without registrations: Django imports this while it builds `admin.site`, and a
`@admin.register` run during that import would go to an instance that is then thrown away.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from desk.access import passed_second_factor


class DeskAdminSite(admin.AdminSite):
    site_header = "Privacy Desk"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_second_factor(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One way in for everyone: the staff sign-in, then the second factor.
        next_path = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('tickets:staff_login')}?{urlencode({'next': next_path})}")
