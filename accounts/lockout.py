"""Login lock-out (django-axes): who is counted, and what a locked-out login gets."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import UserManager


def login_username(request, credentials=None) -> str:
    """The account a login attempt is counted against: the e-mail as login reads it."""
    value = (credentials or request.POST).get("username")
    return UserManager.normalize_email(value if isinstance(value, str) else "")


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Too many failed logins. Try again in 15 minutes.")}, status=429
        )
    return render(request, "registration/locked_out.html", status=429)
