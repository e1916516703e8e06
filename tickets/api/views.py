"""The REST API (/api/v1/): the same selectors and services as the pages, default deny.

A ticket outside the caller's queues is a 404; a domain refusal is a 409 with a code and the reason
in the caller's language; the ticket's detail lists what the caller may do with it now."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from desk.ratelimit import RateLimited, client_address
from tickets import actions, selectors, services
from tickets.api import serializers as api
from tickets.api.caching import NotCached
from tickets.forms import HUMAN_CHECK_FIELDS, RequestForm
from tickets.models import AccessLog, Message, Ticket
from tickets.selectors.metrics import dashboard_figures, dashboard_queues
from tickets.services.intake import SubmissionKeyUsed, Submitter, request_submit, requester_language
from tickets.staff_forms import QueueFilterForm, dashboard_form


class TicketCursor(CursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("due_date", "id")
    # Lazy, so each answer is in its reader's language (the stubs type the attribute as str).
    invalid_cursor_message = cast(str, gettext_lazy(
        "This page of the list cannot be found. Start again from the first page."))

    def decode_cursor(self, request: Request) -> Cursor | None:
        """A cursor the desk did not make is a 400 with a message: its position goes into the due
        date's filter, and one that is not a date failed there as a 500 (issue 15, hole 8)."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ParseError(self.invalid_cursor_message) from None
        if cursor is not None and cursor.position is not None:
            try:
                datetime.date.fromisoformat(str(cursor.position))
            except ValueError:
                raise ParseError(self.invalid_cursor_message) from None
        return cursor


FILTER_PARAMETERS = [
    OpenApiParameter("status", str, many=True), OpenApiParameter("kind", str),
    OpenApiParameter("regime", str), OpenApiParameter("queue", int),
    OpenApiParameter("assignee", str, description='"mine", "unassigned" or a user id'),
    OpenApiParameter("escalation", int), OpenApiParameter("due_within", int),
    OpenApiParameter("q", str, description="reference, requester name or email"),
]


@extend_schema(parameters=FILTER_PARAMETERS)
class TicketList(NotCached, generics.ListAPIView[Ticket]):
    """The caller's tickets, soonest due first, with the queue page's filters."""

    serializer_class = api.TicketListSerializer
    pagination_class = TicketCursor

    def get_queryset(self) -> QuerySet[Ticket]:
        form = QueueFilterForm(self.request.query_params, queues=selectors.queues_of(self.request.user))
        return selectors.ticket_queue(self.request.user, form.to_filter(), today=timezone.localdate())


class TicketDetail(NotCached, generics.RetrieveAPIView[Ticket]):
    serializer_class = api.TicketDetailSerializer
    lookup_field = "reference"

    def get_object(self) -> Ticket:
        ticket = selectors.ticket_for_staff(self.request.user, self.kwargs["reference"])
        services.access_record(user=self.request.user, action=AccessLog.Action.API_VIEW, ticket=ticket)
        return ticket


class TicketMessages(NotCached, generics.ListAPIView[Message]):
    """Every message of a ticket, internal notes included (staff only), oldest first."""

    serializer_class = api.MessageSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Message]:
        ticket = selectors.ticket_for_staff(self.request.user, self.kwargs["reference"])
        services.access_record(user=self.request.user, action=AccessLog.Action.API_VIEW, ticket=ticket,
                               detail="messages")
        return ticket.messages.select_related("author").order_by("created_at", "id")


class TicketAction(NotCached, generics.GenericAPIView[Ticket]):
    """Base of every action endpoint: parse, call the one service, answer with the ticket."""

    serializer_class = api.EmptyInput
    action_name: ClassVar[str]

    @extend_schema(responses={200: api.TicketDetailSerializer, 400: api.ErrorOutput,
                              404: api.ErrorOutput, 409: api.ErrorOutput})
    def post(self, request: Request, reference: str) -> Response:
        ticket = selectors.ticket_for_staff(request.user, reference)
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        # The ticket page's answer, in its words: a 409 with the reason if the ticket does not
        # allow the action now (malformed input was a 400 first, as everywhere).
        actions.available_actions(ticket, request.user).refuse_unless_allowed(self.action_name)
        actions.ticket_act(action=self.action_name, ticket_id=ticket.pk, data=given.validated_data,
                            actor=cast(User, request.user))  # IsStaffMember: a signed-in user
        ticket = selectors.ticket_for_staff(request.user, reference)
        return Response(api.TicketDetailSerializer(ticket, context=self.get_serializer_context()).data)


