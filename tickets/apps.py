from __future__ import annotations

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Infrastructure, not business logic: every ticket history entry simple-history writes is
        # sealed into the ticket's hash chain, whichever service wrote it (tickets/audit.py).
        from simple_history.signals import pre_create_historical_record

        from notifications.services import status_link_issuer_register
        from tickets import audit
        from tickets.models import Ticket
        from tickets.services.common import status_link_renew

        pre_create_historical_record.connect(audit.seal, sender=Ticket.history.model,
                                             dispatch_uid="tickets.audit.seal")
        # The outbox fills in a requester's status link at each delivery attempt; notifications/
        # knows nothing of tickets, so it is handed the one function that makes them.
        status_link_issuer_register(status_link_renew)
