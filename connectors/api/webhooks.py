"""The shops' deliveries: POST <webhook_url>, authenticated by their signature alone.

Not a ScopedAPIView: the caller is a shop, not a member with a token. The connector named
in the URL supplies the secret the body must be signed with (checked over the raw bytes,
before anything is parsed) and the merchant whose scope the delivery is stored in. There is
no session, so no CSRF token is involved.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors import selectors
from connectors.services import intake
from core.api.schema import ErrorSerializer
from core.errors import NotFound, PayloadTooLarge

ANSWER = inline_serializer("ShopDeliveryAnswer", {"received": serializers.CharField()})


class ShopWebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="A shop's webhook delivery",
        description="Shopify: X-Shopify-Topic, X-Shopify-Hmac-Sha256, X-Shopify-Webhook-Id. "
        "WooCommerce: X-WC-Webhook-Topic, X-WC-Webhook-Signature, X-WC-Webhook-Delivery-ID. "
        "The signature is the base64 HMAC-SHA256 of the raw body with the connector's secret.",
        parameters=[OpenApiParameter("connector_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: ANSWER,
            401: OpenApiResponse(ErrorSerializer, description="The signature does not match."),
            404: OpenApiResponse(ErrorSerializer, description="No such connector."),
            413: OpenApiResponse(ErrorSerializer, description="The body is too large."),
        },
        auth=[],
    )
    def post(self, request, connector_id):
        limit = settings.CONNECTOR_WEBHOOK_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise PayloadTooLarge(
                _("The body is larger than %(size)d KB.") % {"size": limit // 1024}
            )
        # The raw bytes, read once and bounded: the signature is over exactly these.
        body = request._request.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(
                _("The body is larger than %(size)d KB.") % {"size": limit // 1024}
            )
        connector = selectors.connector_get_for_delivery(connector_id=connector_id)
        if connector is None:
            raise NotFound()
        received, _event = intake.connector_delivery_receive(
            connector=connector, headers=request.headers, body=body
        )
        return Response({"received": received.value}, status=status.HTTP_200_OK)
