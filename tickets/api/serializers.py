"""What the API shows and accepts. Input serializers parse; services decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.actions import NAMES as ACTION_NAMES
from tickets.actions import available_actions
from tickets.choices import Kind, Outcome, PauseKind
from tickets.models import Message, Queue, Ticket


class TicketListSerializer(serializers.ModelSerializer[Ticket]):
    queue: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)

    class Meta:
        model = Ticket
        fields = ["reference", "kind", "regime", "status", "priority", "received_at", "due_date",
                  "first_response_due", "queue", "assignee", "escalation_level", "language"]
        read_only_fields = fields


class ActionOutput(serializers.Serializer[Any]):
    """One action on the ticket: whether the caller may take it now, and if not, why."""

    action = serializers.ChoiceField(choices=ACTION_NAMES, help_text="the endpoint's name, with _ for -")
    allowed = serializers.BooleanField()
    reason = serializers.CharField(
        allow_blank=True, help_text="why it is not allowed, in the caller's language; empty if allowed")


class TicketDetailSerializer(TicketListSerializer):
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do with the ticket now (tickets.actions), the same "
                  "answer as the ticket page's; a refused action's endpoint answers 409 with the reason.")

    class Meta(TicketListSerializer.Meta):
        fields = [*TicketListSerializer.Meta.fields, "calendar", "requester_name", "requester_email",
                  "requester_country", "requester_region", "description", "deadlines",
                  "first_response_at", "resolved_at", "closed_at", "outcome", "outcome_reason", "actions"]
        read_only_fields = fields

    @extend_schema_field(ActionOutput(many=True))
    def get_actions(self, ticket: Ticket) -> list[dict[str, Any]]:
        request = self.context.get("request")
        if request is None:
            return []
        return available_actions(ticket, request.user).as_list()


class MessageSerializer(serializers.ModelSerializer[Message]):
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "created_at"]
        read_only_fields = fields


class Strict(serializers.Serializer[Any]):
    """Refuses unknown keys (a forged status, a receipt time…) like the forms do."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = self.initial_data if isinstance(self.initial_data, dict) else {}
        unknown = sorted(set(given) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({"non_field_errors": [
                _("These fields are not accepted here: %(names)s.") % {"names": ", ".join(unknown)}]})
        return attrs


class EmptyInput(Strict):
    pass


class BodyInput(Strict):
    body = serializers.CharField(max_length=20_000)


class RequestInformationInput(BodyInput):
    kind = serializers.ChoiceField(choices=PauseKind.choices)


class ReasonInput(Strict):
    reason = serializers.CharField(max_length=2_000)


class OptionalReasonInput(Strict):
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


class ResolveInput(BodyInput):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


class AssignInput(Strict):
    assignee = serializers.IntegerField(allow_null=True, min_value=1)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


class MoveInput(Strict):
    queue = serializers.SlugField(max_length=50)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        queue = Queue.objects.filter(slug=attrs["queue"]).first()
        attrs["queue_id"] = queue.pk if queue is not None else 0  # unknown: the service says so
        return attrs


class IntakeInput(serializers.Serializer[Any]):
    """The public form's fields (validated by the same form, tickets.forms.RequestForm)."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    country = serializers.CharField(max_length=2)
    us_state = serializers.CharField(max_length=5, required=False, allow_blank=True)
    uk_nation = serializers.CharField(max_length=3, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    description = serializers.CharField(max_length=10_000)
    submission_key = serializers.UUIDField(
        help_text="A fresh UUID per request: a repeat makes no second ticket. Resent with the same "
                  "email it answers 200 and the reference; with another email, 409.")


class IntakeOutput(serializers.Serializer[Any]):
    reference = serializers.CharField()
    due_date = serializers.DateField()
    created = serializers.BooleanField()


class IntakeRepeatOutput(serializers.Serializer[Any]):
    """A resend of a request already saved (same submission key, same email): that it exists."""

    reference = serializers.CharField()
    created = serializers.BooleanField(help_text="always false: nothing new was made")


class ErrorOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False)  # type: ignore[assignment]  # a field named like Serializer.errors


# --- Metrics: the dashboard's figures (tickets.selectors.metrics.Dashboard), read as attributes -----

def _counts() -> serializers.DictField:
    return serializers.DictField(child=serializers.IntegerField())


def _rate() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True,
                                  help_text="a share from 0 to 1; null when nothing was answered")


class MetricsPeriodSerializer(serializers.Serializer[Any]):
    # Reads the whole Dashboard (source="*"): its filter's period and the zone its days are in.
    start = serializers.DateField(source="filter.period.start")
    end = serializers.DateField(source="filter.period.end", help_text="included")
    time_zone = serializers.CharField()


class MetricsFiltersSerializer(serializers.Serializer[Any]):
    queue = serializers.IntegerField(source="queue_id", allow_null=True)
    kind = serializers.CharField(allow_blank=True)
    regime = serializers.CharField(allow_blank=True)


class NowSerializer(serializers.Serializer[Any]):
    open = serializers.IntegerField()
    by_status = _counts()
    due_within_7_days = serializers.IntegerField()
    overdue = serializers.IntegerField()
    paused = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    by_escalation_level = _counts()
    ageing = _counts()


class WeekSerializer(serializers.Serializer[Any]):
    week = serializers.DateField(help_text="the Monday the week starts on")
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()


class SpreadSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True, help_text="working days")
    p90 = serializers.FloatField(allow_null=True, help_text="working days")


class EscalationRuleSerializer(serializers.Serializer[Any]):
    level = serializers.IntegerField()
    rule = serializers.CharField()
    count = serializers.IntegerField()


class EscalationFiguresSerializer(serializers.Serializer[Any]):
    by_level = _counts()
    by_rule = EscalationRuleSerializer(many=True)
    total = serializers.IntegerField()


class PunctualitySerializer(serializers.Serializer[Any]):
    """What was answered in the period, and how punctually."""

    resolved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_extended = serializers.IntegerField()
    on_time_rate = _rate()


class AgentFiguresSerializer(PunctualitySerializer):
    agent = serializers.CharField()
    name = serializers.CharField()
    open = serializers.IntegerField()


class BreakdownSerializer(PunctualitySerializer):
    key = serializers.CharField()
    received = serializers.IntegerField()
    late = serializers.IntegerField()
    extended = serializers.IntegerField()
    refused = serializers.IntegerField()


class SatisfactionFiguresSerializer(serializers.Serializer[Any]):
    answers = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    by_score = _counts()
    response_rate = _rate()


class PeriodFiguresSerializer(serializers.Serializer[Any]):
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="answered by the first due date")
    on_time_extended = serializers.IntegerField(
        help_text="answered after the first due date, by the extended one")
    late = serializers.IntegerField()
    extended = serializers.IntegerField()
    refused = serializers.IntegerField()
    on_time_rate = _rate()
    on_time_extended_rate = _rate()
    late_rate = _rate()
    extension_rate = _rate()
    refusal_rate = _rate()
    weekly = WeekSerializer(many=True)
    first_response_days = SpreadSerializer()
    resolution_days = SpreadSerializer()
    escalations = EscalationFiguresSerializer()
    agents = AgentFiguresSerializer(many=True)
    kinds = BreakdownSerializer(many=True)
    queues = BreakdownSerializer(many=True)
    satisfaction = SatisfactionFiguresSerializer()


class MetricsSerializer(serializers.Serializer[Any]):
    period = MetricsPeriodSerializer(source="*")
    filters = MetricsFiltersSerializer(source="filter")
    today = serializers.DateField()
    now = NowSerializer()
    over_period = PeriodFiguresSerializer()
