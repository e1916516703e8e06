"""Staff sign-in after the password: the second factor, enrolment through a one-time link, recovery
codes, API tokens, and the page a locked-out sign-in gets. Thin: parse, call desk.second_factor,
desk.enrolment or desk.tokens, render."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from desk import enrolment, second_factor, tokens
from desk.access import is_staff_member, passed_second_factor, staff_required
from desk.forms import ApiTokenForm, CodeForm, EnrolForm, EnrolmentPasswordForm
from desk.sessions import stamp_sign_in


def _next_path(request: HttpRequest, candidate: str | None) -> str:
    """Only a path on this desk (RT CVE-2022-25803: no open redirect after sign-in)."""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _signed_in_staff(request: HttpRequest) -> HttpResponse | None:
    """None when the password step is done; otherwise where to go instead."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff_member(request.user):
        raise Http404
    return None


def _complete_sign_in(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    # A new session id once fully signed in (session fixation, ASVS 7.2.4), and fresh time limits.
    request.session.cycle_key()
    stamp_sign_in(request.session)
    # Only the whole sign-in clears the failures of this username from this address: a correct
    # password alone does not (AXES_RESET_ON_SUCCESS is off), so wrong codes keep counting
    # however often the password is given again (issue 15, hole 5).
    AxesProxyHandler.update_request(request)  # the client's address, as axes records it
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(request))


def _credentials(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.get_username()}


def _locked(request: HttpRequest) -> HttpResponse | None:
    """At the limit, the half-signed-in session ends and the lockout page says why."""
    credentials = _credentials(request)
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return locked_out(request, None, credentials)
    return None


def _failed_code(request: HttpRequest) -> HttpResponse | None:
    """A wrong code counts like a wrong password towards the lockout (axes)."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    return _locked(request)


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _signed_in_staff(request)) is not None:
        return elsewhere
    next_path = _next_path(request, request.POST.get("next") or request.GET.get("next"))
    if passed_second_factor(request.user):
        return HttpResponseRedirect(next_path)
    if not second_factor.has_second_factor(request.user):
        return HttpResponseRedirect(f"{reverse('desk:enrol')}?next={next_path}")
    form = CodeForm(request.POST or None, initial={"next": next_path})
    if request.method == "POST" and (locked := _locked(request)) is not None:
        return locked  # failures from elsewhere (another session, the password step) reached the limit
    if request.method == "POST" and form.is_valid():
        device = second_factor.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _complete_sign_in(request, device)
            return HttpResponseRedirect(next_path)
        if (locked := _failed_code(request)) is not None:
            return locked
        form.add_error("code", _("That code did not work. Type the newest code from your app (it "
                                 "changes every 30 seconds), or one of your recovery codes. After "
                                 "a wrong code, wait a few seconds before the next try."))
    return render(request, "staff/second_factor.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _session_link_id(request: HttpRequest) -> int | None:
    """The enrolment link this browser opened, if it is this user's and still works."""
    link_id = request.session.get(enrolment.SESSION_KEY)
    link = enrolment.live_link(link_id=link_id) if isinstance(link_id, int) else None
    return link.pk if link is not None and link.user_id == request.user.pk else None


