"""Imported by a test's Celery worker subprocess (`--include`): retries within a second."""

from django.conf import settings

settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.3
settings.NOTIFICATION_RETRY_MAX_SECONDS = 1
