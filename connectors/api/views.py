"""Shop connectors (merchant owner only); the shops' own deliveries arrive in webhooks.py.

GET|POST /api/v1/connectors/                          POST: 201; the secret is never shown back
GET      /api/v1/connectors/{id}/
POST     /api/v1/connectors/{id}/secret/              replace the signing secret
GET|POST /api/v1/connectors/{id}/mappings/            which supplier fulfils which line
GET      /api/v1/connectors/{id}/events/              every delivery received, newest first
POST     /api/v1/connectors/{id}/events/{event_id}/retry/   202: a failed delivery again
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import MERCHANT_OWNERS, OrganizationKind
from connectors import selectors
from connectors.api import serializers
from connectors.services import connectors as services
from core.api.views import ScopedViewSet
from core.errors import NotFound

ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="List shop connectors"),
    retrieve=extend_schema(summary="One shop connector", parameters=[ID]),
)
class ConnectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    organization_kinds = (OrganizationKind.MERCHANT,)
    read_roles = MERCHANT_OWNERS
    write_roles = MERCHANT_OWNERS
    serializer_class = serializers.ConnectorSerializer

    def get_queryset(self):
        return selectors.connector_list()

    def _connector(self, pk):
        connector = selectors.connector_get(connector_id=pk)
        if connector is None:
            raise NotFound()
        return connector

    def retrieve(self, request, pk=None):
        return Response(serializers.ConnectorSerializer(self._connector(pk)).data)

    @extend_schema(
        summary="Connect a shop",
        request=serializers.ConnectorCreateSerializer,
        responses={201: serializers.ConnectorSerializer},
    )
    def create(self, request):
        body = serializers.ConnectorCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        connector = services.connector_create(actor=self.actor, **body.validated_data)
        return Response(
            serializers.ConnectorSerializer(connector).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Replace the signing secret",
        parameters=[ID],
        request=serializers.SecretSerializer,
        responses=serializers.ConnectorSerializer,
    )
    @action(detail=True, methods=["post"])
    def secret(self, request, pk=None):
        connector = self._connector(pk)
        body = serializers.SecretSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        connector = services.connector_secret_rotate(
            actor=self.actor, connector=connector, secret=body.validated_data["secret"]
        )
        return Response(serializers.ConnectorSerializer(connector).data)

    @extend_schema(
        methods=["GET"],
        summary="Supplier mappings",
        parameters=[ID],
        responses=serializers.SupplierMappingSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a supplier mapping",
        parameters=[ID],
        request=serializers.SupplierMappingCreateSerializer,
        responses={201: serializers.SupplierMappingSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def mappings(self, request, pk=None):
        connector = self._connector(pk)
        if request.method == "POST":
            body = serializers.SupplierMappingCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            mapping = services.supplier_mapping_create(
                actor=self.actor, connector=connector, **body.validated_data
            )
            return Response(
                serializers.SupplierMappingSerializer(mapping).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(selectors.supplier_mapping_list(connector=connector))
        return self.get_paginated_response(
            serializers.SupplierMappingSerializer(page, many=True).data
        )

    @extend_schema(
        summary="Deliveries received",
        parameters=[ID],
        responses=serializers.ConnectorEventSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        page = self.paginate_queryset(selectors.connector_event_list(connector=self._connector(pk)))
        return self.get_paginated_response(
            serializers.ConnectorEventSerializer(page, many=True).data
        )

    @extend_schema(
        summary="Process a failed delivery again",
        parameters=[ID, OpenApiParameter("event_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=None,
        responses={202: serializers.ConnectorEventSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"events/(?P<event_id>[0-9a-f-]{36})/retry",
    )
    def retry(self, request, pk=None, event_id=None):
        event = selectors.connector_event_get(connector=self._connector(pk), event_id=event_id)
        if event is None:
            raise NotFound()
        event = services.connector_event_retry(actor=self.actor, event=event)
        return Response(
            serializers.ConnectorEventSerializer(event).data, status=status.HTTP_202_ACCEPTED
        )
