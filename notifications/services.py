"""Writes of the notification engine: notify(), the senders, the outbox sweep, webhooks.

`notify(event=...)` is the one way in (see notifications.events for the Event a domain
builds). In the caller's transaction it writes, per recipient and channel, one row with a
unique (merchant, event dedup key, recipient): the in-app Notification, and pending
EmailDelivery / WebhookDelivery outbox rows, whose tasks are enqueued after commit.

Delivery is at least once, never lost. A task claims its rows with a conditional UPDATE
(pending → sending) and a short lease, renewed while it sends; with them it gathers the
merchant's other due rows (those of events notified just after, whose tasks are still
queued), so a burst of events goes out in a few batches; it does the network I/O
with no transaction open, and records the result. A pending row whose task was lost
(Redis restarted, worker killed before it ran) is enqueued again by `outbox_sweep` (beat,
every minute), and so is a row whose lease ran out (a worker that died mid-send). In that
last case the messages may have gone out just before the crash (a task sends a batch
and records its results when the batch ends): the one window, seconds wide, where a
second copy is possible. Each copy says it is one: an e-mail carries the same Message-ID
on every send of its row, a webhook the same payload "id".
"""

import contextvars
import hashlib
import hmac
import json
import logging
import random
import secrets
import smtplib
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

import urllib3
from celery import signature
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_OWNERS, AuditAction, Membership
from accounts.services import audit_record
from core import tenancy
from core.errors import Conflict, PermissionDenied, ValidationFailed
from notifications import net, selectors
from notifications.events import ALL_EVENTS, Event, Text, as_text, event_types
from notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    EmailPreference,
    Notification,
    NotificationEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# The tasks' stable names (notifications.tasks): enqueued by name, because the tasks call
# these services and a module cycle between the two is what the import contract forbids.
EMAIL_SEND_TASK = "notifications.send_email"
WEBHOOK_SEND_TASK = "notifications.send_webhook"
EMAILS_SEND_TASK = "notifications.send_emails"
WEBHOOKS_SEND_TASK = "notifications.send_webhooks"
# Deliveries per task: an event's recipients (or a sweep's batch) in a few tasks, and a
# batch short enough that its lease and a retry repeat little.
DELIVERIES_PER_TASK = 50

logger = logging.getLogger(__name__)

OUTBOX_SCOPE_REASON = "notification outbox: deliveries of every merchant"
SIGNATURE_HEADER = "Redress-Signature"


# ---------------------------------------------------------------------------------------
# notify()


