"""Queueing a delivery's processing, by the tasks' stable names (connectors.tasks).

By name, because the tasks call the services that queue them: a module cycle is what the
import contract forbids.
"""

import logging

from celery import signature

logger = logging.getLogger(__name__)

EVENT_PROCESS_TASK = "connectors.event_process"
EVENTS_REPROCESS_WAITING_TASK = "connectors.events_reprocess_waiting"


def enqueue_event(event_id, *, force: bool = False) -> None:
    """Queue one delivery's processing; a failure here is logged, and the sweep recovers."""
    try:
        signature(
            EVENT_PROCESS_TASK,
            args=[str(event_id)],
            kwargs={"force": force} if force else {},
        ).apply_async(
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        logger.warning(
            "Could not queue connector event %s; the sweep will.", event_id, exc_info=True
        )


def enqueue_waiting(connector_id) -> None:
    signature(EVENTS_REPROCESS_WAITING_TASK, args=[str(connector_id)]).delay()
