"""Notifications (every member, merchant or supplier) and webhooks (merchant owner).

GET  /api/v1/notifications/?unread=true         the caller's own, in the token's organization
POST /api/v1/notifications/{id}/read/           200 with the notification
POST /api/v1/notifications/read-all/            200 {"marked_read": n}
GET|POST /api/v1/webhooks/                      POST answers 201 with `secret`, shown once
GET|DELETE /api/v1/webhooks/{id}/               DELETE: 204; deliveries stop, the log stays
POST /api/v1/webhooks/{id}/rotate-secret/       200 with the new `secret`, shown once; the old
                                                one signs nothing from then on
GET  /api/v1/webhooks/{id}/deliveries/          newest first, each with its latest attempts
POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend/
                                                202: sent again now (same event id); 409 while
                                                it is being sent
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import MERCHANT_OWNERS, OrganizationKind
from core.api.params import boolean_param
from core.api.views import ScopedViewSet
from core.errors import NotFound
from notifications import selectors, services
from notifications.api.serializers import (
    MarkedReadSerializer,
    NotificationSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
)


class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        unread = boolean_param(self.request, "unread")
        return selectors.notification_list_for_user(user=self.request.user, unread=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description=_("Only unread notifications."))]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        if notification is None:
            raise NotFound()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = services.notification_mark_all_read(user=request.user)
        return Response({"marked_read": count})


class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    organization_kinds = (OrganizationKind.MERCHANT,)
    read_roles = MERCHANT_OWNERS
    write_roles = MERCHANT_OWNERS
    serializer_class = WebhookEndpointSerializer

    def get_queryset(self):
        return selectors.webhook_endpoint_list()

    def _endpoint(self, pk):
        endpoint = selectors.webhook_endpoint_get(endpoint_id=pk)
        if endpoint is None:
            raise NotFound()
        return endpoint

    @extend_schema(
        request=WebhookEndpointCreateSerializer, responses={201: WebhookEndpointCreatedSerializer}
    )
    def create(self, request):
        body = WebhookEndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(actor=self.actor, **body.validated_data)
        endpoint.secret = secret
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: WebhookEndpointCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint, secret = services.webhook_endpoint_rotate_secret(
            actor=self.actor, endpoint=self._endpoint(pk)
        )
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.webhook_endpoint_delete(actor=self.actor, endpoint=self._endpoint(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        deliveries = selectors.webhook_delivery_list(endpoint=self._endpoint(pk))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9a-f-]{36})/resend",
    )
    def resend(self, request, pk=None, delivery_id=None):
        delivery = selectors.webhook_delivery_get(
            endpoint=self._endpoint(pk), delivery_id=delivery_id
        )
        if delivery is None:
            raise NotFound()
        delivery = services.webhook_delivery_resend(actor=self.actor, delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
