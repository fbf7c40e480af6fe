"""Operators' view of shop connectors and their deliveries (read only; secrets never shown)."""

from django.contrib import admin

from connectors.models import Connector, ConnectorEvent, SupplierMapping
from core.admin import CappedCountPaginator


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SupplierMappingInline(admin.TabularInline):
    model = SupplierMapping
    extra = 0
    can_delete = False
    fields = ["match", "value", "supplier", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Connector)
class ConnectorAdmin(ReadOnlyAdmin):
    list_display = ["shop", "platform", "merchant", "default_supplier", "created_at"]
    list_filter = ["platform"]
    search_fields = ["shop", "merchant__slug", "=id"]
    list_select_related = ["merchant", "default_supplier"]
    exclude = ["secret_encrypted"]
    inlines = [SupplierMappingInline]


@admin.register(ConnectorEvent)
class ConnectorEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "topic", "result", "connector", "attempts", "order"]
    list_filter = ["result"]
    search_fields = ["=delivery_id", "=id", "=shop_order_id"]
    list_select_related = ["connector", "order"]
    ordering = ["-received_at"]
    show_full_result_count = False
    paginator = CappedCountPaginator
