"""Settings for benchmarks only: the app as it runs, plus the ceiling view's URL and a
header telling how many SQL queries a request ran. Never used in production."""

import os

from config.broker import broker_settings
from config.settings.local import *  # noqa: F403
from config.settings.local import MIDDLEWARE, VAR_DIR

DEBUG = False
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.ceiling.QueryCountMiddleware", *MIDDLEWARE]
# The login throttle protects people, not benchmarks.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "1000000/min"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# Pages render {% static %} without a collected manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# gunicorn and the bench's process publish nowhere; only the notification fan-out runs a
# worker (bench/fanout.py), which it starts with BENCH_WORKER_BROKER_URL, e-mails into files
# and webhooks to a sink on loopback.
CELERY_BROKER_URL = os.environ.get("BENCH_WORKER_BROKER_URL", "memory://")
if CELERY_BROKER_URL != "memory://":
    _broker = broker_settings(CELERY_BROKER_URL, var_dir=VAR_DIR)
    CELERY_BROKER_TRANSPORT = _broker.transport
    CELERY_BROKER_TRANSPORT_OPTIONS = _broker.transport_options
    CELERY_BROKER_USE_SSL = _broker.use_ssl
else:
    CELERY_BROKER_TRANSPORT = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    CELERY_BROKER_USE_SSL = False
if os.environ.get("BENCH_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["BENCH_EMAIL_DIR"]
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
