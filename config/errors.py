"""API paths answer errors in JSON, pages in HTML."""

import sys

from django.template.response import SimpleTemplateResponse
from django.views import defaults

from core.api.errors import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    json_bad_request,
    json_not_found,
    json_server_error,
    json_service_unavailable,
)


def bad_request(request, exception=None):
    # Django's own refusals before any view runs (too many form fields, a bad host).
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Called while the exception is handled: the database being down is not a bug here.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)


def service_unavailable(request):
    if request.path.startswith("/api/"):
        return json_service_unavailable(request)
    # No request context: its processors would need the database.
    response = SimpleTemplateResponse("503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response.render()
