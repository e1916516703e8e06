"""The public side: the request form, the confirmation, the status page behind the emailed link,
and "Lost your link?". Every public post is counted (desk/ratelimit.py): over a limit the client
gets a 429 page in their language saying when to try again, and nothing is saved."""

from __future__ import annotations

import copy
import datetime
import logging
import re
import secrets
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
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from desk import ratelimit
from desk.crypto import email_digest
from desk.ratelimit import RateLimited, client_address
from tickets import selectors, services, slots, uploads
from tickets.choices import requester_outcome_label, requester_status_label
from tickets.errors import Refusal
from tickets.explanations import clock_paused
from tickets.form_rendering import select_renderer
from tickets.forms import (
    PublicRequestForm,
    SatisfactionForm,
    StatusLinkForm,
    StatusMessageForm,
    StatusResendForm,
    form_token,
)
from tickets.lifecycle import ENDED_STATUSES, OPEN_STATUSES, Status
from tickets.models import Satisfaction, Ticket
from tickets.selectors.follow_ups import latest_follow_up
from tickets.selectors.metrics import PublicRecord, public_record
from tickets.services.intake import (
    Delivery,
    SubmissionKeyUsed,
    Submitter,
    request_submit,
    requester_language,
)
from tickets.services.status_links import (
    StatusLinkElsewhere,
    StatusLinkUnknown,
    browser_digest,
    status_link_exchange,
    status_links_resend,
)
from tickets.status_forms import WithdrawForm

logger = logging.getLogger(__name__)

SUBMITTED_SESSION_KEY = "desk_submitted_ticket"
SUBMITTED_AGAIN_SESSION_KEY = "desk_submitted_again"
# The ticket whose emailed link this browser exchanged: proof that it reads that mailbox, which a
# grant made at submission is not (anyone may type anyone's address into the form).
LINK_PROVEN_SESSION_KEY = "desk_status_link_proven"

# The browser's binding: a random value in a cookie of its own, kept longer than any session,
# so that the browser that exchanged a link can open it again next week, and a browser that
# submitted a request is recognised when it repeats the post. Only a keyed hash of it is stored
# (tickets.services.status_links.browser_digest). Browsers keep a cookie 400 days at most.
BROWSER_COOKIE = "desk_browser"
BROWSER_COOKIE_SECONDS = 400 * 86400
_BROWSER_VALUE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _grant_status_access(request: HttpRequest, ticket: Ticket, *, by_link: bool = False) -> None:
    """Give this browser the one ticket, for a short while, under a fresh session key: a session
    it came with (one it may have been handed, to fixate) is replaced; a browser with none gets
    its first when the response is saved, with no key to replace (two statements fewer)."""
    if request.session.session_key is not None:
        request.session.cycle_key()
    expires = timezone.now() + datetime.timedelta(seconds=settings.DESK_STATUS_SESSION_SECONDS)
    request.session[selectors.STATUS_SESSION_KEY] = ticket.pk
    request.session[selectors.STATUS_SESSION_EXPIRES_KEY] = expires.isoformat()
    if by_link:
        request.session[LINK_PROVEN_SESSION_KEY] = ticket.pk
    else:
        request.session.pop(LINK_PROVEN_SESSION_KEY, None)


def _link_proven_ticket_id(request: HttpRequest) -> int | None:
    """The ticket this browser holds by an emailed link it exchanged, while that grant lasts."""
    proven = request.session.get(LINK_PROVEN_SESSION_KEY)
    if proven is None:
        return None
    granted = selectors.ticket_for_status_session(request.session)
    return proven if granted is not None and granted.pk == proven else None


def browser_binding(request: HttpRequest) -> tuple[str, bool]:
    """This browser's binding value, and whether it is new (then `keep_browser_binding` must set it)."""
    value = request.COOKIES.get(BROWSER_COOKIE, "")
    if _BROWSER_VALUE.match(value):
        return value, False
    return secrets.token_urlsafe(32), True


