"""Pages: /app/insights/, /app/suppliers/<slug>/, the portal's scorecard, and file exports.

Each view parses the period, calls the selectors, and renders; charts are drawn by
static/js/insights.js from the JSON beside each chart, and the same numbers are in a table.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.web.mixins import MerchantPageMixin, SupplierPageMixin
from core.errors import ValidationFailed
from disputes.models import DisputeKind, Reason
from insights import exports, selectors
from insights.period import DEFAULT_DAYS, period_parse
from suppliers.selectors import supplier_get_for_merchant

TOP_PRODUCTS = 10
PRESETS = (30, 90, 365)
EXPORTS = {
    "csv": (exports.csv_bytes, exports.CSV_TYPE),
    "xlsx": (exports.xlsx_bytes, exports.XLSX_TYPE),
}


class PeriodMixin:
    """The period from ?from=&to= (local dates); a bad one is said and the default used."""

    def period(self):
        params = self.request.GET
        organization = self.request.organization
        try:
            return period_parse(
                organization=organization, first=params.get("from"), last=params.get("to")
            )
        except ValidationFailed as error:
            problems = " ".join(str(m) for value in error.field_errors.values() for m in value)
            messages.error(self.request, problems or str(error.message))
            return period_parse(organization=organization, first=None, last=None)

    def period_context(self, period) -> dict:
        today = timezone.now().astimezone(period.zone).date()
        presets = [
            {
                "days": days,
                "from": (today - timedelta(days=days - 1)).isoformat(),
                "to": today.isoformat(),
                "current": period.last_day == today
                and (period.last_day - period.first_day).days == days - 1,
            }
            for days in PRESETS
        ]
        return {"period": period, "presets": presets, "default_days": DEFAULT_DAYS}


def reason_label(kind: str, reason: str) -> str:
    return f"{DisputeKind(kind).label}: {Reason(reason).label}"


def chart(labels, *series) -> dict:
    """What static/js/insights.js draws: labels and series of numbers (None: no value)."""
    return {"labels": [str(label) for label in labels], "series": list(series)}


def as_number(value):
    return None if value is None else float(value)


class InsightsView(MerchantPageMixin, PeriodMixin, TemplateView):
    template_name = "insights/app/insights.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period()
        overview = selectors.overview_for_merchant(period=period)
        suppliers = selectors.supplier_rows_for_merchant(period=period)
        products = [
            selectors.product_row(row)
            for row in selectors.product_rows_for_merchant(period=period)[:TOP_PRODUCTS]
        ]
        for row in overview["by_reason"]:
            row["label"] = reason_label(row["kind"], row["reason"])
        for row in products:
            row["top_reason_label"] = Reason(row["top_reason"]).label if row["top_reason"] else ""
        weeks = overview["by_week"]
        context.update(
            self.period_context(period),
            overview=overview,
            suppliers=suppliers,
            products=products,
            weekly_chart=chart(
                [week["week_start"] for week in weeks],
                {"label": _("Opened"), "data": [w["opened"] for w in weeks], "type": "bar"},
                {"label": _("Resolved"), "data": [w["resolved"] for w in weeks], "type": "line"},
            ),
            reason_chart=chart(
                [row["label"] for row in overview["by_reason"]],
                {"label": _("Disputes"), "data": [row["count"] for row in overview["by_reason"]]},
            ),
            supplier_chart=chart(
                [row["supplier"]["name"] for row in suppliers],
                {
                    "label": _("Disputes per 100 orders"),
                    "data": [as_number(row["dispute_rate"]) for row in suppliers],
                },
            ),
            product_chart=chart(
                [row["sku"] for row in products],
                {
                    "label": _("Disputes per 100 orders"),
                    "data": [as_number(row["dispute_rate"]) for row in products],
                },
            ),
        )
        return context


class SupplierScorecardView(MerchantPageMixin, PeriodMixin, TemplateView):
    """A linked supplier's figures, week by week, and the alternatives for its skus."""

    template_name = "insights/app/supplier.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        supplier = supplier_get_for_merchant(slug=kwargs["slug"])
        if supplier is None:
            raise Http404
        period = self.period()
        rows = selectors.supplier_rows_for_merchant(period=period)
        row = next(item for item in rows if item["supplier"]["slug"] == supplier.slug)
        trend = selectors.supplier_trend_for_merchant(supplier=supplier, period=period)
        comparison = selectors.supplier_comparison_for_merchant(supplier=supplier, period=period)
        context.update(
            self.period_context(period),
            supplier=supplier,
            row=row,
            trend=trend,
            comparison=comparison,
            trend_chart=chart(
                [week["week_start"] for week in trend],
                {"label": _("Orders"), "data": [w["orders"] for w in trend], "type": "bar"},
                {"label": _("Disputes"), "data": [w["disputes"] for w in trend], "type": "line"},
            ),
        )
        return context


class PortalScorecardView(SupplierPageMixin, PeriodMixin, TemplateView):
    """The supplier's own scorecard as its merchants see it, all merchants together."""

    template_name = "insights/portal/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period()
        context.update(
            self.period_context(period),
            scorecard=selectors.scorecard_for_supplier(
                supplier=self.request.organization, period=period
            ),
        )
        return context


class ExportView(MerchantPageMixin, PeriodMixin, View):
    """/app/insights/export/<table>.<format>: the same files as the API's ?format=."""

    def get(self, request, table, file_format):
        if file_format not in EXPORTS:
            raise Http404
        period = self.period()
        if table == "suppliers":
            data = exports.supplier_table(selectors.supplier_rows_for_merchant(period=period))
        elif table == "products":
            rows = selectors.product_rows_for_merchant(period=period)[: exports.MAX_FILE_ROWS]
            data = exports.product_table(selectors.product_row(row) for row in rows)
        elif table == "ledger":
            entries = selectors.ledger_entries_for_merchant(period=period)
            data = exports.ledger_table(
                exports.ledger_row(entry, period.zone) for entry in entries[: exports.MAX_FILE_ROWS]
            )
        else:
            raise Http404
        to_bytes, content_type = EXPORTS[file_format]
        response = HttpResponse(to_bytes(data), content_type=content_type)
        name = f"{data.name}-{period.first_day}-{period.last_day}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