def _language(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def _recipient_memberships(events: list[Event]) -> list[list[Membership]]:
    """Per event, the (user, organization) pairs to tell, once each, without the excluded
    people; one query for all the events, with whether each member muted e-mail of each
    event type (`muted_types`)."""
    wanted = Q()
    for event in events:
        for recipients in event.recipients:
            part = Q(organization=recipients.organization)
            if recipients.roles is not None:
                part &= Q(role__in=recipients.roles)
            if recipients.users is not None:
                part &= Q(user__in=[user.pk for user in recipients.users])
            wanted |= part
    if not wanted:
        return [[] for _event in events]
    types = sorted({event.type for event in events})
    muted = {
        f"muted_{index}": Exists(
            EmailPreference.objects.filter(
                user=OuterRef("user_id"), event_type=event_type, email=False
            )
        )
        for index, event_type in enumerate(types)
    }
    found = list(
        Membership.objects.filter(wanted, user__is_active=True)
        .select_related("user", "organization")
        .annotate(**muted)
    )
    for membership in found:
        membership.muted_types = {
            event_type
            for index, event_type in enumerate(types)
            if getattr(membership, f"muted_{index}")
        }
    answer = []
    for event in events:
        excluded = {user.pk for user in event.exclude_users if user is not None}
        chosen: dict[tuple, Membership] = {}
        for recipients in event.recipients:
            roles = recipients.roles
            users = None if recipients.users is None else {u.pk for u in recipients.users}
            for membership in found:
                if (
                    membership.organization_id == recipients.organization.pk
                    and (roles is None or membership.role in roles)
                    and (users is None or membership.user_id in users)
                    and membership.user_id not in excluded
                ):
                    chosen.setdefault((membership.user_id, membership.organization_id), membership)
        answer.append(list(chosen.values()))
    return answer


def notify(*, event: Event) -> NotificationEvent:
    """Record an event for every recipient and channel; idempotent by `event.dedup_key`."""
    return notify_all(events=[event])[0]


def notify_all(*, events: list[Event]) -> list[NotificationEvent]:
    """`notify` for the events of one change together: each statement serves all of them.

    In the caller's transaction, without a savepoint of its own (a failure here fails the
    caller's transaction, as it should): the events in one INSERT that keeps the row of a
    key already recorded (ON CONFLICT … DO UPDATE, so that its id comes back), the
    recipients with their e-mail preferences in one query, the webhook endpoints in one,
    then one INSERT per channel that has rows.
    """
    for event in events:
        if event.type not in event_types():
            raise ValueError(f"Unknown notification event type {event.type!r}.")
        if not event.dedup_key:
            raise ValueError("A notification event needs a deduplication key.")
        if event.internal and any(
            recipients.organization.pk != event.merchant.pk for recipients in event.recipients
        ):
            raise ValueError("An internal event may only be addressed to its merchant.")
    if not events:
        return []
    by_merchant: dict = {}
    for event in events:
        by_merchant.setdefault(event.merchant.pk, []).append(event)
    recorded = {}
    with transaction.atomic(savepoint=False):
        for group in by_merchant.values():
            # The rows are the merchant's, whichever party's action they tell of.
            with tenancy.owner_scope(group[0].merchant):
                for event, record in zip(group, _notify_all(group), strict=True):
                    recorded[(event.merchant.pk, event.dedup_key)] = record
    return [recorded[(event.merchant.pk, event.dedup_key)] for event in events]


def _notify_all(events: list[Event]) -> list[NotificationEvent]:
    # One row per key, even when a caller repeats an event in the list.
    by_key = {(event.merchant.pk, event.dedup_key): event for event in events}
    unique = list(by_key.values())
    records = {}
    for key, event in by_key.items():
        title, body = as_text(event.title), as_text(event.body)
        records[key] = NotificationEvent(
            merchant=event.merchant,
            dedup_key=event.dedup_key,
            type=event.type,
            title=title.to_json(),
            body=body.to_json(),
            url=event.url,
            data=dict(event.data),
            email_template=event.email_template,
            email_context=dict(event.email_context),
            internal=event.internal,
            subject=event.subject,
        )
    _insert_events(list(records.values()))
    memberships = _recipient_memberships(unique)
    hooked = {event.merchant.pk: event.merchant for event in unique if event.webhooks}
    endpoints = _subscribed_endpoints(list(hooked.values()))
    retry_until = timezone.now() + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)
    in_app, emails, hooks = [], [], []
    for (key, event), members in zip(by_key.items(), memberships, strict=True):
        record = records[key]
        in_app += [_in_app(record, membership) for membership in members]
        emails += [
            EmailDelivery(
                merchant=event.merchant,
                event=record,
                user_id=membership.user_id,
                organization_id=membership.organization_id,
            )
            for membership in {m.user_id: m for m in members}.values()
            if record.type not in membership.muted_types and membership.user.email
        ]
        if event.webhooks:
            hooks += [
                WebhookDelivery(
                    merchant=event.merchant,
                    event=record,
                    endpoint=endpoint,
                    retry_until=retry_until,
                )
                for endpoint in endpoints
                if endpoint.merchant_id == event.merchant.pk and endpoint.subscribes_to(record.type)
            ]
    if in_app:
        Notification.cross_tenant_objects.bulk_create(in_app, ignore_conflicts=True)
    if emails:
        EmailDelivery.cross_tenant_objects.bulk_create(emails, ignore_conflicts=True)
    if hooks:
        WebhookDelivery.cross_tenant_objects.bulk_create(hooks, ignore_conflicts=True)
    # Rows that already existed (a repeated key) keep their own task; enqueuing their
    # would-be ids is a no-op, since the task returns when its row is not there.
    email_ids = [str(row.pk) for row in emails]
    hook_ids = [str(row.pk) for row in hooks]
    if email_ids or hook_ids:
        transaction.on_commit(lambda: enqueue_deliveries(email_ids, hook_ids))
    return [records[(event.merchant.pk, event.dedup_key)] for event in events]


