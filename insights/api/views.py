"""The analytics endpoints of API.md: parse the period, call ONE selector, answer.

`?format=csv|xlsx` picks a file renderer through DRF's format override; errors stay JSON.
"""

import base64

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api.pagination import CursorPagination
from core.api.views import MERCHANT, SUPPLIER, ScopedAPIView
from core.errors import ValidationFailed
from insights import exports, selectors
from insights.api import serializers as s
from insights.api.renderers import CSVRenderer, TableRenderer, XLSXRenderer
from insights.period import period_parse

PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive), local."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive), local."),
]
FILE_FORMAT = OpenApiParameter("format", str, enum=["json", "csv", "xlsx"])
FILE_RESPONSES = {
    (200, exports.CSV_TYPE): OpenApiTypes.BINARY,
    (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
}


class ListPage:
    """A page of a list computed whole (a few thousand grouped rows): an opaque cursor that
    holds the offset, `page_size` up to 100, and the links of API.md's list shape."""

    parameters = [
        OpenApiParameter("cursor", str, description="From the previous page's next/previous."),
        OpenApiParameter("page_size", int, description="Up to 100 (default 50)."),
    ]
    default_size = 50

    def __init__(self, request, rows: list):
        self.request = request
        self.offset = self._offset(request.query_params.get("cursor"))
        # The same rule as every other list (core.api.pagination): 1 to 100, or a 400.
        size_rule = CursorPagination()
        size_rule.page_size = self.default_size
        self.size = size_rule.get_page_size(request)
        self.rows = rows[self.offset : self.offset + self.size]
        self.has_next = self.offset + self.size < len(rows)

    def body(self, results: list) -> dict:
        previous = max(self.offset - self.size, 0) if self.offset else None
        return {
            "results": results,
            "next": self._link(self.offset + self.size) if self.has_next else None,
            "previous": None if previous is None else self._link(previous),
        }

    def _link(self, offset: int) -> str:
        url = self.request.build_absolute_uri()
        if not offset:
            return remove_query_param(url, "cursor")
        cursor = base64.urlsafe_b64encode(f"o={offset}".encode()).decode()
        return replace_query_param(url, "cursor", cursor)

    @staticmethod
    def _offset(cursor: str | None) -> int:
        if not cursor:
            return 0
        try:
            text = base64.urlsafe_b64decode(cursor.encode()).decode()
            offset = int(text.removeprefix("o="))
        except (ValueError, UnicodeError) as error:
            raise ValidationFailed(field_errors={"cursor": [_("Invalid cursor.")]}) from error
        if offset < 0 or not text.startswith("o="):
            raise ValidationFailed(field_errors={"cursor": [_("Invalid cursor.")]})
        return offset


class AnalyticsView(ScopedAPIView):
    organization_kinds = (MERCHANT,)

    def period(self):
        params = self.request.query_params
        # A date left empty is no date: over the API it is a mistake, not "the default".
        blank = {
            name: [_("Give a date as YYYY-MM-DD.")]
            for name in ("from", "to")
            if params.get(name) == ""
        }
        if blank:
            raise ValidationFailed(field_errors=blank)
        return period_parse(
            organization=self.organization, first=params.get("from"), last=params.get("to")
        )

    @property
    def wants_file(self) -> bool:
        return isinstance(getattr(self.request, "accepted_renderer", None), TableRenderer)

    def file_response(self, table: exports.Table, period) -> Response:
        renderer = self.request.accepted_renderer
        name = f"{table.name}-{period.first_day}-{period.last_day}.{renderer.format}"
        return Response(table, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404 as error:
            # DRF answers an unknown ?format= with 404; it is a bad parameter.
            raise ValidationFailed(
                field_errors={"format": [_("This format is not offered here.")]}
            ) from error

    def finalize_response(self, request, response, *args, **kwargs):
        if self.wants_file and (response.status_code >= 400 or request.method == "OPTIONS"):
            # A refusal is a JSON error whatever file was asked for (API.md, "General"), and
            # OPTIONS describes the endpoint: neither is a table.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class FileAnalyticsView(AnalyticsView):
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]


class OverviewView(AnalyticsView):
    @extend_schema(
        summary="Dispute analytics of the period", parameters=PERIOD, responses=s.OverviewSerializer
    )
    def get(self, request):
        return Response(selectors.overview_for_merchant(period=self.period()))


class SupplierRowsView(FileAnalyticsView):
    @extend_schema(
        summary="Per linked supplier",
        parameters=[*PERIOD, FILE_FORMAT],
        responses={200: s.SupplierRowsSerializer, **FILE_RESPONSES},
    )
    def get(self, request):
        period = self.period()
        rows = selectors.supplier_rows_for_merchant(period=period)
        if self.wants_file:
            return self.file_response(exports.supplier_table(rows), period)
        return Response({"results": rows, "next": None, "previous": None})


class ProductRowsView(FileAnalyticsView):
    @extend_schema(
        summary="Per sku, most disputes first",
        parameters=[*PERIOD, FILE_FORMAT, *ListPage.parameters],
        responses={200: s.ProductRowsSerializer, **FILE_RESPONSES},
    )
    def get(self, request):
        period = self.period()
        rows = selectors.product_rows_for_merchant(period=period)
        if self.wants_file:
            table = exports.product_table(
                selectors.product_row(row) for row in rows[: exports.MAX_FILE_ROWS]
            )
            return self.file_response(table, period)
        page = ListPage(request, rows)
        return Response(page.body([selectors.product_row(row) for row in page.rows]))


class LedgerPagination(CursorPagination):
    ordering = "recorded_at"


class LedgerExportView(FileAnalyticsView):
    """Every ledger entry recorded in the period (the file a bookkeeper asks for)."""

    pagination_class = LedgerPagination

    @extend_schema(
        summary="Ledger entries recorded in the period",
        parameters=[*PERIOD, FILE_FORMAT],
        responses={200: s.LedgerExportRowSerializer(many=True), **FILE_RESPONSES},
    )
    def get(self, request):
        period = self.period()
        entries = selectors.ledger_entries_for_merchant(period=period)
        if self.wants_file:
            rows = (
                exports.ledger_row(entry, period.zone) for entry in entries[: exports.MAX_FILE_ROWS]
            )
            return self.file_response(exports.ledger_table(rows), period)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(
            s.LedgerExportRowSerializer(
                [exports.ledger_row(entry, period.zone) for entry in page], many=True
            ).data
        )


class ScorecardView(AnalyticsView):
    organization_kinds = (SUPPLIER,)

    @extend_schema(
        summary="The supplier's own scorecard, across its merchants",
        parameters=PERIOD,
        responses=s.ScorecardSerializer,
    )
    def get(self, request):
        return Response(
            selectors.scorecard_for_supplier(supplier=self.organization, period=self.period())
        )
