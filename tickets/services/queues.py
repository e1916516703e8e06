"""Who works and who oversees each queue. Membership decides who sees whose personal data
(tickets.selectors.ticket_visible_to), so every change names who made it and why, in one
transaction with the change itself (issue 15: a superuser could add themselves to any queue and
nobody would know)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import Queue, QueueMembershipChange
from tickets.services.common import stamp

# What the admin records when the administrator gives no reason; shown translated (`reason_shown`).
ADMIN_REASON = "changed in the admin by {username}"
# The queue's history keeps the reason in simple-history's default column (100 characters); the
# membership entry keeps it whole (500).
QUEUE_HISTORY_REASON_LENGTH = 100


def admin_reason(actor: User) -> str:
    return ADMIN_REASON.format(username=actor.get_username())


def reason_shown(entry: QueueMembershipChange) -> str:
    """The entry's reason as a page shows it: the admin's own wording in the reader's language."""
    if entry.reason == ADMIN_REASON.format(username=entry.actor_username):
        return _("Changed in the admin by %(name)s") % {"name": entry.actor_username}
    return entry.reason


def queue_membership_change(
        *, queue_id: int, role: str, actor: User, reason: str, add: Iterable[int] = (),
        remove: Iterable[int] = ()) -> list[QueueMembershipChange]:
    """Add and remove members (or managers) of one queue; one entry per user whose membership
    changed, and one history entry of the queue with the actor and the reason. Adding someone
    already there, or removing someone who is not, changes and writes nothing."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a membership change needs a reason")
    if role not in QueueMembershipChange.Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        # The queue's row lock serialises two changes of its membership: each reads who is there
        # under it, so two admins adding the same person write one entry, not two.
        queue = Queue.objects.select_for_update().get(pk=queue_id)
        relation = queue.members if role == QueueMembershipChange.Role.MEMBER else queue.managers
        present = set(relation.values_list("pk", flat=True))
        adding = sorted(set(add) - present)
        removing = sorted(set(remove) & present)
        if not adding and not removing:
            return []
        users = get_user_model().objects.in_bulk([*adding, *removing])
        if len(users) != len(adding) + len(removing):
            raise ValueError("no such user")
        relation.add(*(users[pk] for pk in adding))
        relation.remove(*(users[pk] for pk in removing))
        entries = QueueMembershipChange.objects.bulk_create([
            QueueMembershipChange(queue=queue, user=users[pk], username=users[pk].get_username(), role=role,
                                  added=pk in adding, actor=actor, actor_username=actor.get_username(),
                                  reason=reason[:500])
            for pk in [*adding, *removing]])
        summary = ", ".join([*(f"+{users[pk].get_username()}" for pk in adding),
                             *(f"-{users[pk].get_username()}" for pk in removing)])
        stamp(queue, actor=actor, reason=f"{role}s {summary}: {reason}"[:QUEUE_HISTORY_REASON_LENGTH])
        queue.save()
    return entries
