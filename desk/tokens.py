"""API tokens: issued from a signed-in, second-factor-verified session, stored as a digest,
scoped to reading or to reading and acting, revocable, and dead with their owner's account.

A token also dies when its owner's password changes, when the owner is deactivated, and when the
authenticator the owner had at issue is removed (issue 15, hole 3). The use-time check makes each
of these final whichever way the change was made (the admin, `changepassword`, a shell), with no
query beyond the one that finds the token; `api_tokens_revoke_dead` writes the revocation into the
token's history when the change is saved through the ORM (desk/apps.py connects it).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from simple_history.utils import update_change_reason

from desk.models import ApiToken, AuthenticatorDevice

PREFIX = "pd_"
PASSWORD_STAMP_SALT = "desk.tokens.password_stamp"  # noqa: S105 - an HMAC salt (a purpose), not a secret
PASSWORD_CHANGED = "the owner's password changed"  # noqa: S105 - a history reason, not a password
DEACTIVATED = "the owner's account was deactivated"
SECOND_FACTOR_REMOVED = "the owner's second factor was removed"
# last_used_at is written at most this often, so that a busy client does not turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def token_digest(secret: str) -> str:
    # The secret carries 256 random bits: a plain SHA-256 is enough, and a lookup by digest leaks
    # nothing a timing attacker could use (no prefix of a real secret is ever compared).
    return hashlib.sha256(secret.encode()).hexdigest()


def password_stamp(password_hash: str, *, secret: str | None = None) -> str:
    """A keyed hash of the owner's password hash: it changes when the password does, and says
    nothing about the password to someone who reads the token table (the key is SECRET_KEY)."""
    return salted_hmac(PASSWORD_STAMP_SALT, password_hash, secret=secret, algorithm="sha256").hexdigest()


def password_stamp_matches(token: ApiToken, password_hash: str) -> bool:
    """The token was made under this password hash; the secret key's fallbacks are tried too, so
    rotating DESK_SECRET_KEY (with the old key as a fallback) ends no token."""
    if not token.password_stamp:
        return False
    secrets_to_try = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(constant_time_compare(token.password_stamp, password_stamp(password_hash, secret=secret))
               for secret in secrets_to_try)


def _is_dead(token: ApiToken) -> str | None:
    """Why a token that is neither revoked nor expired no longer works, or None if it does."""
    if not token.user.is_active:
        return DEACTIVATED
    if not password_stamp_matches(token, token.user.password):
        return PASSWORD_CHANGED
    if settings.DESK_REQUIRE_SECOND_FACTOR and token.device_id is None:
        return SECOND_FACTOR_REMOVED
    return None


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to its owner, never stored


def api_token_issue(*, user: Any, name: str, scope: str, days: int) -> IssuedToken:
    if not 1 <= days <= settings.DESK_API_TOKEN_MAX_DAYS:
        raise ValueError(f"a token lives 1 to {settings.DESK_API_TOKEN_MAX_DAYS} days")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None and settings.DESK_REQUIRE_SECOND_FACTOR:
            raise ValueError("a token is made only by someone with a second factor")
        token = ApiToken(user=user, name=name, scope=scope, digest=token_digest(secret),
                         hint=secret[:len(PREFIX) + 4], password_stamp=password_stamp(user.password),
                         device=device, expires_at=timezone.now() + datetime.timedelta(days=days))
        token._history_user = user  # type: ignore[attr-defined]  # simple-history's documented hook
        token._change_reason = "issued by its owner"  # type: ignore[attr-defined]
        token.save()
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token_id: int, actor: Any, reason: str) -> bool:
    """Revoke a live token of the actor's (or any, for an administrator); False if there was none."""
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(pk=token_id, revoked_at__isnull=True)
        if not actor.is_superuser:
            tokens = tokens.filter(user=actor)
        token = tokens.first()
        if token is None:
            return False
        _revoke(token, actor=actor, reason=reason)
    return True


def api_tokens_revoke_dead(*, user_id: int, actor: Any = None, device_id: int | None = None) -> int:
    """Revoke, with a history entry saying why, every live token of this user that no longer works:
    after the owner's password changed or the account was deactivated, or (with `device_id`) the
    tokens made under an authenticator that is being removed. Returns how many."""
    revoked = 0
    with transaction.atomic():
        tokens = (ApiToken.objects.select_for_update().select_related("user")
                  .filter(user_id=user_id, revoked_at__isnull=True))
        for token in tokens:
            reason = SECOND_FACTOR_REMOVED if device_id is not None and token.device_id == device_id \
                else _is_dead(token)
            if reason is None:
                continue
            _revoke(token, actor=actor, reason=reason)
            revoked += 1
    return revoked


def _revoke(token: ApiToken, *, actor: Any, reason: str) -> None:
    token.revoked_at = timezone.now()
    if actor is not None:
        token._history_user = actor  # type: ignore[attr-defined]  # simple-history's documented hook
    token.save(update_fields=["revoked_at"])
    update_change_reason(token, reason)


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk)


def live_token(secret: str) -> ApiToken | None:
    """The live token of this secret, with its active owner, in one query. A token whose owner's
    password changed, or whose authenticator was removed, is revoked here (with its reason in the
    history) if nothing revoked it before, and refused."""
    now = timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(digest=token_digest(secret), revoked_at__isnull=True, expires_at__gt=now,
                     user__is_active=True).first())
    if token is not None and _is_dead(token) is not None:
        api_tokens_revoke_dead(user_id=token.user_id)
        return None
    if token is not None and (token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # not history: a usage stamp
    return token


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer pd_…`. An unknown, expired or revoked token is a 401, never a fallback
    to anonymous: a client must learn at once that its token stopped working."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as one word after “Bearer”."))
        try:
            secret = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = live_token(secret) if secret.startswith(PREFIX) and len(secret) < 100 else None
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: it is unknown, has expired or was revoked."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema (and so Swagger UI and schemathesis) describes the tokens."""

    target_class = "desk.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A token made on /staff/account/ (read-only or read-and-act)."}
