"""Liveness and readiness for load balancers and orchestrators."""

from celery import current_app
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def database_reachable() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def broker_reachable() -> bool:
    # The current app is the project's (config.celery): core imports no project module.
    try:
        with Connection(
            current_app.conf.broker_url,
            transport_options=current_app.conf.broker_transport_options,
            connect_timeout=2,
        ) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def readyz(request):
    checks = {"database": database_reachable(), "broker": broker_reachable()}
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
