"""Operators' view of notifications and deliveries, fast at millions of rows."""

from django.contrib import admin

from core.admin import CappedCountPaginator
from notifications.models import (
    EmailDelivery,
    Notification,
    NotificationEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class LargeTableAdmin(admin.ModelAdmin):
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(NotificationEvent)
class NotificationEventAdmin(LargeTableAdmin):
    list_display = ["created_at", "type", "merchant", "dedup_key"]
    list_filter = ["type"]
    search_fields = ["=dedup_key", "=id"]
    list_select_related = ["merchant"]
    ordering = ["-id"]


@admin.register(Notification)
class NotificationAdmin(LargeTableAdmin):
    list_display = ["created_at", "type", "title", "user", "organization", "read_at"]
    list_filter = ["type"]
    search_fields = ["=user__email", "=id"]
    list_select_related = ["user", "organization"]
    ordering = ["-id"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(LargeTableAdmin):
    list_display = ["created_at", "status", "user", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["=user__email", "=event__id"]
    list_select_related = ["user"]
    ordering = ["-id"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["at", "status_code", "latency_ms", "error"]
    readonly_fields = fields
    ordering = ["-at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "merchant", "active", "created_at", "deleted_at"]
    list_filter = ["active"]
    search_fields = ["url", "merchant__slug"]
    list_select_related = ["merchant"]
    exclude = ["secret"]
    readonly_fields = ["merchant", "url", "events", "created_at", "created_by", "deleted_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(LargeTableAdmin):
    list_display = [
        "created_at",
        "status",
        "endpoint",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    search_fields = ["=event__id", "=id"]
    list_select_related = ["endpoint"]
    inlines = [WebhookAttemptInline]
    ordering = ["-id"]
