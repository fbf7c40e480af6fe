from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import MERCHANT_WORKERS, SUPPLIER_WORKERS
from core.api.schema import ErrorSerializer
from core.api.views import MERCHANT, SUPPLIER, ScopedViewSet
from core.errors import ValidationFailed
from orders import hooks, selectors, services
from orders.api import serializers
from orders.api.pagination import OrderCursorPagination
from orders.filters import OrderFilter

ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
SHIPMENT_ID = OpenApiParameter("shipment_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
# A voided or delivered parcel can no longer be changed.
PARCEL_CONFLICT = OpenApiResponse(ErrorSerializer, description="The parcel can no longer change.")
# The parcel's own actions: the merchant's staff, or the supplier whose lines it carries.
PARCEL_ACTIONS = frozenset({"shipments", "shipment_correct", "shipment_void"})
ORDER_FOR_PARTY = PolymorphicProxySerializer(
    component_name="OrderForParty",
    serializers=[serializers.OrderSerializer, serializers.SupplierOrderSerializer],
    resource_type_field_name=None,
)
ORDER_DETAIL_FOR_PARTY = PolymorphicProxySerializer(
    component_name="OrderDetailForParty",
    serializers=[serializers.OrderDetailSerializer, serializers.SupplierOrderDetailSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(
        summary="List orders",
        description="Merchant: its orders. Supplier: the orders it fulfils lines of, across "
        "merchants, with only those lines.",
        responses=ORDER_FOR_PARTY,
    ),
    retrieve=extend_schema(summary="One order", parameters=[ID], responses=ORDER_DETAIL_FOR_PARTY),
)
class OrderViewSet(ScopedViewSet):
    queryset = None
    pagination_class = OrderCursorPagination
    filterset_class = OrderFilter
    # Actions only a merchant may call; the others serve suppliers too.
    merchant_actions = frozenset({"create", "bulk", "import_orders", "shipment_reship"})

    @property
    def organization_kinds(self):
        return (MERCHANT,) if self.action in self.merchant_actions else (MERCHANT, SUPPLIER)

    @property
    def write_roles(self):
        if self.action in PARCEL_ACTIONS:
            # The merchant's staff, or the supplier whose lines the parcel carries.
            return MERCHANT_WORKERS | SUPPLIER_WORKERS
        return MERCHANT_WORKERS

    def get_queryset(self):
        return selectors.order_list()

    def get_serializer_class(self):
        if self.request is not None and self.organization.is_supplier:
            return serializers.SupplierOrderSerializer
        return serializers.OrderSerializer

    def filter_queryset(self, queryset):
        if self.request.query_params.keys().isdisjoint(self.filterset_class.base_filters):
            # No filter named: django-filter would still build and check an empty form.
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request):
        orders = self.paginate_queryset(self.filter_queryset(selectors.order_row_list()))
        lines = selectors.order_line_rows_for_orders(order_ids=[order["id"] for order in orders])
        rows = (
            serializers.supplier_order_list_rows
            if self.organization.is_supplier
            else serializers.order_list_rows
        )
        return self.get_paginated_response(rows(orders, lines))

    def retrieve(self, request, pk=None):
        return Response(self._detail(selectors.order_get(order_id=pk)))

    @extend_schema(
        summary="Create an order",
        request=serializers.OrderInputSerializer,
        responses={
            201: serializers.OrderDetailSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="An order with this external_id exists."
            ),
        },
    )
    def create(self, request):
        body = _object(request.data)
        order = services.order_create(
            actor=self.actor,
            external_id=body.get("external_id"),
            placed_at=body.get("placed_at"),
            currency=body.get("currency"),
            customer=body.get("customer"),
            shipping_address=body.get("shipping_address"),
            lines=body.get("lines"),
        )
        order = selectors.order_get(order_id=order.pk)
        return Response(self._detail(order), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create or update up to 1,000 orders by external_id",
        request=serializers.BulkInputSerializer,
        responses=serializers.BulkResultSerializer,
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        result = services.order_bulk_upsert(
            actor=self.actor, orders=_object(request.data).get("orders")
        )
        return Response(serializers.BulkResultSerializer(result).data)

    @extend_schema(
        summary="Import orders from a CSV file in the background",
        request={"multipart/form-data": serializers.ImportUploadSerializer},
        responses={202: serializers.ImportCreatedSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_orders(self, request):
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(field_errors={"file": [_("No file was submitted.")]})
        order_import = services.order_import_start(actor=self.actor, file=file)
        body = serializers.ImportCreatedSerializer(order_import).data
        location = reverse("api-import-detail", kwargs={"pk": order_import.pk})
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        summary="Record a parcel with its tracking number",
        parameters=[ID],
        request=serializers.ShipmentInputSerializer,
        responses={201: serializers.ShipmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def shipments(self, request, pk=None):
        order = selectors.order_get(order_id=pk)
        body = serializers.ShipmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = selectors.order_line_list_for_order(
            order=order, line_ids=body.validated_data["lines"]
        )
        if lines is None:
            raise ValidationFailed(field_errors={"lines": [_("Unknown line for this order.")]})
        shipment = services.shipment_create(
            actor=self.actor,
            order=order,
            lines=lines,
            tracking_number=body.validated_data["tracking_number"],
            carrier=body.validated_data.get("carrier"),
            shipped_at=body.validated_data.get("shipped_at"),
        )
        return Response(
            serializers.ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Correct a parcel's tracking number",
        description="The merchant's staff or the parcel's supplier. The new number is checked "
        "like a new parcel's; a voided parcel is 409.",
        parameters=[ID, SHIPMENT_ID],
        request=serializers.ShipmentCorrectionSerializer,
        responses={200: serializers.ShipmentSerializer, 409: PARCEL_CONFLICT},
    )
    @action(detail=True, methods=["patch"], url_path=r"shipments/(?P<shipment_id>[^/.]+)")
    def shipment_correct(self, request, pk=None, shipment_id=None):
        shipment = selectors.shipment_get(
            order=selectors.order_get(order_id=pk), shipment_id=shipment_id
        )
        body = serializers.ShipmentCorrectionSerializer(data=_object(request.data))
        body.is_valid(raise_exception=True)
        shipment = services.shipment_correct(
            actor=self.actor,
            shipment=shipment,
            tracking_number=body.validated_data["tracking_number"],
            carrier=body.validated_data.get("carrier"),
        )
        return Response(serializers.ShipmentSerializer(shipment).data)

    @extend_schema(
        summary="Void a parcel recorded by mistake",
        description="The merchant's staff or the parcel's supplier. Its lines are to ship "
        "again unless another parcel carries them; a delivered or voided parcel is 409.",
        parameters=[ID, SHIPMENT_ID],
        request=None,
        responses={200: serializers.ShipmentSerializer, 409: PARCEL_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"shipments/(?P<shipment_id>[^/.]+)/void")
    def shipment_void(self, request, pk=None, shipment_id=None):
        shipment = selectors.shipment_get(
            order=selectors.order_get(order_id=pk), shipment_id=shipment_id
        )
        shipment = services.shipment_void(actor=self.actor, shipment=shipment)
        return Response(serializers.ShipmentSerializer(shipment).data)

    @extend_schema(
        summary="Reship a returned parcel to a corrected address",
        description="The merchant's staff: the order's address is corrected and the parcel's "
        "lines are to ship again; the supplier is told. Only a returned parcel (else 409).",
        parameters=[ID, SHIPMENT_ID],
        request=serializers.ReshipInputSerializer,
        responses={200: serializers.ShipmentSerializer, 409: PARCEL_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"shipments/(?P<shipment_id>[^/.]+)/reship")
    def shipment_reship(self, request, pk=None, shipment_id=None):
        shipment = selectors.shipment_get(
            order=selectors.order_get(order_id=pk), shipment_id=shipment_id
        )
        shipment = services.shipment_reship_to_corrected_address(
            actor=self.actor,
            shipment=shipment,
            shipping_address=_object(request.data).get("shipping_address"),
        )
        return Response(serializers.ShipmentSerializer(shipment).data)

    def _detail(self, order) -> dict:
        detail_class = (
            serializers.SupplierOrderDetailSerializer
            if self.organization.is_supplier
            else serializers.OrderDetailSerializer
        )
        disputes = hooks.dispute_summaries.for_orders([order])
        return detail_class(order, context={"disputes": disputes}).data


class ShipmentViewSet(ScopedViewSet):
    """Parcels across orders: tracking numbers in bulk."""

    queryset = None
    # The merchant's staff for its orders, a supplier for the lines addressed to it.
    write_roles = MERCHANT_WORKERS | SUPPLIER_WORKERS

    @extend_schema(
        summary="Record tracking numbers in bulk",
        description="A CSV file (multipart `file`) or JSON `rows`, each row an order number, "
        "a SKU, a tracking number and optionally a carrier. Rows of one order with one number "
        "are one parcel. Each row is answered on its own: a row that fails never stops the "
        "others, and sending the same rows again changes nothing (`unchanged`). An order the "
        "caller does not see is `not found`. More than 1,000 rows is 400; a file over 1 MB "
        "is 413.",
        request={
            "application/json": serializers.TrackingUploadInputSerializer,
            "multipart/form-data": serializers.TrackingUploadInputSerializer,
        },
        responses={
            200: serializers.TrackingUploadResultSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The file is too large."),
            415: OpenApiResponse(ErrorSerializer, description="The file is not a CSV."),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def bulk(self, request):
        file = request.FILES.get("file")
        if file is not None:
            rows = services.tracking_rows_from_csv(file)
        elif request.content_type.startswith("multipart/"):
            raise ValidationFailed(field_errors={"file": [_("No file was submitted.")]})
        else:
            rows = _object(request.data).get("rows")
            if isinstance(rows, list):
                # A missing or empty column fails its row alone (as an empty CSV cell does),
                # but a row that is no object of texts is a malformed body: refused whole.
                shape = serializers.TrackingRowInputSerializer(data=rows, many=True)
                if not shape.is_valid():
                    raise DRFValidationError({"rows": shape.errors})
            rows = services.tracking_rows_from_json(rows)
        result = services.tracking_upload_apply(actor=self.actor, rows=rows)
        return Response(serializers.TrackingUploadResultSerializer(result).data)


class OrderImportViewSet(ScopedViewSet):
    """A CSV import job's progress (the merchant's own)."""

    organization_kinds = (MERCHANT,)
    serializer_class = serializers.OrderImportSerializer

    @extend_schema(summary="Progress of a CSV import", parameters=[ID])
    def retrieve(self, request, pk=None):
        order_import = selectors.order_import_get(import_id=pk)
        return Response(self.get_serializer(order_import).data)


def _object(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(
            field_errors={"non_field_errors": [_("The body must be a JSON object.")]}
        )
    return data
