"""The public side: the request form, the confirmation, the status page behind the emailed link."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tickets import selectors, services
from tickets.choices import STATUS_LABELS
from tickets.errors import Refusal
from tickets.forms import RequestForm, SatisfactionForm, StatusMessageForm
from tickets.lifecycle import Status
from tickets.models import Satisfaction, Ticket
from tickets.selectors.metrics import public_record

SUBMITTED_SESSION_KEY = "desk_submitted_ticket"


def _grant_status_access(request: HttpRequest, ticket: Ticket) -> None:
    """Give this browser the one ticket, for a short while, under a fresh session key."""
    request.session.cycle_key()
    expires = timezone.now() + datetime.timedelta(seconds=settings.DESK_STATUS_SESSION_SECONDS)
    request.session[selectors.STATUS_SESSION_KEY] = ticket.pk
    request.session[selectors.STATUS_SESSION_EXPIRES_KEY] = expires.isoformat()


def requester_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def submit_request(form: RequestForm) -> services.Submission:
    """The one way a validated public request becomes a ticket, for the page and the API alike."""
    data = form.cleaned_data
    return services.ticket_submit(
        kind=data["kind"], country=data["country"], region=data["region"], name=data["name"],
        email=data["email"], description=data["description"], language=requester_language(),
        attachment=data["attachment"], submission_key=data["submission_key"],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            submission = submit_request(form)
            _grant_status_access(request, submission.ticket)
            request.session[SUBMITTED_SESSION_KEY] = submission.ticket.pk
            return redirect("tickets:submitted")
        status = 400
    else:
        form = RequestForm(initial={"submission_key": uuid.uuid4()})
        status = 200
    return render(request, "public/request_form.html",
                  {"form": form, "public_record": public_record(timezone.localdate())}, status=status)


@never_cache
@require_http_methods(["GET"])
def submitted(request: HttpRequest) -> HttpResponse:
    ticket_id = request.session.get(SUBMITTED_SESSION_KEY)
    ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        return redirect("tickets:request_form")
    return render(request, "public/submitted.html", {"ticket": ticket})


@never_cache
@require_http_methods(["GET"])
def status_open(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange the emailed secret for a short session and drop it from the address bar at once."""
    ticket = None
    if 20 <= len(token) <= 100:
        ticket = selectors.ticket_by_status_link_digest(services.token_digest(token))
    if ticket is None:
        raise Http404
    _grant_status_access(request, ticket)
    response = HttpResponseRedirect(reverse("tickets:status"), status=303)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest) -> HttpResponse:
    ticket = selectors.ticket_for_status_session(request.session)
    if ticket is None:
        raise Http404
    if request.method == "POST":
        form = StatusMessageForm(request.POST, request.FILES)
        if form.is_valid():
            services.ticket_add_requester_message(
                ticket=ticket, body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
            )
            return redirect(reverse("tickets:status") + "?sent=1")
        return _render_status(request, ticket, form=form, status=400)
    return _render_status(request, ticket)


@never_cache
@require_http_methods(["POST"])
def satisfaction_answer(request: HttpRequest) -> HttpResponse:
    """The one question after resolution, answered on the status page."""
    ticket = selectors.ticket_for_status_session(request.session)
    if ticket is None:
        raise Http404
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        return _render_status(request, ticket, satisfaction_form=form, status=400)
    try:
        services.satisfaction_record(ticket_id=ticket.pk, score=form.cleaned_data["score"],
                                     comment=form.cleaned_data["comment"])
    except Refusal as refusal:
        return _render_status(request, ticket, refusal=refusal.message, status=409)
    return redirect(reverse("tickets:status") + "?rated=1#satisfaction")


def _render_status(request: HttpRequest, ticket: Ticket, *, form: StatusMessageForm | None = None,
                   satisfaction_form: SatisfactionForm | None = None, refusal: str = "",
                   status: int = 200) -> HttpResponse:
    answer = Satisfaction.objects.filter(ticket=ticket).first()
    askable = answer is None and services.satisfaction_askable(ticket)
    context = {
        "ticket": ticket,
        "status_label": STATUS_LABELS[Status(ticket.status)],
        "extension": getattr(ticket, "extension", None),
        "conversation": selectors.public_conversation(ticket),
        "form": form or StatusMessageForm(),
        "message_sent": request.GET.get("sent") == "1" and request.method == "GET",
        "rated": request.GET.get("rated") == "1" and request.method == "GET",
        "satisfaction": answer,
        "satisfaction_form": (satisfaction_form or SatisfactionForm()) if askable else None,
        "refusal": refusal,
    }
    # The secret never reaches this URL, so the default same-origin policy is right here; and a
    # no-referrer policy would make browsers post `Origin: null`, which CSRF protection refuses.
    return render(request, "public/status.html", context, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A forged or missing CSRF token: a plain page in the visitor's language; nothing was saved."""
    return render(request, "public/csrf_failure.html", status=403)
