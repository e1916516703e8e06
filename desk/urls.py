from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from desk import database_down, dev_mail
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
    # Swagger UI's stylesheet draws its icons (arrows, the lock, the copy button) as data: images;
    # this page alone lets images come from data: URIs (issue 16, item 20), script stays 'self'.
    path("api/docs/", csp_update({"img-src": ["data:"]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.html")),
         name="api_docs"),
    path("staff/notifications/", notification_views.notification_list, name="notification_list"),
    path("staff/notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("staff/", include("desk.staff_urls")),
    path("", include("tickets.urls")),
]
if settings.DESK_DEV_MAIL and not settings.PRODUCTION:
    # The development profile's sent emails (desk/dev_mail.py); the production profile has no such page.
    urlpatterns.insert(0, path("dev/mail/", dev_mail.mail_list, name="dev_mail"))