def _in_app(record: NotificationEvent, membership: Membership) -> Notification:
    language = _language(membership.user)
    return Notification(
        merchant_id=record.merchant_id,
        event=record,
        organization_id=membership.organization_id,
        user_id=membership.user_id,
        type=record.type,
        title=Text.render_json(record.title, language)[:300],
        body=Text.render_json(record.body, language),
        url=record.url,
        created_at=record.created_at,
    )


def _insert_events(records: list[NotificationEvent]) -> None:
    """INSERT the events in one statement; a key already recorded keeps its row (ON
    CONFLICT … DO UPDATE, a no-op write that takes its lock), whose id the record takes."""
    fields = NotificationEvent._meta.concrete_fields
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(NotificationEvent._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    params = [
        field.get_db_prep_save(getattr(record, field.attname), connection)
        for record in records
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(records))} "  # noqa: S608 — names are the model's, values parameters
            "ON CONFLICT (merchant_id, dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key "
            "RETURNING merchant_id, dedup_key, id",
            params,
        )
        kept = {
            (uuid.UUID(str(merchant_id)), key): uuid.UUID(str(pk))
            for merchant_id, key, pk in cursor.fetchall()
        }
    for record in records:
        record.pk = kept[(uuid.UUID(str(record.merchant_id)), record.dedup_key)]


def _subscribed_endpoints(merchants: list) -> list[WebhookEndpoint]:
    """The merchants' live endpoints; each event keeps those subscribed to its type.

    A merchant has a handful of endpoints (capped): matching the event list in Python
    keeps the query portable to the embedded SQLite default, which has no JSON containment.
    """
    if not merchants:
        return []
    return list(
        WebhookEndpoint.cross_tenant_objects.filter(
            merchant__in=merchants, active=True, deleted_at__isnull=True
        )
    )


def enqueue_deliveries(email_ids: list[str], webhook_ids: list[str]) -> None:
    """Hand the rows to Celery, a batch per task; a failure is logged, the outbox sweep recovers.

    One task sends a batch: the broker round trip, the claim, the read and the mail
    connection (or webhook connection) are paid once per batch, not once per row.
    """
    for task_name, ids in ((EMAILS_SEND_TASK, email_ids), (WEBHOOKS_SEND_TASK, webhook_ids)):
        for start in range(0, len(ids), DELIVERIES_PER_TASK):
            batch = list(ids[start : start + DELIVERIES_PER_TASK])
            try:
                signature(task_name, args=[batch]).apply_async(
                    retry=True,
                    retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                )
            except Exception:
                logger.warning(
                    "Could not enqueue deliveries %s; the outbox sweep will.",
                    batch,
                    exc_info=True,
                )


# ---------------------------------------------------------------------------------------
# In-app reads and marks (the reader's own rows, in the active organization's scope)


def notification_mark_read(*, user, notification_id) -> Notification | None:
    notification = selectors.notification_get_for_user(user=user, notification_id=notification_id)
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_read_about(*, user, subject: str) -> int:
    """Marks read the user's notifications about `subject` (opening a dispute reads them)."""
    if not subject:
        return 0
    return Notification.objects.filter(
        user=user, read_at__isnull=True, event__subject=subject
    ).update(read_at=timezone.now())


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def email_preferences_update(*, user, enabled_types: set[str]) -> None:
    """E-mail for the event types in `enabled_types`, none for the others."""
    unknown = set(enabled_types) - set(event_types())
    if unknown:
        raise ValidationFailed(field_errors={"events": [_("Unknown event type.")]})
    with transaction.atomic():
        for event_type in event_types():
            EmailPreference.objects.update_or_create(
                user=user, event_type=event_type, defaults={"email": event_type in enabled_types}
            )


# ---------------------------------------------------------------------------------------
# Claiming and retrying outbox rows


