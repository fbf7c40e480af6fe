"""Settings for benchmarks only: the app as it runs, plus the ceiling view's URL and a
header telling how many SQL queries a request ran. Never used in production."""

from config.settings.local import *  # noqa: F403
from config.settings.local import MIDDLEWARE

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
# No worker runs here: the engines are measured in the bench's own process.
CELERY_BROKER_URL = "memory://"
