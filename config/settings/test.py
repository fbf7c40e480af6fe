"""Tests run against the production database and broker: real Postgres and real Redis."""

from config.broker import broker_settings
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR, env

# The tests run as the application's role, under row-level security; their databases are
# created and migrated as the tables' owner (conftest.py), as a deployment migrates.
DATABASES["default"] = env.db(
    "DATABASE_URL", default="postgres://redress_app@127.0.0.1:5432/redress"
)
DATABASE_OWNER = env.db(
    "DATABASE_OWNER_URL", default="postgres://redress_owner@127.0.0.1:5432/redress"
)
DATABASE_APP_ROLE = DATABASES["default"]["USER"]
# Several checkouts on one server (CI beside a developer) each name their own test database.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_redress")}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
_broker = broker_settings(CELERY_BROKER_URL, var_dir=VAR_DIR)
CELERY_BROKER_TRANSPORT = _broker.transport
CELERY_BROKER_TRANSPORT_OPTIONS = _broker.transport_options
CELERY_BROKER_USE_SSL = _broker.use_ssl
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "test-media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
AXES_FAILURE_LIMIT = 5
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}  # noqa: F405