@never_cache
@require_http_methods(["GET", "POST"])
def enrol_page(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: through an enrolment link an administrator issued (first time, or
    a lost phone), or later (a new phone) once signed in fully. The password alone never enrols."""
    if (elsewhere := _signed_in_staff(request)) is not None:
        return elsewhere
    next_path = _next_path(request, request.POST.get("next") or request.GET.get("next"))
    link_id = None if passed_second_factor(request.user) else _session_link_id(request)
    if not passed_second_factor(request.user) and link_id is None:
        if second_factor.has_second_factor(request.user):
            # Someone with only the password may not replace the authenticator of the account.
            return redirect(f"{reverse('desk:second_factor')}?next={next_path}")
        return render(request, "staff/enrolment_link_needed.html", status=403)
    device = second_factor.totp_enrolment_device(user=request.user)
    form = EnrolForm(request.POST or None, initial={"next": next_path})
    if request.method == "POST" and form.is_valid():
        confirmed = second_factor.totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"],
                                                     link_id=link_id)
        if confirmed is not None:
            request.session.pop(enrolment.SESSION_KEY, None)
            _complete_sign_in(request, confirmed)
            codes = second_factor.recovery_codes_issue(user=request.user)
            return render(request, "staff/recovery_codes.html", {"codes": codes, "next": next_path})
        if (locked := _failed_code(request)) is not None:
            return locked
        form.add_error("code", _("That code did not work. Check that the app shows “%(issuer)s” "
                                 "and type the six digits it shows now.")
                       % {"issuer": settings.OTP_TOTP_ISSUER})
    context = {"form": form, "secret": second_factor.secret_text(device),
               "qr": second_factor.qr_svg(device, title=_("QR code for your authenticator app"))}
    return render(request, "staff/enrol.html", context, status=400 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET"])
def enrolment_link_open(request: HttpRequest, secret: str) -> HttpResponse:
    """An emailed or handed-over enrolment link: the secret goes into this browser's session and
    out of the address bar (and of any Referer) at once; a link that does not work says so."""
    link = enrolment.live_link(secret=secret) if len(secret) < 100 else None
    if link is None:
        return render(request, "staff/enrolment_link.html", {"link": None}, status=404)
    if request.user.is_authenticated:
        logout(request)  # whoever was signed in here, the link is for its own person
    request.session[enrolment.SESSION_KEY] = link.pk
    return redirect("desk:enrolment")


@never_cache
@require_http_methods(["GET", "POST"])
def enrolment_page(request: HttpRequest) -> HttpResponse:
    """The link's first step: the person's password (the link alone is not enough either). Wrong
    passwords count towards the lockout like any other (the axes backend)."""
    link_id = request.session.get(enrolment.SESSION_KEY)
    if not isinstance(link_id, int):
        return redirect("tickets:staff_login")  # no link was opened in this browser
    link = enrolment.live_link(link_id=link_id)
    if link is None:  # it expired, was used or was replaced since it was opened
        return render(request, "staff/enrolment_link.html", {"link": None}, status=404)
    form = EnrolmentPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=link.user.get_username(),
                            password=form.cleaned_data["password"])
        if user is not None and user.pk == link.user_id:
            login(request, user)  # a new session id; the link's id is carried over
            request.session[enrolment.SESSION_KEY] = link.pk
            return redirect("desk:enrol")
        form.add_error("password", _("That password is not right. Type the password of the "
                                     "account this link was made for."))
    return render(request, "staff/enrolment_link.html", {"link": link, "form": form},
                  status=400 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET"])
@staff_required
def account_page(request: HttpRequest) -> HttpResponse:
    return _render_account(request)


def _render_account(request: HttpRequest, *, token_form: ApiTokenForm | None = None,
                    issued: tokens.IssuedToken | None = None, status: int = 200) -> HttpResponse:
    context = {
        "token_form": token_form or ApiTokenForm(),
        "tokens": tokens.tokens_of(request.user),
        "issued": issued,
        "recovery_codes_left": second_factor.recovery_codes_left(user=request.user),
    }
    return render(request, "staff/account.html", context, status=status)


@never_cache
@require_POST
@staff_required
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    codes = second_factor.recovery_codes_issue(user=request.user)
    return render(request, "staff/recovery_codes.html",
                  {"codes": codes, "next": reverse("desk:account")})


@never_cache
@require_POST
@staff_required
def api_token_new(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_account(request, token_form=form, status=400)
    issued = tokens.api_token_issue(user=request.user, **form.cleaned_data)
    # The secret is in this one answer only; the page says to copy it now.
    return _render_account(request, issued=issued)


@never_cache
@require_POST
@staff_required
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not tokens.api_token_revoke(token_id=token_id, actor=request.user, reason="revoked by its owner"):
        raise Http404
    messages.success(request, _("The token was revoked. Programs using it can no longer sign in."))
    return redirect("desk:account")


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """The lockout, said plainly (axes calls this): what happened, for how long, what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "staff/locked_out.html",
                      {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response

