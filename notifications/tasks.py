"""Celery tasks: thin, named, by id; idempotent because each row is claimed (see services).

A failed send is retried with a Celery countdown when the backoff is short; a long
backoff (webhooks retry for 24 hours) is left to the outbox sweep, which re-enqueues the
row once `next_attempt_at` passes: an ETA message held for hours in Redis would be
redelivered after the visibility timeout, or lost with the broker.
"""

from celery import shared_task

from core.tasks import task_scope
from notifications import services
from notifications.models import EmailDelivery, WebhookDelivery

# The one-row tasks stay for messages queued by an earlier release; services enqueue batches.

# Under Redis's visibility timeout (one hour) with a wide margin.
COUNTDOWN_LIMIT_SECONDS = 600
# A countdown that lands a little before `next_attempt_at` would find the row not yet due.
COUNTDOWN_MARGIN_SECONDS = 0.5

SEND_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    # Webhooks: 3 s connect + 10 s read; SMTP similar. The claim's lease is renewed while
    # a send runs (services._LeaseKeeper); a killed task's lease runs out.
    "soft_time_limit": 60,
    "time_limit": 90,
    "max_retries": None,  # bounded by the service: attempts for e-mail, 24 h for webhooks
}


def _retry(task, delay: float | None) -> None:
    if delay is not None and delay <= COUNTDOWN_LIMIT_SECONDS:
        raise task.retry(countdown=delay + COUNTDOWN_MARGIN_SECONDS)


@shared_task(name=services.EMAIL_SEND_TASK, **SEND_OPTIONS)
@task_scope(owner_of=(EmailDelivery, "delivery_id"))
def email_delivery_send_task(self, delivery_id: str) -> None:
    _retry(self, services.email_delivery_send(delivery_id=delivery_id))


@shared_task(name=services.WEBHOOK_SEND_TASK, **SEND_OPTIONS)
@task_scope(owner_of=(WebhookDelivery, "delivery_id"))
def webhook_delivery_send_task(self, delivery_id: str) -> None:
    _retry(self, services.webhook_delivery_send(delivery_id=delivery_id))


# A batch of up to services.DELIVERIES_PER_TASK rows: slow servers may take their full
# timeouts for several of them; the lease is renewed all along (a killed task's runs out).
BATCH_OPTIONS = {**SEND_OPTIONS, "soft_time_limit": 300, "time_limit": 360}


def _retry_batch(task, retry: services.Retry | None) -> None:
    if retry is not None and retry.delay <= COUNTDOWN_LIMIT_SECONDS:
        raise task.retry(args=[retry.ids], countdown=retry.delay + COUNTDOWN_MARGIN_SECONDS)


@shared_task(name=services.EMAILS_SEND_TASK, **BATCH_OPTIONS)
@task_scope(owner_of=(EmailDelivery, "delivery_ids"))
def email_deliveries_send_task(self, delivery_ids: list[str]) -> None:
    _retry_batch(self, services.email_deliveries_send(delivery_ids=delivery_ids))


@shared_task(name=services.WEBHOOKS_SEND_TASK, **BATCH_OPTIONS)
@task_scope(owner_of=(WebhookDelivery, "delivery_ids"))
def webhook_deliveries_send_task(self, delivery_ids: list[str]) -> None:
    _retry_batch(self, services.webhook_deliveries_send(delivery_ids=delivery_ids))


@shared_task(
    name="notifications.outbox_sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
)
@task_scope(system="the outbox sweep queues every merchant's due deliveries")
def outbox_sweep_task() -> int:
    return services.outbox_sweep()
