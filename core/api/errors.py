"""One JSON error shape for the whole API: {"detail": message, <field>: [errors]...}."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger(__name__)
# The database unreachable, or a lock or statement timeout: the same request may succeed
# in a moment, so the client is told to retry rather than that the server is broken.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class DomainAPIException(exceptions.APIException):
    def __init__(self, error: DomainError):
        self.status_code = error.status_code
        super().__init__(detail=str(error.message))
        self.field_errors = error.field_errors


def exception_handler(exc, context):
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("Database unavailable", exc_info=exc)
        return Response(
            unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DomainError):
        exc = DomainAPIException(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
    elif isinstance(exc, DomainAPIException) and exc.field_errors:
        response.data = {"detail": str(exc.detail), **exc.field_errors}
    return response


def _validation_body(data) -> dict:
    # Field errors stay keyed by field name, as DRF clients expect; "detail" says it in words.
    if isinstance(data, dict):
        return {"detail": _("Invalid input."), **data}
    messages = [str(item) for item in data] if isinstance(data, list) else [str(data)]
    return {"detail": " ".join(messages), "non_field_errors": messages}


def json_bad_request(request, exception=None):
    return JsonResponse(
        {"detail": _("The request could not be read.")}, status=status.HTTP_400_BAD_REQUEST
    )


def json_permission_denied(request, exception=None):
    return JsonResponse(
        {"detail": _("You do not have permission to perform this action.")},
        status=status.HTTP_403_FORBIDDEN,
    )


def json_not_found(request, exception=None):
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


def unavailable_body() -> dict:
    return {"detail": _("The service is briefly unavailable. Try again in a minute.")}


def json_service_unavailable(request):
    response = JsonResponse(unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def json_server_error(request):
    return JsonResponse(
        {"detail": _("Something went wrong on our side. It has been logged.")},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