def _backoff(attempts: int) -> float:
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    delay = min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATION_RETRY_MAX_SECONDS)
    # Jitter spreads the retries of everything that failed together (an outage).
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 — not security


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)


@contextmanager
def _bookkeeping():
    """A transaction for the outbox's own marks (claims, results) that does not wait for
    the disk: a database crash may forget its last marks, and a forgotten claim or result
    only sends a message again, recognisably (same Message-ID or payload id), which the
    lease already allows. The rows themselves were written by notify() with a durable
    commit, so nothing is lost. Saves a WAL flush per batch on Postgres."""
    # Only a transaction of its own: inside a caller's, SET LOCAL would reach its commit.
    own = not connection.in_atomic_block
    with transaction.atomic():
        if own and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _claim(
    model, delivery_ids, related: tuple[str, ...], *, gather: bool = True
) -> tuple[datetime, list]:
    """pending → sending for a batch of due rows of the merchant of `delivery_ids`,
    answered with their rows (without `gather`: of the listed rows only).

    The batch gathers, oldest due first, every due row of that merchant up to
    DELIVERIES_PER_TASK, not only the listed ones: the rows of events notified a few
    milliseconds apart, whose own tasks are still queued, go out together (those tasks
    then find their rows taken and end at once, or gather what came since). Only one
    merchant's rows: the task runs in that merchant's scope (core.tasks.task_scope).
    Two tasks cannot both win a row: rows are locked (another claim's are skipped) and
    the UPDATE is conditional; the rows read back are the ones this claim returned.
    """
    now = timezone.now()
    claimed_ids = _claim_ids(model, [str(pk) for pk in delivery_ids], now, gather=gather)
    if not claimed_ids:
        return now, []
    rows = model.cross_tenant_objects.select_related(*related).filter(
        pk__in=claimed_ids, status=DeliveryStatus.SENDING, claimed_at=now
    )
    return now, list(rows)


