from rest_framework import serializers

from notifications.events import ALL_EVENTS, event_types
from notifications.models import (
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.selectors import ATTEMPTS_SHOWN


class NotificationSerializer(serializers.ModelSerializer):
    # Worded in the caller's language (Accept-Language, else the user's) when read.
    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "type", "title", "body", "url", "read_at", "created_at"]


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "active", "created_at"]


class WebhookEndpointCreateSerializer(serializers.Serializer):
    # The URL's safety (scheme, address) is the service's check, done again at connection.
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=()), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The domains register their event types when they start, after this module loads.
        self.fields["events"].child.choices = [ALL_EVENTS, *event_types()]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The answer to creation: the only time the signing secret is shown."""

    secret = serializers.CharField()

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["id", "at", "status_code", "latency_ms", "error"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id")
    type = serializers.CharField(source="event.type")
    payload = serializers.JSONField(source="event.data")
    attempts = serializers.IntegerField()
    attempt_log = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "type",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "retry_until",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]

    def get_attempt_log(self, delivery) -> list[dict]:
        attempts = getattr(delivery, "recent_attempts", None)
        if attempts is None:
            attempts = list(delivery.attempts_log.order_by("-at"))
        return WebhookAttemptSerializer(attempts[:ATTEMPTS_SHOWN], many=True).data
