"""The development profile's email: each message a file under var/mail/, and a page, /dev/mail/,
that lists them with their text (issue 16, item 16).

`make run` delivers about 150 demo emails within its first minute; on the console they buried the
demo sign-ins. Here they wait, newest first, with their status links clickable, so a newcomer can
follow a requester's email the way the requester would. Production has neither: settings refuse
DESK_EMAIL_BACKEND=files there, desk/urls.py registers the page only when it is on, and the view
answers 404 whenever it is off.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as ParsedMessage
from email.utils import formatdate
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The page shows the newest ones; older files stay on disk (`make clean` removes var/).
SHOWN = 200


class FileMailBackend(BaseEmailBackend):
    """Writes each message, as sent, to its own .eml file in DESK_DEV_MAIL_DIR.

    The name starts with the time in microseconds, so names sort by sending time; the file is
    written under a temporary name and renamed, so the page never reads half a message. The
    name and the Date header both read the desk's clock (desk/clock.py: the demo's past emails
    carry their moments); Django's own Date would read the process's.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(settings.DESK_DEV_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            sent_at = timezone.now()
            name = f"{sent_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            mime = message.message()
            if not any(header.lower() == "date" for header in message.extra_headers):
                mime.replace_header("Date", formatdate(sent_at.timestamp(),
                                                       localtime=settings.EMAIL_USE_LOCALTIME))
            partial = folder / f".{name}.partial"
            partial.write_bytes(mime.as_bytes(linesep="\n"))
            partial.rename(folder / name)
            sent += 1
        return sent


@dataclass(frozen=True)
class DeliveredMail:
    sent_at: datetime.datetime | None
    recipient: str
    subject: str
    text: str


def delivered_mail(folder: Path, *, limit: int = SHOWN) -> tuple[list[DeliveredMail], int]:
    """The newest `limit` messages in the folder, newest first, and how many there are in all."""
    names = sorted((path.name for path in folder.glob("*.eml")), reverse=True) if folder.is_dir() else []
    return [_read(folder / name) for name in names[:limit]], len(names)


def _read(path: Path) -> DeliveredMail:
    # The default policy parses into its EmailMessage class (typeshed says only Message).
    parsed = cast(ParsedMessage, email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
    body = parsed.get_body(preferencelist=("plain",))
    date = parsed["Date"]
    return DeliveredMail(
        sent_at=date.datetime if date is not None and date.datetime is not None else None,
        recipient=str(parsed["To"] or ""), subject=str(parsed["Subject"] or ""),
        text=body.get_content() if body is not None else "",
    )


@never_cache
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    if not settings.DESK_DEV_MAIL or settings.PRODUCTION:
        raise Http404
    messages, total = delivered_mail(Path(settings.DESK_DEV_MAIL_DIR))
    return render(request, "dev/mail.html", {"mail": messages, "total": total, "shown": len(messages)})
