"""What a locked-out login gets: JSON for the API, a page for the browser (429 both)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Too many failed logins. Try again in 15 minutes.")}, status=429
        )
    return render(request, "registration/locked_out.html", status=429)
