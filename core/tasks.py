"""The one way a Celery task sets its tenant scope: `@task_scope(...)` under `@shared_task`.

A task starts with no scope (whatever the code that queued or ran it had), then either

- works on one row, or a batch of one merchant's rows (`owner_of=(Model, "argument")`): it
  runs in the scope of the merchant owning that row (the batch's first), found by a
  one-row read under the audited system context; a row that is gone leaves nothing to do; or
- is deliberate cross-tenant work (`system="reason"`, a sweep): it runs under the audited
  system context (core.tenancy.cross_tenant_scope).

tests/test_row_level_security.py fails when a task of the project goes without it.
"""

import functools
import inspect
import logging

from django.apps import apps
from django.conf import settings
from django.db.models import Subquery

from core import tenancy

logger = logging.getLogger(__name__)


def task_scope(*, owner_of: tuple[type, str] | None = None, system: str = ""):
    if (owner_of is None) == (not system):
        raise ValueError("task_scope takes either owner_of=(Model, argument) or system=reason.")

    def decorate(function):
        signature = inspect.signature(function)
        name = f"{function.__module__}.{function.__name__}"

        @functools.wraps(function)
        def run(*args, **kwargs):
            with tenancy.entry_point():
                if system:
                    with tenancy.cross_tenant_scope(reason=f"{name}: {system}"):
                        return function(*args, **kwargs)
                model, argument = owner_of
                key = signature.bind(*args, **kwargs).arguments[argument]
                if isinstance(key, list | tuple):
                    # A batch is one merchant's rows: the first says whose. A row of another
                    # merchant stays out of reach, pending, for the outbox sweep to requeue.
                    key = key[0] if key else None
                merchant = _owner(model, key, reason=f"{name}: whose {model.__name__} it is")
                if merchant is None:
                    logger.info("%s: %s %s is gone, nothing to do", name, model.__name__, key)
                    return None
                with tenancy.organization_scope(merchant):
                    return function(*args, **kwargs)

        run.task_scope = {"owner_of": owner_of, "system": system}
        return run

    return decorate


def _owner(model, key, *, reason: str):
    organization_model = apps.get_model(settings.TENANT_ORGANIZATION_MODEL)
    # One query: a batch's tasks often find their rows already sent by another task (see
    # notifications.services._claim), so this read is most of what such a task costs.
    owning = model._base_manager.filter(pk=key).values("merchant_id")[:1]
    with tenancy.cross_tenant_scope(reason=reason):
        return organization_model._base_manager.filter(pk=Subquery(owning)).first()
