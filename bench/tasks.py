"""Tasks of the bench's own worker: the no-op drain that is the ceiling of the fan-out."""

from pathlib import Path

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    """Nothing: what a task costs the worker and the broker, and no more."""


@shared_task(name="bench.drained", ignore_result=True)
def drained(marker: str) -> None:
    """Queued after the no-ops: when it runs, the queue before it has been drained."""
    Path(marker).touch()
