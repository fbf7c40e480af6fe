"""API paths answer errors in JSON, pages in HTML, in the site's layout."""

import re
import sys
import uuid

from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.views import defaults

from core import tenancy
from core.api.errors import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    json_bad_request,
    json_not_found,
    json_permission_denied,
    json_server_error,
    json_service_unavailable,
)
from disputes.models import Dispute
from orders.models import Order

# A page of one dispute or order, in the dashboard or the portal, and anything under it.
OBJECT_PATH = re.compile(
    r"^/(?:app|portal)/(?P<kind>disputes|orders)/(?P<pk>[0-9a-f]{8}-[0-9a-f-]{27})/", re.I
)
MODELS = {"disputes": Dispute, "orders": Order}


def bad_request(request, exception=None):
    # Django's own refusals before any view runs (too many form fields, a bad host).
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return json_permission_denied(request, exception)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    switch = other_organization_holding(request)
    if switch is None:
        return defaults.page_not_found(request, exception)
    return render(request, "404.html", {"switch": switch}, status=404)


def other_organization_holding(request) -> dict | None:
    """Another organization of the signed-in person where this dispute or order exists.

    The page answers 404 in the active organization; if one of the person's other
    organizations sees the object, the page offers to switch there instead.
    """
    match = OBJECT_PATH.match(request.path)
    active = getattr(request, "organization", None)
    if match is None or active is None:
        return None
    try:
        pk = uuid.UUID(match["pk"])
    except ValueError:
        return None
    model = MODELS[match["kind"]]
    for membership in request.memberships:
        organization = membership.organization
        if organization.pk == active.pk:
            continue
        with tenancy.organization_scope(organization):
            if model.objects.filter(pk=pk).exists():
                return {"organization": organization, "next": _path_in(organization, match, pk)}
    return None


def _path_in(organization, match, pk) -> str:
    if organization.is_merchant:
        return f"/app/{match['kind']}/{pk}/"
    # The portal has a page per dispute; orders are shipped from its list.
    return f"/portal/disputes/{pk}/" if match["kind"] == "disputes" else "/portal/orders/"


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
