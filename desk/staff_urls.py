from __future__ import annotations

from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    path("login/verify/", views.second_factor_page, name="second_factor"),
    path("login/enrol/", views.enrol_page, name="enrol"),
    # One-time enrolment links (desk/enrolment.py): opened once, then the password, then the app.
    path("enrol/", views.enrolment_page, name="enrolment"),
    path("enrol/<str:secret>/", views.enrolment_link_open, name="enrolment_link_open"),
    path("account/", views.account_page, name="account"),
    path("account/recovery-codes/", views.recovery_codes_new, name="recovery_codes"),
    path("account/tokens/", views.api_token_new, name="api_token_new"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
