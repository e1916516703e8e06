"""Every route of the desk, once, with who may reach it and whether it changes anything.

tests/security/test_routes.py walks Django's URL resolver and fails on a route missing here, so a
new endpoint cannot escape the matrix, the method tests, the CSRF tests and the header crawl.

`access` says who reaches the route:
    public      anyone (the request form, the login page…)
    status      the browser holding a status session (the emailed link)
    sign_in     a member of staff between the password and the second factor
    staff       active staff past the second factor (their own queue list, notifications)
    ticket      staff who may see the ticket (tickets.selectors.ticket_visible_to)
    figures     managers of a queue and administrators (tickets.selectors.metrics.dashboard_queues)
    api_*       the same, through the REST API (JSON answers, 403 for the unauthenticated)
`changes` is true where a POST changes data: GET and HEAD there must be 405 and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickets.actions import NAMES


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # {ref}, {attachment}, {token}, {action}, {table}, {number} are filled in per test
    access: str
    changes: bool = False
    html: bool = True  # a page a browser renders (the header crawl reads these)


STAFF_ACTIONS = tuple(sorted(NAMES))
API_ACTIONS = tuple(name.replace("_", "-") for name in STAFF_ACTIONS)

ROUTES: tuple[Route, ...] = (
    Route("set_language", "/i18n/setlang/", "public", changes=False, html=False),
    Route("tickets:request_form", "/", "public"),
    Route("tickets:submitted", "/submitted/", "public"),
    Route("tickets:status", "/status/", "status"),
    Route("tickets:status_lost", "/status/lost/", "public"),
    Route("tickets:status_lost_sent", "/status/lost/sent/", "public"),
    # The emailed link's page: GET shows it (the secret stays in the fragment), POST exchanges it.
    Route("tickets:status_link", "/status/link/", "public"),
    Route("tickets:status_open", "/status/open/{token}/", "public", html=False),
    Route("tickets:status_satisfaction", "/status/satisfaction/", "status", changes=True, html=False),
    # Withdrawing: GET shows the question, the confirming POST withdraws (issue 16, item 12).
    Route("tickets:status_withdraw", "/status/withdraw/", "status"),
    Route("tickets:staff_home", "/staff/", "public", html=False),
    Route("tickets:staff_login", "/staff/login/", "public"),
    Route("tickets:staff_logout", "/staff/logout/", "public", changes=True, html=False),
    Route("tickets:staff_queue", "/staff/tickets/", "staff"),
    Route("tickets:staff_queue_csv", "/staff/tickets/export.csv", "staff", html=False),
    Route("tickets:staff_dashboard", "/staff/dashboard/", "figures"),
    Route("tickets:staff_dashboard_csv", "/staff/dashboard/{table}.csv", "figures", html=False),
    Route("tickets:staff_monthly_report", "/staff/reports/monthly/", "figures"),
    # The members, managers and membership changes of the queues one manages (issue 15, hole 13).
    Route("tickets:staff_queues", "/staff/queues/", "figures"),
    Route("tickets:staff_ticket", "/staff/tickets/{ref}/", "ticket"),
    Route("tickets:staff_attachment", "/staff/tickets/{ref}/files/{attachment}/", "ticket", html=False),
    Route("tickets:staff_record", "/staff/tickets/{ref}/record/", "ticket"),
    Route("tickets:staff_action", "/staff/tickets/{ref}/{action}/", "ticket", changes=True, html=False),
    # The second factor and the account (desk/staff_urls.py): the sign-in steps are reached half
    # signed in; the account pages by staff past the second factor.
    Route("desk:second_factor", "/staff/login/verify/", "sign_in"),
    Route("desk:enrol", "/staff/login/enrol/", "sign_in"),
    # One-time enrolment links (desk/enrolment.py): the link is exchanged for the session (a 302,
    # or a 404 page for a link that does not work); the password page behind it needs that session.
    Route("desk:enrolment_link_open", "/staff/enrol/{token}/", "public", html=False),
    Route("desk:enrolment", "/staff/enrol/", "public"),
    Route("desk:account", "/staff/account/", "staff"),
    Route("desk:recovery_codes", "/staff/account/recovery-codes/", "staff", changes=True, html=False),
    Route("desk:api_token_new", "/staff/account/tokens/", "staff", changes=True, html=False),
    Route("desk:api_token_revoke", "/staff/account/tokens/{number}/revoke/", "staff", changes=True,
          html=False),
    Route("notification_list", "/staff/notifications/", "staff"),
    Route("notifications_read", "/staff/notifications/read/", "staff", changes=True, html=False),
    Route("api_tickets", "/api/v1/tickets/", "api_staff", html=False),
    Route("api_ticket", "/api/v1/tickets/{ref}/", "api_ticket", html=False),
    Route("api_messages", "/api/v1/tickets/{ref}/messages/", "api_ticket", html=False),
    Route("api_intake", "/api/v1/intake/", "api_public", changes=True, html=False),
    Route("api_metrics", "/api/v1/metrics/", "api_figures", html=False),
    Route("schema", "/api/schema/", "public", html=False),
    Route("api_docs", "/api/docs/", "public"),
    # The development profile's sent emails (desk/dev_mail.py, issue 16, item 16); never routed in production.
    Route("dev_mail", "/dev/mail/", "public"),
    *(Route(f"api_{name}", f"/api/v1/tickets/{{ref}}/{name}/", "api_ticket", changes=True, html=False)
      for name in API_ACTIONS),
)
BY_NAME = {route.name: route for route in ROUTES}
# Valid inputs of each staff action's form and each API action's serializer, for a ticket just received.
PAGE_INPUT: dict[str, dict[str, str]] = {
    "claim": {}, "assign": {"assignee": "", "reason": ""}, "move": {"queue": "", "reason": ""},
    "reply": {"reply-body": "Here is your data."}, "note": {"note-body": "Checked the CRM."},
    "request_information": {"info-kind": "clarification", "info-body": "Which account?"},
    "extend": {"extend-reason": "Many systems to search."},
    "resolve": {"resolve-outcome": "fulfilled", "resolve-body": "Done.", "resolve-reason": ""},
    "reject": {"reject-reason": "Manifestly unfounded."}, "close": {"reason": ""}, "reopen": {"reason": ""},
}
API_INPUT: dict[str, dict[str, object]] = {
    "claim": {}, "assign": {"assignee": None}, "move": {"queue": "complaints"},
    "reply": {"body": "r"}, "note": {"body": "n"}, "request-information": {"kind": "identity", "body": "ID?"},
    "extend": {"reason": "complex"}, "resolve": {"outcome": "fulfilled", "body": "done"},
    "reject": {"reason": "spam"}, "close": {}, "reopen": {},
}


def fill(path: str, *, ref: str = "", attachment: int = 0, token: str = "", action: str = "",
         table: str = "status", number: int = 1) -> str:
    return path.format(ref=ref, attachment=attachment, token=token, action=action, table=table,
                       number=number)
