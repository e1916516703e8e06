"""The public side: the request form, the confirmation, the status page behind the emailed link,
and "Lost your link?". Every public post is counted (desk/ratelimit.py): over a limit the client
gets a 429 page in their language saying when to try again, and nothing is saved."""

from __future__ import annotations

import copy
import datetime
import time
import uuid

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from desk import ratelimit
from desk.ratelimit import RateLimited, client_address
from tickets import selectors, services, slots
from tickets.choices import STATUS_LABELS
from tickets.crypto import email_digest
from tickets.errors import Refusal
from tickets.form_rendering import select_renderer
from tickets.forms import (
    PublicRequestForm,
    RequestForm,
    SatisfactionForm,
    StatusMessageForm,
    StatusResendForm,
    form_token,
)
from tickets.lifecycle import Status
from tickets.models import Satisfaction, Ticket
from tickets.selectors.metrics import PublicRecord, public_record
from tickets.services.status_links import status_links_resend

SUBMITTED_SESSION_KEY = "desk_submitted_ticket"


def _grant_status_access(request: HttpRequest, ticket: Ticket) -> None:
    """Give this browser the one ticket, for a short while, under a fresh session key: a session
    it came with (one it may have been handed, to fixate) is replaced; a browser with none gets
    its first when the response is saved, with no key to replace (two statements fewer)."""
    if request.session.session_key is not None:
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


def check_intake_limits(request: HttpRequest, form: RequestForm) -> None:
    """Count a valid request against its client address and its email address, for the page
    and the API alike; RateLimited if either is over. A repeat of a form already saved (a
    double click) is not counted: it makes no new ticket and no new email."""
    if Ticket.objects.filter(submission_key=form.cleaned_data["submission_key"]).exists():
        return
    ratelimit.hit("form-address", client_address(request), settings.DESK_RATE_FORM_ADDRESS)
    ratelimit.hit("form-email", email_digest(form.cleaned_data["email"]), settings.DESK_RATE_FORM_EMAIL)


def too_many(request: HttpRequest, refused: RateLimited, *, shown: HttpRequest | None = None) -> HttpResponse:
    """429: what happened and when to try again, in the visitor's language; nothing was saved."""
    response = render(request, "public/rate_limited.html",
                      {"minutes": refused.retry_after_minutes, "request": shown or request}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PublicRequestForm(request.POST, request.FILES, renderer=select_renderer)
        if form.is_valid():
            try:
                check_intake_limits(request, form)
            except RateLimited as refused:
                return too_many(request, refused)
            submission = submit_request(form)
            _grant_status_access(request, submission.ticket)
            request.session[SUBMITTED_SESSION_KEY] = submission.ticket.pk
            return redirect("tickets:submitted")
        status = 400
        record = public_record(timezone.localdate())
    else:
        record = public_record(timezone.localdate())
        if not request.GET and not get_messages(request):
            return HttpResponse(_blank_form_page(request, record))
        form = PublicRequestForm(initial={"submission_key": uuid.uuid4()}, renderer=select_renderer)
        status = 200
    return render(request, "public/request_form.html", {"form": form, "public_record": record}, status=status)


# The blank form, rendered once per process, language and public record, cut where the page's
# three fresh values go: the CSRF token, the signed time it was served, and the submission key.
# Rendering it took most of a submission's web time (15 of 30 ms); filling it is a join.
_blank_pages: dict[tuple[str, str, PublicRecord | None], list[str]] = {}
_FRESH = ("csrf_token", "form_token", "submission_key")


def _blank_form_page(request: HttpRequest, record: PublicRecord | None) -> str:
    key = (get_language() or settings.LANGUAGE_CODE, request.path, record)
    pieces = _blank_pages.get(key)
    if pieces is None:
        if len(_blank_pages) > 32:  # a new day's record or a path prefix: old pages are not kept
            _blank_pages.clear()
        pieces = _cut_blank_form(request, record)
        _blank_pages[key] = pieces
    fresh = {"csrf_token": get_token(request),
             "form_token": form_token(PublicRequestForm.human_check_purpose),
             "submission_key": str(uuid.uuid4())}
    return slots.fill(pieces, fresh)


def _cut_blank_form(request: HttpRequest, record: PublicRecord | None) -> list[str]:
    """The page as `render` makes it, with values that are unique by construction (random),
    then split at each: text, name of the value, text, …"""
    markers = {name: f"{name}-{uuid.uuid4().hex}" for name in _FRESH}
    form = PublicRequestForm(initial={"submission_key": markers["submission_key"]}, renderer=select_renderer,
                             served_token=markers["form_token"])
    html = render_to_string("public/request_form.html",
                            {"form": form, "public_record": record, "csrf_token": markers["csrf_token"]},
                            request=request)
    for name, marker in markers.items():
        if marker not in html:
            raise ValueError(f"the blank form does not show its {name}")
    return slots.cut(html, markers)

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
    try:
        # Every attempt counts, a wrong link too: guessing 256-bit secrets is hopeless anyway,
        # but a script trying should be slowed down and seen, not served at full speed.
        ratelimit.hit("status-link", client_address(request), settings.DESK_RATE_STATUS_LINK_ADDRESS)
    except RateLimited as refused:
        return too_many(request, refused, shown=_without_secret(request))
    ticket = None
    if 20 <= len(token) <= 100:
        # Compared by digest: the database holds only SHA-256 of each secret, and the lookup is of
        # that digest, never of the secret itself (research §5, A6).
        ticket = selectors.ticket_by_status_link_digest(services.token_digest(token))
    if ticket is None:
        return link_not_found(request)
    _grant_status_access(request, ticket)
    response = HttpResponseRedirect(reverse("tickets:status"), status=303)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest) -> HttpResponse:
    ticket = selectors.ticket_for_status_session(request.session)
    if ticket is None:
        return link_not_found(request)
    if request.method == "POST":
        form = StatusMessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ratelimit.hit("status-message", str(ticket.pk), settings.DESK_RATE_STATUS_MESSAGE_TICKET)
            except RateLimited as refused:
                return too_many(request, refused)
            try:
                services.ticket_add_requester_message(
                    ticket=ticket, body=form.cleaned_data["body"],
                    attachment=form.cleaned_data["attachment"],
                )
            except Refusal as refusal:  # the request's personal data was erased meanwhile
                return _render_status(request, ticket, refusal=refusal.message, status=409)
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


