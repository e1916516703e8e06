"""The manager's side: the dashboard, its CSV tables, the monthly report, the ticket list as CSV,
and each ticket's compliance record. Thin views over tickets.selectors.metrics and .record."""

from __future__ import annotations

import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from desk.access import View, staff_required
from tickets import reports, selectors, services, staff_forms
from tickets.models import AccessLog
from tickets.selectors.metrics import (
    Dashboard,
    MetricsFilter,
    Period,
    dashboard_figures,
    dashboard_queues,
)
from tickets.selectors.record import ticket_record
from tickets.services.access import queue_filter_detail, search_digest
from tickets.services.queues import reason_shown

# The charts the dashboard draws, each from the table of the same name: (table, series).
CHARTS = (("status", 1), ("ageing", 1), ("levels", 1), ("weekly", 2), ("satisfaction", 1))


def manager_required(view: View) -> View:
    """Managers of a queue and administrators; for anyone else the page does not exist."""

    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not dashboard_queues(request.user).exists():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _presets(today: datetime.date) -> list[tuple[str, Period]]:
    month_start = today.replace(day=1)
    last_month_end = month_start - datetime.timedelta(days=1)
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return [
        (_("Last 7 days"), Period(today - datetime.timedelta(days=6), today)),
        (_("Last 30 days"), Period(today - datetime.timedelta(days=29), today)),
        (_("This month"), Period(month_start, today)),
        (_("Last month"), Period(last_month_end.replace(day=1), last_month_end)),
        (_("This quarter"), Period(quarter_start, today)),
        (_("This year"), Period(today.replace(month=1, day=1), today)),
    ]


def _query(period: Period, wanted: MetricsFilter) -> str:
    fields = {"start": period.start.isoformat(), "end": period.end.isoformat(),
              "queue": wanted.queue_id or "", "kind": wanted.kind, "regime": wanted.regime}
    return urlencode({key: value for key, value in fields.items() if value})


@never_cache
@require_GET
@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = staff_forms.dashboard_form(request.GET, user=request.user, today=today)
    if not form.is_valid():
        return render(request, "staff/dashboard.html", {"form": form}, status=400)
    wanted = form.to_filter()
    figures = dashboard_figures(request.user, wanted, today=today)
    tables = reports.dashboard_tables(figures)
    context = {
        "form": form, "figures": figures, "now": figures.now, "period": figures.over_period,
        "tables": tables, "charts": {name: reports.chart(tables[name], series=series)
                                     for name, series in CHARTS},
        "query": _query(wanted.period, wanted),
        "presets": [(label, preset, _query(preset, wanted), preset == wanted.period)
                    for label, preset in _presets(today)],
        "rates": reports.period_rates(figures),
    }
    return render(request, "staff/dashboard.html", context)


def _csv(filename: str, columns: Any, rows: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(reports.csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
@manager_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponseBase:
    if table not in reports.TABLES:
        raise Http404
    today = timezone.localdate()
    form = staff_forms.dashboard_form(request.GET, user=request.user, today=today)
    if not form.is_valid():
        return render(request, "staff/dashboard.html", {"form": form}, status=400)
    wanted = form.to_filter()
    chosen = reports.dashboard_tables(dashboard_figures(request.user, wanted, today=today))[table]
    # The validated filters, not the query string: a client can add anything to that (issue 15, hole 4).
    services.access_record(user=request.user, action=AccessLog.Action.EXPORT,
                           detail=f"dashboard {table}: {_query(wanted.period, wanted)}")
    name = f"dashboard-{table}-{wanted.period.start:%Y%m%d}-{wanted.period.end:%Y%m%d}.csv"
    return _csv(name, chosen.columns, chosen.rows)


@never_cache
@require_GET
@manager_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The SLA report of one month, made to be printed or saved as PDF from the browser."""
    today = timezone.localdate()
    queues = dashboard_queues(request.user)
    form = staff_forms.MonthlyReportForm(request.GET or None, queues=queues)
    if form.is_bound and not form.is_valid():
        return render(request, "staff/monthly_report.html", {"form": form}, status=400)
    period = form.period(today)
    queue = form.cleaned_data.get("queue") if form.is_bound else None
    figures: Dashboard = dashboard_figures(
        request.user, MetricsFilter(period=period, queue_id=queue.pk if queue else None), today=today)
    tables = reports.dashboard_tables(figures)
    return render(request, "staff/monthly_report.html", {
        "form": form, "figures": figures, "period": figures.over_period, "tables": tables,
        "month": period.start, "queue": queue, "generated_at": timezone.now(),
        "rates": reports.period_rates(figures),
    })


QUEUE_COLUMNS = ("reference", "kind", "regime", "status", "queue__name", "assignee__username", "priority",
                 "escalation_level", "received_at", "due_date", "first_response_at", "resolved_at",
                 "outcome")


@never_cache
@require_GET
@staff_required
def queue_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as filtered, as CSV: what the list shows, without the requesters' contact details."""
    form = staff_forms.QueueFilterForm(request.GET or None, queues=selectors.queues_of(request.user))
    wanted = form.to_filter()
    tickets = selectors.ticket_queue(request.user, wanted, today=timezone.localdate())
    columns = (_("Reference"), _("Kind"), _("Regime"), _("Status"), _("Queue"), _("Assignee"), _("Priority"),
               _("Escalation level"), _("Received"), _("Due"), _("First response"), _("Resolved"),
               _("Outcome"))
    rows = tickets.values_list(*QUEUE_COLUMNS).iterator(chunk_size=2_000)
    # A search for an email address is logged as its keyed hash, never as typed (issue 15, hole 4).
    services.access_record(user=request.user, action=AccessLog.Action.EXPORT,
                           detail=f"ticket list: {queue_filter_detail(wanted)}",
                           search_digest=search_digest(wanted))
    return _csv(f"tickets-{timezone.localdate():%Y%m%d}.csv", columns, rows)


@never_cache
@require_GET
@staff_required
def compliance_record(request: HttpRequest, reference: str) -> HttpResponse:
    record = ticket_record(request.user, reference)
    services.access_record(user=request.user, action=AccessLog.Action.RECORD, ticket=record.ticket)
    return render(request, "staff/record.html", {
        "record": record, "ticket": record.ticket, "generated_at": timezone.now(),
    })


@never_cache
@require_GET
@manager_required
def queue_members(request: HttpRequest) -> HttpResponse:
    """Who works and who oversees each queue the user manages, and every change to that: who
    made it, when and why (issue 15: nobody joins a queue unseen by its managers)."""
    queues = [(queue, [(change, reason_shown(change)) for change in queue.latest_changes])  # type: ignore[attr-defined]
              for queue in selectors.queue_memberships(dashboard_queues(request.user))]
    return render(request, "staff/queues.html", {"queues": queues})
