"""The pages an agent waits on, at scale: the queue page, the API list and the ticket page with
fifty messages, on the realistic seeded desk of bench/seed.py (the dashboard has its own bench,
bench/dashboard.py, on the same seed: the plot takes both).

Why through Django's test Client and not a server: what is measured is the desk's own work per
request (middleware, the second-factor check, the selectors, the template or serializer), not
a server's; the intake bench measures a real server. Each page is timed over R runs after two
warm-ups, with its query count (and the SQL of the slowest queries) from one more run: the
targets are p99 under 100 ms at a million tickets with a query count that does not grow with N.

The agent is a member of one queue (the seed's "requests", most of the desk), signed in with the
second factor; the API is asked once with a token (Authorization: Bearer) and once with the
session. The ticket page's ticket gets its fifty messages through the services (half internal
notes, half the requester's messages), so the rows, their encrypted bodies and their history
are what the desk writes; a seed reloaded later starts again without them.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import override_settings

from bench import seed as seeding
from bench.dashboard import code, explain, timed
from desk.models import ApiToken
from desk.tokens import api_token_issue
from tests.support.people import sign_in_fully
from tickets import services
from tickets.choices import MessageKind
from tickets.lifecycle import OPEN_STATUSES
from tickets.models import Queue, Ticket

TARGET_MS = 100  # the issue's target for the queue page and the API list at a million tickets
AGENT = "bench-agent-01"  # on the "requests" queue only (bench/seed.py staff())
MESSAGES = 50
TOKEN_NAME = "bench pages"  # noqa: S105 - the token's label, not a secret
# One filter and a sort, as an agent narrows the queue: access requests, newest first.
FILTERED = "?kind=access&sort=-received"


def seeded_desk(tickets: int, *, reseed: bool) -> tuple[seeding.Seeded, bool]:
    """The seed of N tickets, loaded unless the database already holds it: (seed, reused)."""
    seeded = None if reseed else seeding.current(tickets)
    if seeded is not None:
        print(f"reusing the {tickets:,} tickets seeded at {seeded.as_of} (in {seeded.seconds:.1f} s); "
              "--reseed to load them again")
        return seeded, True
    print(f"seeding {tickets:,} tickets…", flush=True)
    seeded = seeding.seed(tickets)
    print(f"seeded {tickets:,} tickets in {seeded.seconds:.1f} s {seeded.phases}")
    return seeded, False


def agent_of_one_queue() -> User:
    seeding.staff()  # the people and queues, made once
    agent = User.objects.get(username=AGENT)
    queues = list(Queue.objects.filter(members=agent).values_list("slug", flat=True))
    if queues != ["requests"]:
        raise SystemExit(f"{AGENT} should work the 'requests' queue alone, not {queues}")
    return agent


def ticket_with_messages(agent: User) -> Ticket:
    """The open ticket of the agent's queue with the highest id (received last), given fifty
    messages through the services if it has fewer."""
    open_values = [status.value for status in OPEN_STATUSES]
    ticket = (Ticket.objects.filter(queue__slug="requests", status__in=open_values)
              .order_by("-id").first())
    if ticket is None:
        raise SystemExit("no open ticket in the requests queue")
    have = ticket.messages.count()
    for number in range(have, MESSAGES):
        if number % 2:
            services.ticket_add_note(ticket_id=ticket.pk, actor=agent,
                                     body=f"Checked the customer register, step {number}.")
        else:
            services.ticket_add_requester_message(
                ticket=ticket, attachment=None,
                body=f"Any news on my request? This is my message number {number}.")
    ticket.refresh_from_db()
    assert ticket.messages.count() >= MESSAGES
    assert ticket.messages.filter(kind=MessageKind.INTERNAL_NOTE).exists()
    return ticket


def bearer_token(agent: User) -> str:
    """A fresh read token of the agent's (the previous bench's tokens are revoked first)."""
    ApiToken.objects.filter(user=agent, name=TOKEN_NAME).delete()
    return api_token_issue(user=agent, name=TOKEN_NAME, scope=ApiToken.Scope.READ, days=1).secret


def _get(client: Client, path: str, **headers: Any) -> Any:
    def work() -> Any:
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:500])
        return response
    return work


def run(*, tickets: int, runs: int, reseed: bool, with_explain: bool) -> dict[str, Any]:
    seeded, reused = seeded_desk(tickets, reseed=reseed)
    agent = agent_of_one_queue()
    ticket = ticket_with_messages(agent)
    secret = bearer_token(agent)
    load_before = os.getloadavg()
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    results: dict[str, Any] = {}
    with override_settings(ALLOWED_HOSTS=hosts):
        session = sign_in_fully(Client(), agent)
        tokened = Client()
        pages = {
            "queue page": _get(session, "/staff/tickets/"),
            "queue page, filtered and sorted": _get(session, f"/staff/tickets/{FILTERED}"),
            "API list, token": _get(tokened, "/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {secret}",
                                    HTTP_ACCEPT="application/json"),
            "API list, session": _get(session, "/api/v1/tickets/", HTTP_ACCEPT="application/json"),
            "ticket page, 50 messages": _get(session, f"/staff/tickets/{ticket.reference}/"),
        }
        for label, work in pages.items():
            print(f"  {label}…", flush=True)
            results[label] = timed(work, runs)
            if with_explain:
                results[label]["explain"] = [
                    {"ms": query["ms"], "sql": query["sql"], "plan": explain(query["sql"])}
                    for query in results[label]["slowest"][:3] if query["sql"].lstrip().startswith("SELECT")]
    _print(tickets, seeded, results)
    return {"tickets": tickets, "runs": runs, "target_ms": TARGET_MS, "agent": AGENT,
            "ticket": {"reference": ticket.reference, "messages": ticket.messages.count()},
            "filtered": FILTERED, "seed": {**asdict(seeded), "reused": reused},
            "code": code(), "load_average": {"before": load_before, "after": os.getloadavg()},
            "results": results}


def _print(tickets: int, seeded: seeding.Seeded, results: dict[str, Any]) -> None:
    print(f"\n{tickets:,} tickets; seeded in {seeded.seconds:.1f} s; load {os.getloadavg()[0]:.2f}")
    print("\n| page | queries | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, row in results.items():
        print(f"| {label} | {row['queries']} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
              f"{row['max_ms']:.1f} |")
    for label, row in results.items():
        slow = ", ".join(f"{query['ms']:.1f}" for query in row["slowest"][:3])
        print(f"  {label}: slowest queries (ms) {slow}")
