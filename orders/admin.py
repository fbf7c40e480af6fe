"""The platform's view of orders: read-only (services are the only writers), and fast at a
million rows: no COUNT(*) over the table, related rows joined, searches that hit an index.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from core.admin import CappedCountPaginator
from core.errors import Conflict
from orders import services
from orders.models import Order, OrderImport, OrderLine, Shipment, ShipmentStatus


class ReadOnlyAdmin(admin.ModelAdmin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 100

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "sku",
        "title",
        "variant",
        "quantity",
        "unit_price",
        "supplier",
        "shipped_at",
        "stock_problem_flagged_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier")


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = [
        "supplier",
        "carrier",
        "tracking_number",
        "tracking_valid",
        "tracking_problem",
        "status",
        "shipped_at",
        "delivered_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "merchant",
        "placed_at",
        "customer_name",
        "status",
        "total",
        "currency",
        "is_international",
    ]
    list_select_related = ["merchant"]
    list_filter = ["status", "is_international"]
    date_hierarchy = "placed_at"
    ordering = ["-placed_at", "-id"]
    search_fields = ["external_id"]
    search_help_text = _("The shop's order id or the customer's e-mail, exactly.")
    inlines = [OrderLineInline, ShipmentInline]
    readonly_fields = ["merchant", "created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        # Exact matches on indexed columns: a "contains" search would read every row.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(external_id=term) | Q(customer_email=term.lower())), False


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = ["sku", "title", "order", "merchant", "supplier", "quantity", "shipped_at"]
    list_select_related = ["order", "merchant", "supplier"]
    ordering = ["-id"]
    search_fields = ["order__external_id"]
    search_help_text = _("The shop's order id, exactly.")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(order__external_id=term), False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_number",
        "carrier",
        "tracking_valid",
        "status",
        "order",
        "merchant",
        "supplier",
        "shipped_at",
    ]
    list_select_related = ["order", "merchant", "supplier"]
    list_filter = ["status", "tracking_valid"]
    ordering = ["-id"]
    search_fields = ["tracking_number"]
    search_help_text = _("A tracking number, exactly.")
    actions = ["mark_delivered", "mark_customs_hold", "mark_returned"]
    exclude = ["lines"]

    def get_search_results(self, request, queryset, search_term):
        from orders.tracking import normalise_tracking_number

        term = normalise_tracking_number(search_term)
        if not term:
            return queryset, False
        return queryset.filter(tracking_number=term), False

    def _set_status(self, request, queryset, status) -> None:
        actor = Actor.platform(user=request.user)
        skipped = 0
        for shipment in queryset[:500]:
            try:
                services.shipment_update_status(actor=actor, shipment=shipment, status=status)
            except Conflict:
                skipped += 1  # a voided parcel has no carrier state any more
        self.message_user(request, _("Parcels updated."), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("%(count)d voided parcel(s) left as they are.") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Mark the selected parcels delivered"))
    def mark_delivered(self, request, queryset):
        self._set_status(request, queryset, ShipmentStatus.DELIVERED)

    @admin.action(description=_("Mark the selected parcels held at customs"))
    def mark_customs_hold(self, request, queryset):
        self._set_status(request, queryset, ShipmentStatus.CUSTOMS_HOLD)

    @admin.action(description=_("Mark the selected parcels returned to the sender"))
    def mark_returned(self, request, queryset):
        self._set_status(request, queryset, ShipmentStatus.RETURNED)


@admin.register(OrderImport)
class OrderImportAdmin(ReadOnlyAdmin):
    list_display = [
        "filename",
        "merchant",
        "status",
        "total",
        "processed",
        "created",
        "updated",
        "error_count",
        "created_at",
        "finished_at",
    ]
    list_select_related = ["merchant"]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    # The stored file has no public URL; its name alone is shown.
    exclude = ["file"]
