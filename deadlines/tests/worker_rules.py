"""Imported by a test's Celery worker subprocess (`celery -A config worker --include ...`)."""

from deadlines.tests import rules

rules.register()
