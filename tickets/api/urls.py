from __future__ import annotations

from django.urls import path

from tickets.api import views

urlpatterns = [
    path("tickets/", views.TicketList.as_view(), name="api_tickets"),
    path("tickets/<str:reference>/", views.TicketDetail.as_view(), name="api_ticket"),
    path("tickets/<str:reference>/messages/", views.TicketMessages.as_view(), name="api_messages"),
    path("intake/", views.Intake.as_view(), name="api_intake"),
    path("metrics/", views.Metrics.as_view(), name="api_metrics"),
    *[
        path(f"tickets/<str:reference>/{name}/", view.as_view(), name=f"api_{name}")
        for name, view in views.ACTIONS.items()
    ],
]