def _claim_ids(model, delivery_ids: list[str], now: datetime, *, gather: bool) -> list:
    """The ids of the rows claimed at `now` (see `_claim`): on Postgres one round trip,
    whose commit does not wait for the disk (see `_bookkeeping`)."""
    if not delivery_ids:
        return []
    limit = max(DELIVERIES_PER_TASK, len(delivery_ids))
    if connection.vendor != "postgresql":
        with _bookkeeping():
            return _claim_ids_in_three_statements(model, delivery_ids, now, limit, gather)
    table = connection.ops.quote_name(model._meta.db_table)
    # Outside a transaction, the setting and the claim go in one query string, which
    # Postgres runs as one transaction: no BEGIN and COMMIT of their own. Inside a
    # caller's transaction the setting would reach the caller's commit: left out.
    lazy_commit = (
        ""
        if connection.in_atomic_block
        else "SELECT set_config('synchronous_commit', 'off', true); "
    )
    # MATERIALIZED, read once: a LIMIT … SKIP LOCKED subquery that the plan runs again (as
    # row-level security's plans do) would skip the rows it locked the first time and claim
    # the next ones too (deadlines.services does the same).
    claim = f"""
        WITH claimed AS MATERIALIZED (
            SELECT id FROM {table}
            WHERE status = %s AND next_attempt_at <= %s AND merchant_id = (
                SELECT merchant_id FROM {table} WHERE id = ANY(%s::uuid[]) LIMIT 1
            ) AND (%s OR id = ANY(%s::uuid[]))
            ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED
        )
        UPDATE {table} SET status = %s, claimed_at = %s, lease_until = %s,
            attempts = {table}.attempts + 1
        FROM claimed WHERE {table}.id = claimed.id
        RETURNING {table}.id
    """  # noqa: S608 — the table name is the model's, every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(
            lazy_commit + claim,
            [
                DeliveryStatus.PENDING,
                now,
                delivery_ids,
                gather,
                delivery_ids,
                limit,
                DeliveryStatus.SENDING,
                now,
                _lease_end(now),
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _claim_ids_in_three_statements(model, delivery_ids, now, limit, gather) -> list:
    # The embedded default (SQLite) has no row locks to skip: it runs one writer at a time.
    merchant_id = (
        model.cross_tenant_objects.filter(pk__in=delivery_ids)
        .values_list("merchant_id", flat=True)
        .first()
    )
    due = model.cross_tenant_objects.filter(
        merchant_id=merchant_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    if not gather:
        due = due.filter(pk__in=delivery_ids)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    model.cross_tenant_objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING,
        claimed_at=now,
        lease_until=_lease_end(now),
        attempts=F("attempts") + 1,
    )
    return ids


class _LeaseKeeper(threading.Thread):
    """Renews a claim's lease every third of its length until told to stop.

    The lease is short so that a dead worker's rows are sent again soon; a live worker
    waiting on a slow server keeps them, so the sweep never takes them for dead.
    """

    def __init__(self, model, delivery_ids, claimed_at):
        super().__init__(name=f"lease-{claimed_at.isoformat()}", daemon=True)
        self.model, self.delivery_ids, self.claimed_at = model, delivery_ids, claimed_at
        self.stopped = threading.Event()
        # A thread starts with no tenant scope: it renews in the sender's (the task's).
        self.context = contextvars.copy_context()

    def run(self) -> None:
        self.context.run(self._renew)

    def _renew(self) -> None:
        interval = settings.NOTIFICATION_CLAIM_LEASE_SECONDS / 3
        try:
            while not self.stopped.wait(interval):
                try:
                    self.model.cross_tenant_objects.filter(
                        pk__in=self.delivery_ids,
                        status=DeliveryStatus.SENDING,
                        claimed_at=self.claimed_at,
                    ).update(lease_until=_lease_end(timezone.now()))
                except DatabaseError:
                    logger.warning(
                        "Could not renew the lease of %s.", self.delivery_ids, exc_info=True
                    )
        finally:
            connections.close_all()  # this thread's own connections


@contextmanager
def _lease_kept(model, delivery_ids, claimed_at):
    keeper = _LeaseKeeper(model, delivery_ids, claimed_at)
    keeper.start()
    try:
        yield
    finally:
        keeper.stopped.set()
        keeper.join()


def _finish(model, delivery_ids, claimed_at, **fields) -> None:
    if not delivery_ids:
        return
    # Conditional on our own claim: a row whose lease expired belongs to someone else now.
    model.cross_tenant_objects.filter(
        pk__in=delivery_ids, status=DeliveryStatus.SENDING, claimed_at=claimed_at
    ).update(**fields)


@dataclass(frozen=True)
class Retry:
    """Deliveries of a batch that failed and will be tried again, the soonest in `delay` s."""

    ids: list[str]
    delay: float


def _retry_later(model, delivery, claimed_at, error: str, give_up: bool) -> float | None:
    if give_up:
        _finish(model, [delivery.pk], claimed_at, status=DeliveryStatus.FAILED, last_error=error)
        return None
    # delivery.attempts was read after the claim counted this attempt.
    delay = _backoff(delivery.attempts)
    _finish(
        model,
        [delivery.pk],
        claimed_at,
        status=DeliveryStatus.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return delay


def _retry_of(delays: dict) -> Retry | None:
    """The failed rows still to try (not given up), and the soonest delay among them."""
    pending = {pk: delay for pk, delay in delays.items() if delay is not None}
    if not pending:
        return None
    return Retry(ids=[str(pk) for pk in pending], delay=min(pending.values()))


# ---------------------------------------------------------------------------------------
# E-mail


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.SITE_URL.rstrip("/") + url
    return url


def email_render(*, event: NotificationEvent, user, organization) -> EmailMultiAlternatives:
    language = _language(user)
    with translation.override(language):
        title = Text.render_json(event.title, language)
        context = {
            **event.email_context,
            "title": title,
            "body": Text.render_json(event.body, language),
            "url": _absolute(event.url),
            "organization_name": organization.name,
            "user_name": user.get_short_name(),
            "preferences_url": _absolute(
                "/app/notifications/preferences/"
                if organization.is_merchant
                else "/portal/notifications/preferences/"
            ),
        }
        template = event.email_template or "notifications/email/event"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        subject = " ".join(f"[Redress] {title}".split())[:200]
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def email_message_id(delivery_id) -> str:
    """The same on every send of one delivery row: a resent copy is recognisable as one."""
    sender_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return f"<{delivery_id}@{sender_domain or 'redress.localhost'}>"


def email_delivery_send(*, delivery_id) -> float | None:
    """Send one e-mail delivery if it is due; answer the retry delay (s) after a failure."""
    retry = email_deliveries_send(delivery_ids=[delivery_id], gather=False)
    return None if retry is None else retry.delay


def email_deliveries_send(*, delivery_ids, gather: bool = True) -> Retry | None:
    """Send the due e-mail deliveries among `delivery_ids`, and with `gather` the due ones
    of the same merchant that came since (see `_claim`), over one mail connection.

    Answers the failed ones to try again and when (None when there are none).
    """
    claimed_at, deliveries = _claim(
        EmailDelivery, delivery_ids, ("event", "user", "organization"), gather=gather
    )
    if not deliveries:
        return None
    sent, cancelled, delays = [], [], {}
    mail_connection = get_connection()
    try:
        with _lease_kept(EmailDelivery, [row.pk for row in deliveries], claimed_at):
            for delivery in deliveries:
                user = delivery.user
                if not user.is_active or not user.email:
                    cancelled.append(delivery.pk)
                    continue
                message = email_render(
                    event=delivery.event, user=user, organization=delivery.organization
                )
                message.extra_headers["Message-ID"] = email_message_id(delivery.pk)
                message.connection = mail_connection
                try:
                    message.send()
                except smtplib.SMTPRecipientsRefused as error:
                    # The address itself is refused: trying again would not help.
                    delays[delivery.pk] = _retry_later(
                        EmailDelivery, delivery, claimed_at, repr(error), give_up=True
                    )
                except (smtplib.SMTPException, OSError) as error:
                    give_up = delivery.attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
                    delays[delivery.pk] = _retry_later(
                        EmailDelivery, delivery, claimed_at, repr(error), give_up=give_up
                    )
                    _close_quietly(mail_connection)  # the next message opens a fresh one
                else:
                    sent.append(delivery.pk)
    finally:
        _close_quietly(mail_connection)
    with _bookkeeping():
        _finish(EmailDelivery, cancelled, claimed_at, status=DeliveryStatus.CANCELLED)
        _finish(EmailDelivery, sent, claimed_at, status=DeliveryStatus.SENT, sent_at=timezone.now())
    return _retry_of(delays)


def _close_quietly(mail_connection) -> None:
    try:
        mail_connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("Closing the mail connection failed.", exc_info=True)


# ---------------------------------------------------------------------------------------
# Webhooks


def webhook_body(event: NotificationEvent) -> bytes:
    payload = {
        "id": str(event.pk),
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (API.md)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_delivery_send(*, delivery_id) -> float | None:
    """One POST of one delivery if it is due; answer the retry delay (s) after a failure."""
    retry = webhook_deliveries_send(delivery_ids=[delivery_id], gather=False)
    return None if retry is None else retry.delay


def webhook_deliveries_send(*, delivery_ids, gather: bool = True) -> Retry | None:
    """POST the due webhook deliveries among `delivery_ids`, and with `gather` the due ones
    of the same merchant that came since (see `_claim`), one kept connection per address.

    Answers the failed ones to try again and when (None when there are none).
    """
    claimed_at, deliveries = _claim(
        WebhookDelivery, delivery_ids, ("event", "endpoint"), gather=gather
    )
    if not deliveries:
        return None
    cancelled, sent, attempts, delays = [], defaultdict(list), [], {}
    # Endpoints that did not answer in this batch (refused, timed out): their other rows
    # wait for their retry untried, so that one dead endpoint cannot hold a gathered
    # batch for a timeout per row.
    unreachable: dict = {}
    with (
        net.Poster() as poster,
        _lease_kept(WebhookDelivery, [row.pk for row in deliveries], claimed_at),
    ):
        for delivery in deliveries:
            endpoint = delivery.endpoint
            if not endpoint.active or endpoint.deleted_at is not None:
                cancelled.append(delivery.pk)
                continue
            if endpoint.pk in unreachable:
                give_up = timezone.now() >= delivery.retry_until
                delays[delivery.pk] = _retry_later(
                    WebhookDelivery, delivery, claimed_at, unreachable[endpoint.pk], give_up
                )
                continue
            status_code, error, latency_ms = _webhook_post(poster, delivery)
            if status_code is None and error:
                unreachable[endpoint.pk] = error
            attempts.append(
                WebhookAttempt(
                    merchant_id=delivery.merchant_id,
                    delivery_id=delivery.pk,
                    status_code=status_code,
                    latency_ms=latency_ms,
                    error=error,
                )
            )
            if not error:
                sent[status_code].append(delivery.pk)
                continue
            WebhookDelivery.cross_tenant_objects.filter(pk=delivery.pk).update(
                last_status_code=status_code
            )
            give_up = timezone.now() >= delivery.retry_until
            delays[delivery.pk] = _retry_later(
                WebhookDelivery, delivery, claimed_at, error, give_up=give_up
            )
    delivered_at = timezone.now()
    with _bookkeeping():
        WebhookAttempt.cross_tenant_objects.bulk_create(attempts)
        _finish(WebhookDelivery, cancelled, claimed_at, status=DeliveryStatus.CANCELLED)
        for status_code, ids in sent.items():
            _finish(
                WebhookDelivery,
                ids,
                claimed_at,
                status=DeliveryStatus.SENT,
                delivered_at=delivered_at,
                last_status_code=status_code,
                last_error="",
            )
    return _retry_of(delays)


def _webhook_post(poster: net.Poster, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """One signed POST: (status code or None, error or "", latency in ms)."""
    body = webhook_body(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Redress-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(
            secret=delivery.endpoint.secret, body=body, timestamp=int(time.time())
        ),
    }
    status_code, error = None, ""
    started = time.monotonic()
    try:
        answer = poster.post(delivery.endpoint.url, body=body, headers=headers)
        status_code = answer.status
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except net.UnsafeTarget as refusal:
        error = str(refusal)
    except (urllib3.exceptions.HTTPError, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:1000]
    return status_code, error, int((time.monotonic() - started) * 1000)


def _require_owner(actor: Actor) -> None:
    if not actor.is_merchant or actor.role not in MERCHANT_OWNERS:
        raise PermissionDenied(_("Only the owner may manage webhooks."))


def _check_events(events) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationFailed(field_errors={"events": [_("Name at least one event type.")]})
    unknown = [name for name in events if name != ALL_EVENTS and name not in event_types()]
    if unknown:
        raise ValidationFailed(
            field_errors={
                "events": [
                    _("Unknown event type(s): %(names)s.") % {"names": ", ".join(map(str, unknown))}
                ]
            }
        )
    return [ALL_EVENTS] if ALL_EVENTS in events else list(dict.fromkeys(events))


def webhook_endpoint_create(
    *, actor: Actor, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned here, and never shown again)."""
    _require_owner(actor)
    events = _check_events(events)
    try:
        net.check_url(url)
    except net.UnsafeTarget as refusal:
        raise ValidationFailed(field_errors={"url": [str(refusal)]}) from refusal
    merchant = actor.organization
    with transaction.atomic():
        # Counting under the merchant's row lock keeps two parallel creations honest.
        type(merchant).objects.select_for_update().filter(pk=merchant.pk).first()
        existing = WebhookEndpoint.cross_tenant_objects.filter(
            merchant=merchant, deleted_at__isnull=True
        ).count()
        if existing >= settings.WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT:
            raise ValidationFailed(
                _("A shop may have at most %(count)d webhook endpoints.")
                % {"count": settings.WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT}
            )
        secret = _new_secret()
        endpoint = WebhookEndpoint.cross_tenant_objects.create(
            merchant=merchant,
            url=url,
            events=events,
            description=description,
            secret=secret,
            created_by=actor.user,
        )
        audit_record(
            action=AuditAction.WEBHOOK_CREATED,
            organization=merchant,
            actor=actor,
            target=url,
            data={"endpoint": str(endpoint.pk), "events": events},
        )
    return endpoint, secret


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_rotate_secret(
    *, actor: Actor, endpoint: WebhookEndpoint
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (returned here, and never shown again); the old one stops now.

    Deliveries sent from now on, retries included, are signed with the new secret.
    """
    _require_owner(actor)
    secret = _new_secret()
    with transaction.atomic():
        rotated = WebhookEndpoint.cross_tenant_objects.filter(
            pk=endpoint.pk, deleted_at__isnull=True
        ).update(secret=secret)
        if not rotated:
            raise Conflict(_("This endpoint is deleted."))
        audit_record(
            action=AuditAction.WEBHOOK_SECRET_ROTATED,
            organization=actor.organization,
            actor=actor,
            target=endpoint.url,
            data={"endpoint": str(endpoint.pk)},
        )
    endpoint.refresh_from_db()
    return endpoint, secret


def webhook_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Stops deliveries to the endpoint; its delivery log stays for the operators."""
    _require_owner(actor)
    now = timezone.now()
    with transaction.atomic():
        WebhookEndpoint.cross_tenant_objects.filter(pk=endpoint.pk).update(
            active=False, deleted_at=now
        )
        WebhookDelivery.cross_tenant_objects.filter(
            endpoint=endpoint, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.CANCELLED)
        audit_record(
            action=AuditAction.WEBHOOK_DELETED,
            organization=actor.organization,
            actor=actor,
            target=endpoint.url,
            data={"endpoint": str(endpoint.pk)},
        )


def webhook_delivery_resend(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (same event id), retried for another full window."""
    _require_owner(actor)
    now = timezone.now()
    with transaction.atomic():
        updated = (
            WebhookDelivery.cross_tenant_objects.filter(
                pk=delivery.pk, endpoint__deleted_at__isnull=True
            )
            .exclude(status=DeliveryStatus.SENDING)
            .update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                retry_until=now + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS),
                last_error="",
            )
        )
        if not updated:
            raise Conflict(_("This delivery is being sent right now, or its endpoint is deleted."))
        delivery_id = str(delivery.pk)
        transaction.on_commit(lambda: enqueue_deliveries([], [delivery_id]))
    delivery.refresh_from_db()
    return delivery


# ---------------------------------------------------------------------------------------
# The outbox sweep


def _sweep_model(model, *, now: datetime, batch_size: int) -> dict[Any, list[str]]:
    """The ids of the deliveries to queue again, by merchant."""
    grace = timedelta(seconds=settings.NOTIFICATION_OUTBOX_GRACE_SECONDS)
    ids: dict[Any, list[str]] = {}
    for condition in (
        # A task that never ran: lost with the broker, or never enqueued (Redis was down).
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - grace),
        # A worker that died between claim and result: its lease has run out.
        Q(status=DeliveryStatus.SENDING, lease_until__lt=now),
    ):
        with transaction.atomic():
            stuck = list(
                model.cross_tenant_objects.select_for_update(skip_locked=True)
                .filter(condition)
                .order_by()
                .values_list("merchant_id", "pk")[:batch_size]
            )
            # Due now, so the new task may claim it; not picked again before the grace.
            model.cross_tenant_objects.filter(pk__in=[pk for _merchant, pk in stuck]).update(
                status=DeliveryStatus.PENDING, next_attempt_at=now
            )
        for merchant_id, pk in stuck:
            ids.setdefault(merchant_id, []).append(str(pk))
    return ids


def outbox_sweep(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Enqueue again the deliveries whose task was lost; answer how many."""
    now = now or timezone.now()
    with tenancy.cross_tenant_scope(reason=OUTBOX_SCOPE_REASON):
        email_ids = _sweep_model(EmailDelivery, now=now, batch_size=batch_size)
        hook_ids = _sweep_model(WebhookDelivery, now=now, batch_size=batch_size)
    # A task sends one merchant's rows, in that merchant's scope (core.tasks.task_scope).
    for merchant_id in email_ids.keys() | hook_ids.keys():
        enqueue_deliveries(email_ids.get(merchant_id, []), hook_ids.get(merchant_id, []))
    return sum(map(len, email_ids.values())) + sum(map(len, hook_ids.values()))
