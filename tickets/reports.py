"""The dashboard's figures as titled tables (one shape for the page, the CSV files and the
charts), the charts drawn from them, and CSV writing that spreadsheets cannot turn into formulas.

The figures come from tickets.selectors.metrics; nothing here queries the database.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import SATISFACTION_LABELS, STATUS_LABELS, Kind
from tickets.escalation_rules import level_label, rule_label
from tickets.selectors.metrics import AGEING, LEVELS, SCORES, Breakdown, Dashboard

AGEING_LABELS = {
    "overdue_15_plus": gettext_lazy("Overdue by 15 days or more"),
    "overdue_8_14": gettext_lazy("Overdue by 8–14 days"),
    "overdue_1_7": gettext_lazy("Overdue by 1–7 days"),
    "due_0_7": gettext_lazy("Due in 0–7 days"),
    "due_8_14": gettext_lazy("Due in 8–14 days"),
    "due_15_30": gettext_lazy("Due in 15–30 days"),
    "due_31_plus": gettext_lazy("Due in 31 days or more"),
}
# Every table of the dashboard, in page order; each is also a CSV file of the same name.
TABLES = ("status", "ageing", "levels", "weekly", "timeliness", "response_times", "escalations",
          "agents", "kinds", "queues", "satisfaction")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: str  # share of the widest bar, 0–100, as an SVG length (never localised: 33.33, not 33,33)
    text: str


@dataclass(frozen=True)
class Chart:
    """Horizontal bars, each row labelled and its number written beside it, so that nothing
    depends on colour; a second series is drawn as an outline. The table is its text version."""

    table: Table
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Bar, ...]], ...]
    summary: str


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


@dataclass(frozen=True)
class Percentages:
    """The period's rates (tickets.selectors.metrics.Answers) as percentages, one decimal."""

    on_time_rate: float | None
    on_time_extended_rate: float | None
    late_rate: float | None
    extension_rate: float | None
    refusal_rate: float | None


def period_rates(dashboard: Dashboard) -> Percentages:
    """The period's rates as percentages, for the key figures of the dashboard and the report."""
    period = dashboard.over_period
    return Percentages(
        on_time_rate=percent(period.on_time_rate),
        on_time_extended_rate=percent(period.on_time_extended_rate),
        late_rate=percent(period.late_rate),
        extension_rate=percent(period.extension_rate),
        refusal_rate=percent(period.refusal_rate),
    )


def _kind_label(value: str) -> str:
    return str(Kind(value).label) if value in Kind.values else value


def dashboard_tables(dashboard: Dashboard) -> dict[str, Table]:
    now, period = dashboard.now, dashboard.over_period
    timeliness = [
        (_("Answered"), period.resolved),
        (_("On time (by the first due date)"), period.on_time),
        (_("On time thanks to an extension"), period.on_time_extended),
        (_("Late"), period.late),
        (_("On-time rate (%)"), percent(period.on_time_rate)),
        (_("On time with an extension (%)"), percent(period.on_time_extended_rate)),
        (_("Late (%)"), percent(period.late_rate)),
        (_("Extended"), period.extended),
        (_("Extension rate (%)"), percent(period.extension_rate)),
        (_("Refused"), period.refused),
        (_("Refusal rate (%)"), percent(period.refusal_rate)),
    ]
    spread_columns = (_("Measure"), _("Tickets"), _("Median (working days)"),
                      _("90th percentile (working days)"))
    spreads = [(label, spread.count, spread.median, spread.p90)
               for label, spread in ((_("Time to first response"), period.first_response_days),
                                     (_("Time to resolution"), period.resolution_days))]
    breakdown_columns = (_("Received"), _("Answered"), _("On time"), _("On time thanks to an extension"),
                         _("Late"), _("Extended"), _("Refused"), _("On-time rate (%)"))
    tables = [
        Table("status", _("Open tickets by status"), (_("Status"), _("Tickets")),
              tuple((str(STATUS_LABELS[status]), total) for status, total in now.by_status.items())),
        Table("ageing", _("Open tickets by time left"), (_("Time left"), _("Tickets")),
              tuple((str(AGEING_LABELS[code]), now.ageing[code]) for code, _low, _high in AGEING)),
        Table("levels", _("Open tickets by escalation level"), (_("Level"), _("Tickets")),
              tuple((level_label(level), now.by_escalation_level[level]) for level in LEVELS)),
        Table("weekly", _("Received and answered per week"),
              (_("Week starting"), _("Received"), _("Answered")),
              tuple((week.week, week.received, week.resolved) for week in period.weekly)),
        Table("timeliness", _("Deadlines kept"), (_("Figure"), _("Value")), tuple(timeliness)),
        Table("response_times", _("Time to first response and to resolution"), spread_columns,
              tuple(spreads)),
        Table("escalations", _("Escalations in the period"), (_("Level"), _("Rule"), _("Escalations")),
              tuple((row.level, rule_label(row.rule), row.count) for row in period.escalations.by_rule)),
        Table("agents", _("Workload and punctuality per agent"),
              (_("Agent"), _("Open now"), _("Answered"), _("On time"), _("On time thanks to an extension"),
               _("On-time rate (%)")),
              tuple((row.name, row.open, row.resolved, row.on_time, row.on_time_extended,
                     percent(row.on_time_rate)) for row in period.agents)),
        Table("kinds", _("Per kind of request"), (_("Kind"), *breakdown_columns),
              _breakdown_rows(period.kinds, _kind_label)),
        Table("queues", _("Per queue"), (_("Queue"), *breakdown_columns),
              _breakdown_rows(period.queues, str)),
        Table("satisfaction", _("How requesters say they were treated"), (_("Answer"), _("Answers")),
              tuple((str(SATISFACTION_LABELS[score]), period.satisfaction.by_score[score])
                    for score in SCORES)),
    ]
    return {table.name: table for table in tables}


def _breakdown_rows(rows: tuple[Breakdown, ...], label: Callable[[str], str]) -> tuple[tuple[Any, ...], ...]:
    return tuple((label(row.key), row.received, row.resolved, row.on_time, row.on_time_extended, row.late,
                  row.extended, row.refused, percent(row.on_time_rate)) for row in rows)


def chart(table: Table, *, series: int = 1) -> Chart:
    """Bars for the first `series` number columns of a table whose first column labels the rows."""
    values = [row[1:1 + series] for row in table.rows]
    widest = max((value for row in values for value in row), default=0) or 1
    rows = tuple(
        (_cell_text(row[0]), tuple(
            Bar(label=table.columns[1 + index], value=value, text=_cell_text(value),
                width=f"{100 * value / widest:.2f}".rstrip("0").rstrip("."))
            for index, value in enumerate(row[1:1 + series])))
        for row in table.rows
    )
    parts = "; ".join(f"{label}: " + ", ".join(f"{bar.label} {bar.text}" for bar in bars)
                      for label, bars in rows)
    return Chart(table=table, series=table.columns[1:1 + series], rows=rows,
                 summary=f"{table.title}. {parts}.")


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if value is None:
        return "–"
    return str(value)


# A cell a spreadsheet would read as a formula (OWASP: CSV injection) gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), a header first, with a BOM so that
    spreadsheets read the UTF-8 of ä, ö and å right."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_safe(column) for column in columns])
    for row in rows:
        yield writer.writerow([csv_safe(value) for value in row])
