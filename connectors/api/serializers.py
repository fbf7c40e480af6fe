from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from connectors.models import (
    Connector,
    ConnectorEvent,
    EventResult,
    MatchKind,
    Platform,
    SupplierMapping,
)


def webhook_url(connector: Connector) -> str:
    """The address to paste into the shop's webhook settings."""
    path = reverse("connector-webhook", kwargs={"connector_id": connector.pk})
    return settings.SITE_URL.rstrip("/") + path


class ConnectorSerializer(serializers.ModelSerializer):
    webhook_url = serializers.SerializerMethodField()
    default_supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Connector
        fields = ["id", "platform", "shop", "webhook_url", "default_supplier", "created_at"]

    def get_webhook_url(self, connector) -> str:
        return webhook_url(connector)


class ConnectorCreateSerializer(serializers.Serializer):
    # Shapes only; the rules (shop address, secret, linked supplier) are the service's.
    platform = serializers.ChoiceField(choices=Platform.choices)
    shop = serializers.CharField(max_length=255)
    secret = serializers.CharField(max_length=500, write_only=True)
    default_supplier = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=500, write_only=True)


class SupplierMappingSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SupplierMapping
        fields = ["id", "match", "value", "supplier", "created_at"]


class SupplierMappingCreateSerializer(serializers.Serializer):
    match = serializers.ChoiceField(choices=MatchKind.choices)
    value = serializers.CharField(max_length=200)
    supplier = serializers.CharField(max_length=64)


class ConnectorEventSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField()

    class Meta:
        model = ConnectorEvent
        fields = ["id", "topic", "received_at", "result", "detail", "order", "processed_at"]

    def get_result(self, event) -> EventResult | None:
        # Empty while a worker has not processed it yet.
        return event.result or None
