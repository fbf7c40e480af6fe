from celery import shared_task

from core.tasks import task_scope
from insights import services


@shared_task(
    name="insights.supplier_days_refresh",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=1500,
    time_limit=1800,
)
@task_scope(system="the daily supplier summary counts every merchant's lines")
def supplier_days_refresh_task() -> int:
    # Idempotent: a duplicate or redelivered run recomputes the same days the same way.
    return services.supplier_days_refresh()
