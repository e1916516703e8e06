from __future__ import annotations

from django.urls import path

from tickets.views import public

app_name = "tickets"

urlpatterns = [
    path("", public.request_form, name="request_form"),
    path("submitted/", public.submitted, name="submitted"),
    path("status/", public.status_page, name="status"),
    path("status/open/<str:token>/", public.status_open, name="status_open"),
]
