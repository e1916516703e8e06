from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from desk import database_down
from notifications import views as notification_views

# Errors the desk answers itself: JSON under /api/, and a lost database as a 503 with Retry-After
# (desk/database_down.py).
handler400 = database_down.bad_request
handler403 = database_down.permission_denied
handler404 = database_down.not_found
handler500 = database_down.server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tickets.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI in a page of the desk's own (templates/api/docs.html): with its language and a main landmark.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.html"),
         name="api_docs"),
    path("staff/notifications/", notification_views.notification_list, name="notification_list"),
    path("staff/notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("staff/", include("desk.staff_urls")),
    path("", include("tickets.urls")),
]
