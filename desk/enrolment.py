"""One-time enrolment links (issue 15, hole 12): the password alone never sets up a second factor.

An administrator issues a link (`manage.py enrolment_link USERNAME`, or the action on the admin's
user list); it carries 256 random bits, of which only the SHA-256 digest is kept. Opening it puts
the link in the browser's session and takes the secret out of the address bar; the person then
gives their password, sets up the authenticator app, and the link is spent in the same transaction
as the confirmation (desk.second_factor.totp_enrol_confirm). A link ends at its expiry
(DESK_ENROLMENT_LINK_HOURS), once used, or when a newer link is issued for the same person.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from desk.models import EnrolmentLink
from desk.tokens import token_digest  # 256 random bits: a plain SHA-256, as for API tokens

SESSION_KEY = "desk_enrolment_link"


@dataclass(frozen=True)
class IssuedEnrolmentLink:
    link: EnrolmentLink
    secret: str  # shown once, to the administrator who issued it; never stored

    @property
    def path(self) -> str:
        return reverse("desk:enrolment_link_open", kwargs={"secret": self.secret})


def enrolment_link_issue(*, user: Any, actor: Any, reason: str,
                         hours: int | None = None) -> IssuedEnrolmentLink:
    """A fresh link for `user`; any earlier link of theirs that still works stops working."""
    hours = settings.DESK_ENROLMENT_LINK_HOURS if hours is None else hours
    if not 1 <= hours <= settings.DESK_ENROLMENT_LINK_HOURS:
        raise ValueError(f"an enrolment link lives 1 to {settings.DESK_ENROLMENT_LINK_HOURS} hours")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        earlier = EnrolmentLink.objects.select_for_update().filter(
            user=user, used_at__isnull=True, revoked_at__isnull=True)
        for link in earlier:
            link.revoked_at = now
            link._history_user = actor  # type: ignore[attr-defined]  # simple-history's documented hook
            link._change_reason = "replaced by a newer link"  # type: ignore[attr-defined]
            link.save(update_fields=["revoked_at"])
        link = EnrolmentLink(user=user, digest=token_digest(secret),
                             expires_at=now + datetime.timedelta(hours=hours))
        link._history_user = actor  # type: ignore[attr-defined]
        link._change_reason = reason[:100]  # type: ignore[attr-defined]
        link.save()
    return IssuedEnrolmentLink(link=link, secret=secret)


def live_link(*, secret: str = "", link_id: int | None = None) -> EnrolmentLink | None:
    """The link of this secret (or id), with its user, if it still works and its user is active staff."""
    if link_id is None and not secret:
        return None
    links = EnrolmentLink.objects.select_related("user").filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now(),
        user__is_active=True, user__is_staff=True)
    links = links.filter(pk=link_id) if link_id is not None else links.filter(digest=token_digest(secret))
    return links.first()
