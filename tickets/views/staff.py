"""The agent workspace: the queue, the ticket page, and one POST endpoint per action.

Views are thin: parse the form, call one selector or service, render. A ticket outside the
user's queues is a 404; a refused action shows why and changes nothing."""

from __future__ import annotations

import io
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from desk.access import staff_required
from tickets import actions, selectors, services, staff_forms, uploads
from tickets.choices import STATUS_LABELS
from tickets.errors import Refusal
from tickets.form_rendering import select_renderer
from tickets.lifecycle import Status
from tickets.models import OPEN_STATUS_VALUES, AccessLog, Ticket
from tickets.selectors.actions import Actions

PAGE_SIZE = 25


class StaffLoginView(LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True


@never_cache
@require_GET
@staff_required
def queue_page(request: HttpRequest) -> HttpResponse:
    queues = selectors.queues_of(request.user)
    # The filter's selects (kind, law, queue, sort…) are the same HTML on most requests: rendered
    # once per process (tickets/form_rendering.py), a fifth of the form's time (bench/pages.py).
    form = staff_forms.QueueFilterForm(request.GET or None, queues=queues, renderer=select_renderer)
    wanted = form.to_filter()
    tickets = selectors.ticket_queue(request.user, wanted, today=timezone.localdate())
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "today": timezone.localdate(),
        # A search finds answered and ended tickets too: only an open one can be overdue.
        "open_statuses": OPEN_STATUS_VALUES,
        "counts": _shown_counts(selectors.status_counts(request.user)), "query": _query_without_page(request),
        "due_sort_query": _query_sorted_by_due(request),
    }
    template = "staff/queue_rows.html" if request.headers.get("HX-Request") else "staff/queue.html"
    return render(request, template, context)


def _shown_counts(counts: dict[str, int]) -> list[tuple[str, str, int | str]]:
    """Each status with its label in the page's language (the same as the status filter's) and its
    count; a count past the cap reads "10000+": the selector stops counting there (status_counts)."""
    cap = selectors.STATUS_COUNT_CAP
    return [(status, str(STATUS_LABELS[Status(status)]), f"{cap}+" if total > cap else total)
            for status, total in counts.items()]


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _query_sorted_by_due(request: HttpRequest) -> str:
    """The list's query with the due date's order turned round: the Due column's header is the
    sort control (its aria-sort says the order now), soonest first unless latest first was asked."""
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = "due" if request.GET.get("sort") == "-due" else "-due"
    return query.urlencode()


@never_cache
@require_GET
@staff_required
def ticket_page(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for_staff(request.user, reference)
    services.access_record(user=request.user, action=AccessLog.Action.VIEW, ticket=ticket)
    return _render_ticket(request, ticket)


def _render_ticket(request: HttpRequest, ticket: Ticket, *, failed: str = "", form: Any = None,
                   status: int = 200) -> HttpResponse:
    allowed = actions.available_actions(ticket, request.user)
    action_forms = _action_forms(request, ticket, allowed)
    if failed and form is not None:
        action_forms[failed] = form
    previous, following = selectors.ticket_neighbours(request.user, ticket)
    context = {
        "previous": previous,
        "following": following,
        "ticket": ticket,
        "timeline": selectors.ticket_timeline(ticket),
        "pauses": list(ticket.pauses.all()),
        "extension": getattr(ticket, "extension", None),
        "days_left": (ticket.due_date - timezone.localdate()).days,
        "days_overdue": max((timezone.localdate() - ticket.due_date).days, 0),
        "actions": allowed,
        "forms": action_forms,
        "failed": failed,  # its form is shown with its errors, even if the ticket no longer allows it
    }
    return render(request, "staff/ticket.html", context, status=status)


def _form(action: str, request: HttpRequest, ticket: Ticket, *, bound: bool) -> forms.Form:
    if action not in actions.BY_NAME:
        raise Http404
    record = actions.BY_NAME[action]
    form_class, prefix = import_string(record.form), record.prefix
    choices: dict[str, Any] = {}
    if form_class is staff_forms.AssignForm:
        choices["members"] = ticket.queue.members.all()
    elif form_class is staff_forms.MoveForm:
        choices["queues"] = selectors.queues_of(request.user)
    return form_class(data=request.POST if bound else None, files=request.FILES if bound else None,
                      prefix=prefix, **choices)


def _action_forms(request: HttpRequest, ticket: Ticket, allowed: Actions) -> dict[str, Any]:
    """The forms of the actions the ticket allows now (a refused one is not built, nor its choices
    read); claim, close and reopen are single buttons."""
    return {action.name: _form(action.name, request, ticket, bound=False) for action in actions.ACTIONS
            if action.shown and allowed.allows(action.name)}


@require_POST
@staff_required
def ticket_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    ticket = selectors.ticket_for_staff(request.user, reference)
    form = _form(action, request, ticket, bound=True)
    # An action the ticket does not allow now (the page no longer offers it) is refused with the
    # page's words, before its service runs (tickets/actions.py); malformed input is
    # still a 400, and then too the person reads why the action is not there.
    refused = actions.available_actions(ticket, request.user).why_not(action)
    if not form.is_valid():
        if refused:
            messages.error(request, refused)
        return _render_ticket(request, ticket, failed=action, form=form, status=400)
    if refused:
        messages.error(request, refused)
        return _render_ticket(request, ticket, status=409)
    try:
        actions.ticket_act(action=action, ticket_id=ticket.pk, data=form.cleaned_data,
                            actor=cast(User, request.user))  # staff_required: a signed-in user
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return _render_ticket(request, ticket, status=409)
    messages.success(request, str(actions.BY_NAME[action].done))
    return redirect("tickets:staff_ticket", reference=ticket.reference)


@require_GET
@staff_required
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A file of a ticket the user may see: always a download, never rendered by the browser."""
    ticket = selectors.ticket_for_staff(request.user, reference)
    attachment = ticket.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    # Decrypted in memory (at most DESK_MAX_UPLOAD_BYTES); a file that does not decrypt raises
    # crypto.DecryptionError, a server error: never the stored bytes handed out as the file.
    content = uploads.read(attachment.stored_name)
    if content is None:
        raise Http404
    # The log names the file by its id: its original name is the requester's personal data.
    services.access_record(user=request.user, action=AccessLog.Action.DOWNLOAD, ticket=ticket,
                           detail=f"attachment {attachment.pk}")
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response