def keep_browser_binding(response: HttpResponse, binding: tuple[str, bool]) -> HttpResponse:
    value, new = binding
    if new:
        response.set_cookie(BROWSER_COOKIE, value, max_age=BROWSER_COOKIE_SECONDS, httponly=True,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


def too_many(request: HttpRequest, refused: RateLimited, *, shown: HttpRequest | None = None) -> HttpResponse:
    """429: what happened and when to try again, in the visitor's language; nothing was saved."""
    response = render(request, "public/rate_limited.html",
                      {"minutes": refused.retry_after_minutes, "request": shown or request}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    binding = browser_binding(request)
    if request.method == "POST":
        uploads.discard_expired_held()
        form = PublicRequestForm(request.POST, request.FILES, renderer=select_renderer)
        if form.is_valid():
            submitter = Submitter(email=form.cleaned_data["email"], browser=browser_digest(binding[0]),
                                  status_ticket_id=_link_proven_ticket_id(request))
            try:
                submission = request_submit(new_request=form.to_request(), submitter=submitter,
                                            client=client_address(request), language=requester_language())
            except RateLimited as refused:
                return keep_browser_binding(too_many(request, refused), binding)
            except SubmissionKeyUsed:
                return keep_browser_binding(_submission_key_used(request), binding)
            form.attachment_sent()
            _grant_status_access(request, submission.ticket)
            request.session[SUBMITTED_SESSION_KEY] = submission.ticket.pk
            request.session[SUBMITTED_AGAIN_SESSION_KEY] = not submission.created
            return keep_browser_binding(redirect("tickets:submitted"), binding)
        _keep_attachment(request, form)
        status = 400
        record = public_record(timezone.localdate())
    else:
        record = public_record(timezone.localdate())
        if not request.GET and not get_messages(request):
            # The cookie now, so that a double click (two posts at once) carries one binding.
            return keep_browser_binding(HttpResponse(_blank_form_page(request, record)), binding)
        form = PublicRequestForm(initial={"submission_key": uuid.uuid4()}, renderer=select_renderer)
        status = 200
    response = render(request, "public/request_form.html", {"form": form, "public_record": record},
                      status=status)
    return keep_browser_binding(response, binding)


def _keep_attachment(request: HttpRequest, form: PublicRequestForm) -> None:
    """The form comes back: the file it brought is kept for the next send (issue 16), counted
    against the address like a submission, as each is a file on disk; over the limit, or without
    a submission key to bind it to, the person is asked, by the file's name, to attach it again."""
    held = None
    upload = form.attachment_to_keep
    submission_key = form.cleaned_data.get("submission_key")
    if upload is not None and submission_key is not None:
        try:
            ratelimit.hit("form-hold", client_address(request), settings.DESK_RATE_FORM_ADDRESS)
        except RateLimited:
            pass
        else:
            held = uploads.hold(upload, submission_key=str(submission_key))
    form.keep_attachment(held)


def _submission_key_used(request: HttpRequest) -> HttpResponse:
    """A repeat of a request this browser did not make: the form again, as it was filled in, under
    a fresh submission key, saying neither whose the request is nor anything in it. Its sender,
    on another browser, is told how to tell whether it reached us before sending it again."""
    data = request.POST.copy()
    data["submission_key"] = str(uuid.uuid4())
    form = PublicRequestForm(data, renderer=select_renderer)
    form.is_valid()  # the answers as they were posted, checked again, their errors shown
    form.add_error(None, _("This form was sent already, perhaps from another browser. If you sent "
                           "it, our confirmation is in your email: look there before sending it "
                           "again, as sending it again makes a new request."))
    return render(request, "public/request_form.html",
                  {"form": form, "public_record": public_record(timezone.localdate())}, status=409)


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
    received_before = bool(request.session.get(SUBMITTED_AGAIN_SESSION_KEY))
    return render(request, "public/submitted.html", {"ticket": ticket, "received_before": received_before})


# The pages where a link's secret is in play send no more than the desk's origin as Referer: on an
# old link's page the full address (with its secret) would otherwise go with every request the
# page makes, its stylesheet's too, into the access log. Not "no-referrer": a browser then posts
# `Origin: null`, which CSRF protection refuses.
LINK_REFERRER_POLICY = "strict-origin"


def _count_link_attempt(request: HttpRequest) -> None:
    # Every attempt counts, a wrong link too: guessing 256-bit secrets is hopeless anyway, but a
    # script trying should be slowed down and seen, not served at full speed.
    ratelimit.hit("status-link", client_address(request), settings.DESK_RATE_STATUS_LINK_ADDRESS)


@never_cache
@require_http_methods(["GET", "POST"])
def status_link(request: HttpRequest) -> HttpResponse:
    """The emailed link, `/status/link/#SECRET`: the secret is in the fragment, which no browser
    sends, so it is never in a logged address. The page's script (desk/status-link.js) puts it
    into the form; without script the person pastes the link. Nothing is exchanged until the
    person presses the button: a mail scanner or a prefetch that loads the page opens nothing,
    and so cannot make the link its own."""
    if request.method == "GET":
        return _link_page(request, StatusLinkForm())
    try:
        _count_link_attempt(request)
    except RateLimited as refused:
        return too_many(request, refused, shown=_without_secret(request))
    form = StatusLinkForm(request.POST)
    if not form.is_valid():
        return _link_page(request, form, status=400)
    binding = browser_binding(request)
    try:
        ticket = status_link_exchange(secret=form.cleaned_data["link"], browser=browser_digest(binding[0]))
    except StatusLinkUnknown:
        return keep_browser_binding(link_not_found(request), binding)
    except StatusLinkElsewhere:
        response = render(request, "public/link_elsewhere.html", {"request": _without_secret(request)},
                          status=403)
        return keep_browser_binding(response, binding)
    _grant_status_access(request, ticket, by_link=True)
    section = form.cleaned_data["section"]  # allowlisted by the form
    response = HttpResponseRedirect(reverse("tickets:status") + (f"#{section}" if section else ""),
                                    status=303)
    response["Referrer-Policy"] = "no-referrer"
    return keep_browser_binding(response, binding)


@never_cache
@require_http_methods(["GET", "HEAD"])  # a mail scanner's HEAD too: a 405 would be logged with the path
def status_open(request: HttpRequest, token: str) -> HttpResponse:
    """A link of the old shape, `/status/open/SECRET/`, in emails sent before the secret moved
    to the fragment: still opens, through the same page and button (nothing is exchanged on a
    GET), and the access log masks its path (desk/management/commands/rundesk.py)."""
    try:
        _count_link_attempt(request)
    except RateLimited as refused:
        return _logged_without_secret(too_many(request, refused, shown=_without_secret(request)))
    ticket = None
    if 20 <= len(token) <= 100:
        # Compared by digest: the database holds only SHA-256 of each secret, and the lookup is of
        # that digest, never of the secret itself (research §5, A6).
        ticket = selectors.ticket_by_status_link_digest(services.token_digest(token))
    if ticket is None:
        response = _logged_without_secret(link_not_found(request))
    else:
        response = _link_page(request, StatusLinkForm(initial={"link": token}), secret_given=True)
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
    return response


def _logged_without_secret(response: HttpResponse) -> HttpResponse:
    """Django logs every 4xx with the request's path ("Not Found: /status/open/SECRET/"): an old
    link refused (expired, or over the rate limit) is logged here with its secret masked, and
    marked logged so that Django does not log it again."""
    logger.warning("%s: /status/open/[secret]/", response.reason_phrase)
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
    return response


def _link_page(request: HttpRequest, form: StatusLinkForm, *, secret_given: bool = False,
               status: int = 200) -> HttpResponse:
    response = render(request, "public/status_link.html", {"form": form, "secret_given": secret_given},
                      status=status)
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
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
                delivered = services.ticket_add_requester_message(
                    ticket=ticket, body=form.cleaned_data["body"],
                    attachment=form.cleaned_data["attachment"],
                )
            except Refusal as refusal:  # the request's personal data was erased meanwhile
                return _render_status(request, ticket, refusal=refusal.message, status=409)
            # The page then says what became of the message (issue 16, item 7).
            if delivered.ticket.pk != ticket.pk:
                sent = SENT_TO_FOLLOW_UP
            else:
                sent = SENT_REOPENED if delivered.delivery == Delivery.REOPENED else SENT_ADDED
            return redirect(reverse("tickets:status") + f"?sent={sent}")
        return _render_status(request, ticket, form=form, status=400)
    return _render_status(request, ticket)


# What the status page says after a message (`?sent=`), each only if the ticket shows it true.
SENT_ADDED, SENT_REOPENED, SENT_TO_FOLLOW_UP = "1", "reopened", "follow-up"


@never_cache
@require_http_methods(["GET", "POST"])
def status_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw the request: a page that asks, then its button's post (issue 16, item 12). Works
    without script; a post that does not confirm, or comes too late, withdraws nothing and says so."""
    ticket = selectors.ticket_for_status_session(request.session)
    if ticket is None:
        return link_not_found(request)
    if request.method == "GET":
        return _withdraw_page(request, ticket, WithdrawForm())
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _withdraw_page(request, ticket, form, status=400)
    try:
        services.ticket_withdraw_by_requester(ticket_id=ticket.pk, reason=form.cleaned_data["reason"])
    except Refusal as refusal:  # withdrawn already (a second click), answered or ended meanwhile
        ticket.refresh_from_db()
        return _withdraw_page(request, ticket, form, refusal=refusal.message, status=409)
    return redirect(reverse("tickets:status") + "?withdrawn=1")


def _withdraw_page(request: HttpRequest, ticket: Ticket, form: WithdrawForm, *, refusal: str = "",
                   status: int = 200) -> HttpResponse:
    context = {"ticket": ticket, "form": form, "refusal": refusal,
               "withdrawable": ticket.status in OPEN_STATUSES,
               "status_label": requester_status_label(ticket.status)}
    return render(request, "public/status_withdraw.html", context, status=status)


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
    conversation = selectors.public_conversation(ticket)
    answered = ticket.resolved_at is not None and ticket.status in (Status.RESOLVED, Status.CLOSED)
    # A message on an ended request goes to the one that follows it up: the page names it.
    follow_up = latest_follow_up(ticket) if ticket.status in ENDED_STATUSES else None
    sent = request.GET.get("sent", "") if request.method == "GET" else ""
    context = {
        "ticket": ticket,
        "status_label": requester_status_label(ticket.status),
        "is_open": ticket.status in OPEN_STATUSES,
        "paused": clock_paused(ticket),
        "answered": answered,
        "outcome_label": requester_outcome_label(ticket.outcome) if ticket.outcome else "",
        # Our answer: the last thing we wrote, shown with the outcome, above the question.
        "answer": next((entry for entry in reversed(conversation) if not entry.from_requester), None)
        if answered else None,
        "follow_up": follow_up,
        "extension": getattr(ticket, "extension", None),
        "conversation": conversation,
        "form": form or StatusMessageForm(),
        # Each note only where the ticket shows it true, whatever the address says.
        "message_sent": sent == SENT_ADDED,
        "reopened": sent == SENT_REOPENED and ticket.status == Status.IN_PROGRESS,
        "sent_to_follow_up": sent == SENT_TO_FOLLOW_UP and follow_up is not None,
        "withdrawn_now": request.GET.get("withdrawn") == "1" and ticket.status == Status.WITHDRAWN,
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
