"""Celery tasks of the connectors: thin, named, by id; idempotent because each event row
carries its result and is locked while it is processed (connectors.services.processing)."""

import logging
import random

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from connectors.models import Connector, ConnectorEvent
from connectors.queue import enqueue_event
from connectors.services import processing
from core.tasks import task_scope

logger = logging.getLogger(__name__)

PROCESS_RETRIES = 6
PROCESS_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    "max_retries": PROCESS_RETRIES,
}


def _backoff(retries: int) -> float:
    # 2, 4, 8 ... 64 s with jitter, so a database restart is not met by every retry at once.
    return min(2 ** (retries + 1), 64) * random.uniform(0.75, 1.25)  # noqa: S311


@shared_task(name="connectors.event_process", **PROCESS_OPTIONS)
@task_scope(owner_of=(ConnectorEvent, "event_id"))
def connector_event_process_task(self, event_id: str, force: bool = False) -> None:
    try:
        processing.connector_event_process(event_id=event_id, force=force)
    except (OperationalError, InterfaceError) as error:
        if self.request.retries >= PROCESS_RETRIES:
            processing.connector_event_fail(
                event_id=event_id,
                message=_("The database could not be reached: %(error)s") % {"error": error},
            )
            return
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


@shared_task(name="connectors.events_reprocess_waiting", **PROCESS_OPTIONS)
@task_scope(owner_of=(Connector, "connector_id"))
def connector_events_reprocess_waiting_task(self, connector_id: str) -> None:
    """A supplier mapping was added: the deliveries waiting for one are processed again."""
    for event_id in processing.connector_events_waiting(connector_id=connector_id):
        enqueue_event(event_id, force=True)


@shared_task(
    name="connectors.event_sweep",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
)
@task_scope(system="queue again every merchant's deliveries never queued")
def connector_event_sweep_task() -> int:
    """Queue again the deliveries whose processing was never queued (a broker outage)."""
    event_ids = processing.connector_events_unprocessed()
    for event_id in event_ids:
        enqueue_event(event_id)
    return len(event_ids)
