from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from core.tasks import task_scope
from orders import services
from orders.models import ImportStatus, OrderImport
from orders.services.imports import IMPORT_RUN_TASK

# Seconds of work per run. A large file is read over several runs, each queuing the next,
# so no run nears the time limits and a worker restart loses at most one chunk of work.
IMPORT_TIME_BUDGET = 240


@shared_task(
    name=IMPORT_RUN_TASK,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=IMPORT_TIME_BUDGET + 120,
    time_limit=IMPORT_TIME_BUDGET + 180,
)
@task_scope(owner_of=(OrderImport, "import_id"))
def order_import_run_task(import_id: str) -> None:
    """Carry a CSV import on from its last committed row (safe to run twice, or at once)."""
    order_import = OrderImport.objects.select_related("merchant").filter(pk=import_id).first()
    if order_import is None:
        return
    try:
        result = services.order_import_run(
            order_import=order_import, time_budget=IMPORT_TIME_BUDGET
        )
    except SoftTimeLimitExceeded:
        result = None  # committed chunks stay; the next run resumes after them
    except (OperationalError, InterfaceError):
        raise  # transient: retried with backoff, resuming at the last committed row
    except Exception:
        services.order_import_fail(
            order_import=order_import,
            message=_("The import stopped on an unexpected error. Rows already imported stay."),
        )
        raise
    if result is None or result.status == ImportStatus.RUNNING:
        order_import_run_task.delay(import_id)
