from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.tenancy import TenantModel
from notifications.events import ALL_EVENTS, render_stored


class NotificationEvent(TenantModel):
    """One event a domain reported (notify()): the source of every channel's rows.

    Its id is the webhook payload's "id", the same on every retry and re-send, so that a
    receiver can drop duplicates.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    type = models.CharField(_("type"), max_length=64)
    dedup_key = models.CharField(_("deduplication key"), max_length=200)
    # Message ids and parameters (notifications.events.Text), rendered per reader's language.
    title = models.JSONField(_("title"))
    body = models.JSONField(_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("webhook data"), default=dict, blank=True)
    email_template = models.CharField(_("e-mail template"), max_length=200, blank=True)
    email_context = models.JSONField(_("e-mail context"), default=dict, blank=True)
    internal = models.BooleanField(_("merchant staff only"), default=False)
    # What the event is about ("dispute:<id>"), so that opening it marks its notices read.
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "dedup_key"], name="notification_event_dedup_key"
            )
        ]
        indexes = [
            # Opening a dispute marks its notices read, on every read of its page or its
            # API detail: without this, each read scanned every event of every merchant.
            models.Index(
                fields=["subject"],
                condition=~models.Q(subject=""),
                name="notification_event_subject",
            )
        ]

    def __str__(self):
        return f"{self.type} · {self.dedup_key}"

    # A supplier reads the events of its own notifications (their words are rendered from
    # the event at reading time), for the database's row-level security (core.rls).
    row_security_also = (
        "EXISTS (SELECT 1 FROM notifications_notification AS shown "
        "WHERE shown.event_id = {table}.id AND shown.organization_id = {organization})"
    )


class Notification(TenantModel):
    """An in-app notification: one person, in one organization (a merchant or a supplier)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    event = models.ForeignKey(NotificationEvent, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        settings.TENANT_ORGANIZATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(_("type"), max_length=64)
    # The words in the recipient's language at writing time: what a row shows only when its
    # event's stored Text cannot be rendered (see `shown_title`), e.g. an old row.
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "event", "user", "organization"],
                name="notification_once_per_event_and_reader",
            )
        ]
        indexes = [
            models.Index(fields=["user", "organization", "-id"], name="notification_inbox"),
            # The bell counts these on every page.
            models.Index(
                fields=["user", "organization"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return self.title

    # Shown in the language of the moment it is read (the page's, the API caller's), from
    # the event's message ids: a reader who changes language reads every row in the new one.
    @property
    def shown_title(self) -> str:
        return render_stored(self.event.title, translation.get_language(), self.title)[:300]

    @property
    def shown_body(self) -> str:
        return render_stored(self.event.body, translation.get_language(), self.body)

    @classmethod
    def visible_to(cls, organization) -> Q:
        # Addressed to an organization, merchant or supplier alike (not only the merchant's).
        return Q(organization_id=organization.pk)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")  # waiting for its task (or its next retry)
    SENDING = "sending", _("sending")  # claimed by a task; released if the worker dies
    SENT = "sent", _("sent")  # delivered; never sent again unless re-sent by a person
    FAILED = "failed", _("failed")  # gave up after the retries
    CANCELLED = "cancelled", _("cancelled")  # nothing to send to any more


class OutboxRow(TenantModel):
    """The outbox columns of a delivery: claimed by a conditional UPDATE, swept if stuck."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    event = models.ForeignKey(NotificationEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # The claim's token (a finish is conditional on it) and its lease, renewed while the
    # claiming worker sends: past `lease_until`, the worker is taken for dead.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        abstract = True


class EmailDelivery(OutboxRow):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        settings.TENANT_ORGANIZATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "event", "user"], name="email_delivery_once_per_event_and_user"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="email_delivery_pending",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(status=DeliveryStatus.SENDING),
                name="email_delivery_leased",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.user_id}"


class WebhookEndpoint(TenantModel):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Needed in clear to sign (HMAC); shown to the owner once, at creation, never again.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Deleted endpoints keep their delivery log for the operators; they receive nothing.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes = [models.Index(fields=["merchant", "-id"], name="webhook_endpoint_merchant")]

    def __str__(self):
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events


class WebhookDelivery(OutboxRow):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Retries stop after this moment (24 h after the event, or after a person's re-send).
    retry_until = models.DateTimeField(_("retried until"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "endpoint", "event"],
                name="webhook_delivery_once_per_event_and_endpoint",
            )
        ]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_endpoint"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="webhook_delivery_pending",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(status=DeliveryStatus.SENDING),
                name="webhook_delivery_leased",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id}"


class WebhookAttempt(TenantModel):
    """One POST to an endpoint: its answer (or error) and how long it took."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempts_log"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes = [models.Index(fields=["delivery", "-at"], name="webhook_attempt_delivery")]

    def __str__(self):
        return f"{self.delivery_id} · {self.status_code or self.error[:40]}"


class EmailPreference(models.Model):
    """A person's choice to receive (or not) e-mail for one event type; absent means yes."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    event_type = models.CharField(_("event type"), max_length=64)
    email = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="email_preference_unique")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.event_type}: {self.email}"
