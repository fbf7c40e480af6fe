from celery import shared_task

from core.tasks import task_scope
from deadlines import services

# A tick's sweep stops starting batches after this long, so that the next minute's tick
# (which may run on another worker at the same time: SKIP LOCKED shares the rows) picks
# up the rest instead of one task running into its time limit.
SWEEP_TIME_BUDGET_SECONDS = 50


@shared_task(
    name="deadlines.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
@task_scope(system="the deadline sweep fires every merchant's due deadlines")
def deadline_sweep_task(batch_size: int | None = None) -> int:
    # Idempotent: a duplicate or redelivered tick finds the rows fired or locked.
    return services.deadline_sweep(
        batch_size=batch_size or 500, time_budget=SWEEP_TIME_BUDGET_SECONDS
    )