# One endpoint per action, /api/v1/tickets/<reference>/<name>/ (request_information as
# request-information), taking the input its record names (tickets/actions.py).
ACTIONS: dict[str, type[TicketAction]] = {
    action.endpoint: type(
        action.name.title().replace("_", ""), (TicketAction,),
        {"serializer_class": import_string(action.serializer), "action_name": action.name,
         "__doc__": f"{action.name}: calls tickets.services."})
    for action in actions.ACTIONS
}


class Intake(generics.GenericAPIView[Ticket]):
    """A request from another channel, validated exactly as the public form validates it."""

    serializer_class = api.IntakeInput
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # no session: nothing to forge across sites
    # Counted by desk.ratelimit with the page's limits instead: DRF's throttle reads, compares
    # and writes back, so a parallel burst gets through (DRF#8127).
    throttle_classes = []

    @extend_schema(responses={201: api.IntakeOutput, 200: api.IntakeRepeatOutput, 400: api.ErrorOutput,
                              409: api.ErrorOutput, 429: api.ErrorOutput})
    def post(self, request: Request) -> Response:
        """201 and the new request; a resend of the same `submission_key` with the same email
        (an answer lost after the request was saved) is 200 with its reference only, and nothing
        is made; the key with another email is 409, tells nothing, and is counted by the limits."""
        data = request.data if isinstance(request.data, dict) else {}
        # The page's human checks (a hidden trap, the time the page was served) mean nothing to a
        # program; if a client copies them from the page, they are dropped, not refused.
        fields = {k: str(v) for k, v in data.items() if k not in HUMAN_CHECK_FIELDS}
        form = RequestForm(data=fields, files=request.FILES)
        if not form.is_valid():
            return Response({"code": "invalid", "message": "The input is not valid.",
                             "errors": form.errors.get_json_data()}, status=status.HTTP_400_BAD_REQUEST)
        try:
            submission = request_submit(
                new_request=form.to_request(), client=client_address(cast(HttpRequest, request)),
                submitter=Submitter(email=form.cleaned_data["email"], by_email=True),
                language=requester_language())
        except RateLimited as refused:
            message = _("Too many requests from this address or for this email address. Nothing was "
                        "saved. Try again in %(seconds)s seconds.") % {"seconds": refused.retry_after}
            return Response({"code": "rate_limited", "message": message, "retry_after": refused.retry_after},
                            status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(refused.retry_after)})
        except SubmissionKeyUsed as refusal:
            return Response({"code": refusal.code, "message": refusal.message},
                            status=status.HTTP_409_CONFLICT)
        if not submission.created:  # the sender's own resend: that it exists, and nothing else
            return Response(api.IntakeRepeatOutput({"reference": submission.ticket.reference,
                                                    "created": False}).data, status=status.HTTP_200_OK)
        body = {"reference": submission.ticket.reference, "due_date": submission.ticket.due_date,
                "created": True}
        return Response(api.IntakeOutput(body).data, status=status.HTTP_201_CREATED)


METRICS_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default: 29 days ago)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day, included (default: today)"),
    OpenApiParameter("queue", int), OpenApiParameter("kind", str), OpenApiParameter("regime", str),
]


class Metrics(NotCached, generics.GenericAPIView[Any]):
    """The dashboard's figures for a period, over the queues the caller manages (managers and
    administrators). Dates are the organisation's, in the time zone the answer names."""

    serializer_class = api.MetricsSerializer

    @extend_schema(parameters=METRICS_PARAMETERS, responses=api.MetricsSerializer)
    def get(self, request: Request) -> Response:
        if not dashboard_queues(request.user).exists():
            raise PermissionDenied(_("Only the managers of a queue see its figures."))
        today = timezone.localdate()
        form = dashboard_form(request.query_params, user=request.user, today=today)
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors]
                                   for name, errors in form.errors.items()})
        figures = dashboard_figures(request.user, form.to_filter(), today=today)
        return Response(api.MetricsSerializer(figures).data)
