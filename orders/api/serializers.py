"""Order representations per party, and the request bodies (documented for the schema).

What a supplier sees, field by field: the shop's order id, when it was placed, the merchant,
the customer's name and the shipping address (it prints the label), whether the parcel
crosses a border, its own lines without prices, its own parcels, and a status computed over
its own lines. Never: the customer's e-mail, the currency and total, unit prices, other
suppliers' lines or parcels.
"""

import functools

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import TextField
from core.api.writing import TimeWriter
from orders.models import ImportStatus, Order, OrderImport, OrderLine, OrderStatus, Shipment
from orders.validation import MAX_LINES_PER_ORDER, parse_aware_datetime


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset (API.md, "Times"), not more than a day ahead."""

    def to_internal_value(self, value):
        try:
            return parse_aware_datetime(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="customer_name")
    email = serializers.EmailField(source="customer_email")


class SupplierCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="customer_name")


class ShippingAddressSerializer(serializers.Serializer):
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    city = serializers.CharField(source="ship_city")
    region = serializers.CharField(source="ship_region")
    postal_code = serializers.CharField(source="ship_postal_code")
    country = serializers.CharField(source="ship_country", help_text="ISO 3166 alpha-2")


class OrganizationRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class OrderLineSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "title",
            "variant",
            "quantity",
            "unit_price",
            "supplier",
            "shipped_at",
        ]
        read_only_fields = fields


class SupplierOrderLineSerializer(OrderLineSerializer):
    class Meta(OrderLineSerializer.Meta):
        fields = ["id", "sku", "title", "variant", "quantity", "supplier", "shipped_at"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    carrier = serializers.SerializerMethodField()
    tracking_problem = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = [
            "id",
            "order",
            "supplier",
            "lines",
            "carrier",
            "tracking_number",
            "tracking_valid",
            "tracking_problem",
            "status",
            "shipped_at",
            "delivered_at",
            "voided_at",
            "created_at",
        ]
        read_only_fields = fields

    tracking_valid = serializers.BooleanField(
        allow_null=True,
        read_only=True,
        help_text="true: checked and right; false: looks invalid (see tracking_problem); "
        "null: unchecked, a carrier Redress has no formats for.",
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_carrier(self, shipment) -> str | None:
        return shipment.carrier or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tracking_problem(self, shipment) -> str | None:
        return shipment.tracking_problem or None


class DisputeSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    """The merchant's view of an order (list rows)."""

    customer = CustomerSerializer(source="*", read_only=True)
    shipping_address = ShippingAddressSerializer(source="*", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "external_id",
            "placed_at",
            "currency",
            "total",
            "status",
            "is_international",
            "customer",
            "shipping_address",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderDetailPart(serializers.Serializer):
    """What an order's detail adds to its list row, for merchant and supplier alike."""

    shipments = ShipmentSerializer(many=True, read_only=True)
    disputes = serializers.SerializerMethodField()

    @extend_schema_field(DisputeSummarySerializer(many=True))
    def get_disputes(self, order) -> list:
        return DisputeSummarySerializer(
            self.context.get("disputes", {}).get(order.pk, []), many=True
        ).data


class UnassignedLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    variant = serializers.CharField()
    quantity = serializers.JSONField()
    vendor = serializers.CharField()


class OrderDetailSerializer(OrderDetailPart, OrderSerializer):
    # The shop's lines no supplier is known for yet (a shop connector's import).
    unassigned_lines = UnassignedLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "shipments", "disputes", "unassigned_lines"]
        read_only_fields = fields


class SupplierOrderSerializer(serializers.ModelSerializer):
    """A supplier's view of an order (list rows): only what it needs to ship its lines."""

    merchant = OrganizationRefSerializer(read_only=True)
    status = serializers.ChoiceField(
        source="supplier_status",
        choices=OrderStatus.choices,
        read_only=True,
        help_text="Over this supplier's own lines and parcels.",
    )
    customer = SupplierCustomerSerializer(source="*", read_only=True)
    shipping_address = ShippingAddressSerializer(source="*", read_only=True)
    lines = SupplierOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "external_id",
            "merchant",
            "placed_at",
            "status",
            "is_international",
            "customer",
            "shipping_address",
            "lines",
        ]
        read_only_fields = fields


class SupplierOrderDetailSerializer(OrderDetailPart, SupplierOrderSerializer):
    class Meta(SupplierOrderSerializer.Meta):
        fields = [*SupplierOrderSerializer.Meta.fields, "shipments", "disputes"]
        read_only_fields = fields


# The list's rows, written from the rows orders.selectors reads (order_row_list and
# order_line_rows_for_orders) in the formats of OrderSerializer and SupplierOrderSerializer:
# a page of 100 orders walked some 4,000 fields one by one. Tests compare both writings.


@functools.cache
def _decimal_fields() -> tuple[serializers.DecimalField, serializers.DecimalField]:
    """The fields that write `total` and `unit_price`: their digits and rounding."""
    return OrderSerializer().fields["total"], OrderLineSerializer().fields["unit_price"]


def _line_rows(lines: list[dict], time: TimeWriter, price) -> list[dict]:
    rows = []
    for line in lines:
        row = {"id": str(line["id"]), "sku": line["sku"], "title": line["title"]}
        row["variant"], row["quantity"] = line["variant"], line["quantity"]
        if price is not None:
            row["unit_price"] = price.to_representation(line["unit_price"])
        row["supplier"] = line["supplier_slug"]
        row["shipped_at"] = time(line["shipped_at"])
        rows.append(row)
    return rows


