"""The peer's URLs: its admin and the helpdesk at the root, as its docs install it (unused by the bench,
which drives the escalation command only, but a project that migrates needs them to check)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