def link_not_found(request: HttpRequest) -> HttpResponse:
    """One 404 for every link that does not open a ticket (wrong, changed, empty, expired), with
    the way to get a new one. The page is the same byte for byte whatever the link was: the
    language switcher would echo the address, so it is shown the "Lost your link?" address."""
    return render(request, "public/link_not_found.html", {"request": _without_secret(request)}, status=404)


def _without_secret(request: HttpRequest) -> HttpRequest:
    """The request as the page's templates see it: at the "Lost your link?" address, so that a
    link's secret (in the path or the query) is never written into the page."""
    shown = copy.copy(request)
    shown.path = reverse("tickets:status_lost")
    shown.META = {**request.META, "QUERY_STRING": ""}
    return shown


@never_cache
@require_http_methods(["GET", "POST"])
def status_lost(request: HttpRequest) -> HttpResponse:
    """"Lost your link?": the same answer, in about the same time, whether or not the address
    has requests (research §5, A7), so that nobody can learn from it whose requests we hold."""
    if request.method == "POST":
        form = StatusResendForm(request.POST)
        if form.is_valid():
            started = time.monotonic()
            try:
                ratelimit.hit("resend-address", client_address(request), settings.DESK_RATE_RESEND_ADDRESS)
            except RateLimited as refused:
                return too_many(request, refused)
            email = form.cleaned_data["email"]
            try:
                ratelimit.hit("resend-email", email_digest(email), settings.DESK_RATE_RESEND_EMAIL)
            except RateLimited:
                # Over the limit for this address, the answer is the same and nothing is sent: a
                # 429 here would tell a stranger that someone asked for that address's links
                # lately, and the mailbox has had its emails already.
                pass
            else:
                status_links_resend(email=email, language=requester_language())
            _answer_no_sooner_than(started, settings.DESK_STATUS_RESEND_ANSWER_MS / 1000)
            return redirect("tickets:status_lost_sent")
        return render(request, "public/status_lost.html", {"form": form}, status=400)
    return render(request, "public/status_lost.html", {"form": StatusResendForm()})


def _answer_no_sooner_than(started: float, seconds: float) -> None:
    """Sending links takes longer than finding none: waiting out a floor hides which it was."""
    remaining = seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


@never_cache
@require_http_methods(["GET"])
def status_lost_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "public/status_lost_sent.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A forged or missing CSRF token: a plain page in the visitor's language; nothing was saved."""
    return render(request, "public/csrf_failure.html", status=403)
