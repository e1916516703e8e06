from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path, re_path
from django.views.generic import RedirectView

from tickets.views import public, reports, staff

app_name = "tickets"

urlpatterns = [
    path("", public.request_form, name="request_form"),
    path("submitted/", public.submitted, name="submitted"),
    path("status/", public.status_page, name="status"),
    # The emailed link, /status/link/#SECRET: the page posts the secret (issue 15, hole 7).
    path("status/link/", public.status_link, name="status_link"),
    # Links of the old shape, in emails sent before: the same page, the secret filled in.
    # An empty token too ("/status/open//"): it gets the same 404 page as every other bad link.
    re_path(r"^status/open/(?P<token>[^/]*)/$", public.status_open, name="status_open"),
    path("status/lost/", public.status_lost, name="status_lost"),
    path("status/lost/sent/", public.status_lost_sent, name="status_lost_sent"),
    path("status/satisfaction/", public.satisfaction_answer, name="status_satisfaction"),
    # Withdrawing the request: GET asks, the button's POST withdraws (issue 16, item 12).
    path("status/withdraw/", public.status_withdraw, name="status_withdraw"),
    path("staff/", RedirectView.as_view(url="/staff/tickets/"), name="staff_home"),
    path("staff/login/", staff.StaffLoginView.as_view(), name="staff_login"),
    path("staff/logout/", LogoutView.as_view(next_page="/staff/login/"), name="staff_logout"),
    path("staff/tickets/", staff.queue_page, name="staff_queue"),
    path("staff/tickets/export.csv", reports.queue_csv, name="staff_queue_csv"),
    path("staff/dashboard/", reports.dashboard, name="staff_dashboard"),
    path("staff/dashboard/<slug:table>.csv", reports.dashboard_csv, name="staff_dashboard_csv"),
    path("staff/reports/monthly/", reports.monthly_report, name="staff_monthly_report"),
    path("staff/queues/", reports.queue_members, name="staff_queues"),
    path("staff/tickets/<str:reference>/", staff.ticket_page, name="staff_ticket"),
    path("staff/tickets/<str:reference>/files/<int:attachment_id>/", staff.attachment_download,
         name="staff_attachment"),
    path("staff/tickets/<str:reference>/record/", reports.compliance_record, name="staff_record"),
    path("staff/tickets/<str:reference>/<str:action>/", staff.ticket_action, name="staff_action"),
]
