from django.contrib import admin

from suppliers.models import SupplierLink


@admin.register(SupplierLink)
class SupplierLinkAdmin(admin.ModelAdmin):
    list_display = ["merchant", "supplier", "created_at"]
    list_filter = ["supplier__verified"]
    search_fields = ["merchant__slug", "merchant__name", "supplier__slug", "supplier__name"]
    autocomplete_fields = ["merchant", "supplier"]
    list_select_related = ["merchant", "supplier"]