def _address(order: dict) -> dict:
    return {
        "line1": order["ship_line1"],
        "line2": order["ship_line2"],
        "city": order["ship_city"],
        "region": order["ship_region"],
        "postal_code": order["ship_postal_code"],
        "country": order["ship_country"],
    }


def order_list_rows(orders: list[dict], lines: dict) -> list[dict]:
    """The merchant's list rows (OrderSerializer's fields) of `orders` with their `lines`."""
    time = TimeWriter()
    total, price = _decimal_fields()
    return [
        {
            "id": str(order["id"]),
            "external_id": order["external_id"],
            "placed_at": time(order["placed_at"]),
            "currency": order["currency"],
            "total": total.to_representation(order["total"]),
            "status": order["status"],
            "is_international": order["is_international"],
            "customer": {"name": order["customer_name"], "email": order["customer_email"]},
            "shipping_address": _address(order),
            "lines": _line_rows(lines[order["id"]], time, price),
            "created_at": time(order["created_at"]),
            "updated_at": time(order["updated_at"]),
        }
        for order in orders
    ]


def supplier_order_list_rows(orders: list[dict], lines: dict) -> list[dict]:
    """A supplier's list rows (SupplierOrderSerializer's fields): its lines, no prices."""
    time = TimeWriter()
    return [
        {
            "id": str(order["id"]),
            "external_id": order["external_id"],
            "merchant": {"slug": order["merchant_slug"], "name": order["merchant_name"]},
            "placed_at": time(order["placed_at"]),
            "status": order["supplier_status"],
            "is_international": order["is_international"],
            "customer": {"name": order["customer_name"]},
            "shipping_address": _address(order),
            "lines": _line_rows(lines[order["id"]], time, None),
        }
        for order in orders
    ]


# Request bodies. The services check every rule (one parser for the API, the bulk upsert and
# the CSV import); these describe the bodies in the OpenAPI schema.


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)


class ShippingAddressInputSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166 alpha-2")


class OrderLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)
    variant = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    supplier = serializers.SlugField(help_text="The slug of a supplier linked to the merchant.")


class OrderInputSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    placed_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217")
    customer = CustomerInputSerializer()
    shipping_address = ShippingAddressInputSerializer()
    lines = OrderLineInputSerializer(many=True, max_length=MAX_LINES_PER_ORDER)


class BulkInputSerializer(serializers.Serializer):
    # Each item is checked on its own: one bad order is reported in `errors` by its index,
    # and does not stop the rest (API.md), so the schema takes any value as an item.
    orders = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=1000,
        help_text="Order bodies as for POST /api/v1/orders/ (OrderInput). An item that is "
        "not a valid order is reported in `errors` with its index.",
    )


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField()


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = BulkErrorSerializer(many=True)


class ShipmentInputSerializer(serializers.Serializer):
    carrier = serializers.CharField(
        max_length=50,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Detected from the tracking number when omitted.",
    )
    tracking_number = serializers.CharField(max_length=64)
    lines = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=500)
    shipped_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="ISO 8601 with a UTC offset; default: now."
    )


class ShipmentCorrectionSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=64)
    carrier = serializers.CharField(
        max_length=50,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Detected from the tracking number when omitted.",
    )


class ReshipInputSerializer(serializers.Serializer):
    shipping_address = ShippingAddressInputSerializer(help_text="The corrected address.")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8, header row required.")


class ImportCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)


class OrderImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderImport
        fields = [
            "id",
            "filename",
            "status",
            "total",
            "processed",
            "created",
            "updated",
            "errors",
            "error_count",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class TrackingRowInputSerializer(serializers.Serializer):
    # A row is a CSV row: a missing or empty column fails that row alone (its result says
    # which column is empty), so the schema requires none of them.
    order_number = TextField(
        required=False,
        allow_blank=True,
        help_text="The shop's order number (external id). Missing or empty: the row fails.",
    )
    sku = TextField(required=False, allow_blank=True, help_text="Missing or empty: the row fails.")
    tracking_number = TextField(
        required=False, allow_blank=True, help_text="Missing or empty: the row fails."
    )
    carrier = TextField(
        required=False, allow_blank=True, help_text="Detected from the tracking number if empty."
    )
    merchant = TextField(
        required=False,
        allow_blank=True,
        help_text="The merchant's slug or name: only when two merchants share an order number.",
    )


class TrackingUploadInputSerializer(serializers.Serializer):
    """Documents the two bodies: JSON `rows`, or a multipart CSV `file` with the same columns."""

    rows = TrackingRowInputSerializer(many=True, required=False, max_length=1000)
    file = serializers.FileField(
        required=False,
        help_text="multipart/form-data: a CSV (UTF-8, header row) with the columns order_number, "
        "sku, tracking_number, and optionally carrier and merchant; at most 1,000 rows and 1 MB.",
    )


class TrackingRowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="The CSV row number (the header is row 1), or the JSON row's position from 1."
    )
    order_number = serializers.CharField()
    sku = serializers.CharField()
    tracking_number = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["recorded", "added", "unchanged", "failed"],
        help_text="recorded: a new parcel; added: the order's parcel with this number carries "
        "the line too; unchanged: it already did; failed: see message.",
    )
    message = serializers.CharField(
        help_text="Why the row failed, or a warning (a number that looks invalid); else empty."
    )
    shipment = serializers.UUIDField(source="shipment_id", allow_null=True)
    carrier = serializers.CharField()
    tracking_valid = serializers.BooleanField(allow_null=True)


class TrackingUploadResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    added = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = TrackingRowResultSerializer(many=True)

    def to_representation(self, instance):
        return {
            **{status: instance.count(status) for status in ("recorded", "added", "unchanged")},
            "failed": instance.failed,
            "results": TrackingRowResultSerializer(instance.results, many=True).data,
        }
