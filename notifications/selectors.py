"""Reads of the notification engine, scoped to the active organization."""

import uuid

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import Membership
from core import tenancy
from notifications.events import event_types
from notifications.models import (
    EmailPreference,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# The delivery page shows the latest attempts of each delivery, not all of a day's retries.
ATTEMPTS_SHOWN = 20


def _uuid(value) -> uuid.UUID | None:
    # An id that is not even well-formed is simply not found (404), never a 500.
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def notification_get_for_user(*, user, notification_id) -> Notification | None:
    notification_id = _uuid(notification_id)
    if notification_id is None:
        return None
    return (
        Notification.objects.filter(pk=notification_id, user=user).select_related("event").first()
    )


def notification_list_for_user(*, user, unread: bool = False) -> QuerySet[Notification]:
    # The event holds the message ids each row is worded from when shown.
    notifications = Notification.objects.filter(user=user).select_related("event")
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


class _CappedCount(Subquery):
    """COUNT(*) of a sliced subquery: stops reading rows at the slice's end."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def notification_unread_counts_by_organization(*, user, limit: int) -> dict:
    """Organization id → the user's unread notifications there, for every organization the
    user belongs to, each count stopping at limit + 1 ("more than"); one query.

    The user's own rows in organizations other than the active one: deliberately outside
    the active tenant scope, and bounded by the user's memberships.
    """
    unread = Notification.cross_tenant_objects.filter(
        user=user, organization_id=OuterRef("organization_id"), read_at__isnull=True
    ).values("pk")[: limit + 1]
    with tenancy.cross_tenant_scope(reason="the bell counts the reader's own notifications"):
        return dict(
            Membership.objects.filter(user=user)
            .annotate(unread=_CappedCount(unread))
            .values_list("organization_id", "unread")
        )


def email_preference_types_for_user(*, user) -> set[str]:
    """The event types `user` receives e-mail for (every type unless switched off)."""
    muted = set(
        EmailPreference.objects.filter(user=user, email=False).values_list("event_type", flat=True)
    )
    return {event_type for event_type in event_types() if event_type not in muted}


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(deleted_at__isnull=True)


def webhook_endpoint_get(*, endpoint_id) -> WebhookEndpoint | None:
    endpoint_id = _uuid(endpoint_id)
    if endpoint_id is None:
        return None
    return webhook_endpoint_list().filter(pk=endpoint_id).first()


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "attempts_log",
                queryset=WebhookAttempt.objects.order_by("-at"),
                to_attr="recent_attempts",
            )
        )
    )


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery | None:
    delivery_id = _uuid(delivery_id)
    if delivery_id is None:
        return None
    return webhook_delivery_list(endpoint=endpoint).filter(pk=delivery_id).first()
