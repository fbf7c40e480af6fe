"""Domain errors raised by services; one exception handler maps them to HTTP answers."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, field_errors: dict | None = None):
        self.message = message or self.default_message
        self.field_errors = field_errors or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status_code = 400
    default_message = _("Invalid input.")


class NotFound(DomainError):
    """Missing, or belongs to another organization: the two are indistinguishable on purpose."""

    status_code = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status_code = 403
    default_message = _("Your role does not allow this.")


class Conflict(DomainError):
    """A duplicate, or an action the current state does not allow."""

    status_code = 409
    default_message = _("This conflicts with the current state.")


class InvalidTransition(Conflict):
    default_message = _("This action is not allowed in the current state.")


class PayloadTooLarge(DomainError):
    status_code = 413
    default_message = _("The upload is too large.")


class UnsupportedMediaType(DomainError):
    status_code = 415
    default_message = _("This type of file is not accepted.")


class NotAuthenticated(DomainError):
    status_code = 401
    default_message = _("Authentication failed.")


class TooManyRequests(DomainError):
    status_code = 429
    default_message = _("Too many attempts. Try again later.")
