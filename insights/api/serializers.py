"""The shapes of API.md's "Analytics" (documentation for the schema; views build the dicts)."""

from rest_framework import serializers

from disputes.api.serializers import SupplierRefSerializer


class PeriodSerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword: declared here rather than as a class attribute.
        return {"from": serializers.DateField(), "to": serializers.DateField()}


class MoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    refunded_to_customers = serializers.DecimalField(max_digits=16, decimal_places=2)
    recovered_from_suppliers = serializers.DecimalField(max_digits=16, decimal_places=2)
    net_loss = serializers.DecimalField(max_digits=16, decimal_places=2)


class ReasonCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reason = serializers.CharField()
    count = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()


def rate_field():
    return serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class OverviewSerializer(serializers.Serializer):
    period = PeriodSerializer()
    orders = serializers.IntegerField()
    disputes_opened = serializers.IntegerField()
    disputes_resolved = serializers.IntegerField()
    open_now = serializers.IntegerField()
    overdue_now = serializers.IntegerField()
    dispute_rate = rate_field()
    median_first_response_hours = rate_field()
    median_resolution_hours = rate_field()
    by_reason = ReasonCountSerializer(many=True)
    by_week = WeekSerializer(many=True)
    money = MoneySerializer(many=True)


class ScorecardSerializer(serializers.Serializer):
    supplier = SupplierRefSerializer()
    orders = serializers.IntegerField()
    disputes = serializers.IntegerField()
    dispute_rate = rate_field()
    median_first_response_hours = rate_field()
    on_time_ship_rate = rate_field()
    arbitration_rate = rate_field()


class SupplierRowSerializer(ScorecardSerializer):
    money = MoneySerializer(many=True)


class SupplierRowsSerializer(serializers.Serializer):
    results = SupplierRowSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ProductRowSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    orders = serializers.IntegerField()
    disputes = serializers.IntegerField()
    dispute_rate = rate_field()
    top_reason = serializers.CharField(allow_null=True)


class ProductRowsSerializer(serializers.Serializer):
    results = ProductRowSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class LedgerExportRowSerializer(serializers.Serializer):
    dispute = serializers.IntegerField(help_text="The dispute's number.")
    supplier = serializers.CharField()
    side = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()
