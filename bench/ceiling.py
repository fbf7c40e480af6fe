"""What a list could cost at best, and how many queries each request runs.

`BareDisputePage` is the ceiling of the HTTP scenarios: a DRF view authenticated the same
way as the API (Bearer token), reading a keyset page of 25 disputes of the token's merchant
with one query and returning a few fields. It lives in bench.urls only.
"""

from django.db import connection
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.models import Dispute

PAGE = 25


class BareDisputePage(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        rows = list(
            Dispute.cross_tenant_objects.filter(merchant_id=request.auth.organization_id)
            .order_by("-id")
            .values("id", "number", "kind", "reason", "status", "opened_at", "respond_by")[
                : PAGE + 1
            ]
        )
        following = str(rows[PAGE - 1]["id"]) if len(rows) > PAGE else None
        return Response({"next": following, "results": rows[:PAGE]})


class QueryCountMiddleware:
    """Adds `X-Bench-Queries`: the SQL statements the request ran (this process only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
