"""The supplier's shipping desk (/portal/orders/): its lines in a compact table with tracking
entered in the row, each parcel's edit and void, and the tracking upload. Parse, call one
selector or service, render."""

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rest_framework.request import Request

from accounts.web.mixins import SupplierPageMixin
from core.api.pagination import InvalidCursor
from core.errors import DomainError, NotFound
from orders import selectors, services
from orders.api.pagination import OldestOrderCursorPagination, OrderCursorPagination
from orders.models import CARRIER_NAMES, OrderLine, OrderStatus, Shipment
from orders.services.tracking_uploads import RowResult, UploadResult, error_text
from orders.tracking import problem_in_words
from orders.web.forms import LineTrackingForm, TrackingUploadForm
from suppliers.selectors import merchant_list_for_supplier

PAGE_SIZE = 40
# The tabs count up to this many orders each, then say "200+".
COUNT_CAP = 200
COUNTED_VIEWS = ("to_ship", "to_fix")
RESULTS_SALT = "orders.tracking-upload-results"


@dataclass
class LineRow:
    """One row of the desk: a line, its parcels, and the row form's state after a post."""

    line: OrderLine
    ship_by: datetime | None
    tracking_number: str = ""
    carrier: str = ""
    error: str = ""
    notice: str = ""
    editing: Shipment | None = None
    # The order's first row on the page carries its anchor (notifications link to it).
    first_of_order: bool = False
    form: LineTrackingForm = field(init=False)

    def __post_init__(self):
        self.form = LineTrackingForm(
            initial={"tracking_number": self.tracking_number, "carrier": self.carrier},
            auto_id=f"t{self.line.pk.hex}-%s",
        )

    @property
    def order(self):
        return self.line.order

    @property
    def parcels(self) -> list[Shipment]:
        return self.line.live_parcels


def _ship_by(line: OrderLine, days: dict) -> datetime | None:
    """When the merchant expects the line shipped, while it waits to ship."""
    day_count = days.get(line.order.merchant_id)
    if day_count is None or line.shipped_at is not None:
        return None
    if line.order.status == OrderStatus.CANCELLED:
        return None
    return line.order.placed_at + timedelta(days=day_count)


def _views(request, view: str, counts: dict) -> list[tuple]:
    labels = {
        "to_ship": _("To ship"),
        "to_fix": _("Tracking to fix"),
        "shipped": _("Shipped"),
        "all": _("All"),
    }
    query = request.GET.copy()
    query.pop("cursor", None)
    answer = []
    for name in selectors.SHIPPING_VIEWS:
        query["view"] = name
        count = counts.get(name)
        shown = None if count is None else (f"{COUNT_CAP}+" if count > COUNT_CAP else str(count))
        answer.append((name, labels[name], shown, f"?{query.urlencode()}"))
    return answer


class ShippingDeskView(SupplierPageMixin, TemplateView):
    """Orders (oldest waiting first) as rows of their lines; filters by view and merchant."""

    template_name = "portal/orders/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = self.request.GET.get("view") or "to_ship"
        merchant = self.request.GET.get("merchant", "")[:100]
        overdue = self.request.GET.get("overdue") == "on"
        if view not in selectors.SHIPPING_VIEWS:
            raise Http404
        merchants = list(merchant_list_for_supplier().order_by("name"))
        days = selectors.ship_reminder_days_for_merchants(
            merchant_ids=[merchant.pk for merchant in merchants]
        )
        orders = selectors.order_list_for_shipping_desk(
            view=view, merchant=merchant, overdue_after_days=days if overdue else None
        )
        paginator = (
            OldestOrderCursorPagination()
            if view in ("to_ship", "to_fix")
            else OrderCursorPagination()
        )
        paginator.page_size = PAGE_SIZE
        try:
            page = paginator.paginate_queryset(orders, Request(self.request))
        except InvalidCursor as error:
            raise Http404 from error
        rows = []
        for order in page:
            for position, line in enumerate(order.lines.all()):
                line.order = order
                rows.append(
                    LineRow(line=line, ship_by=_ship_by(line, days), first_of_order=position == 0)
                )
        counts = {
            name: selectors.order_list_for_shipping_desk(view=name, merchant=merchant)
            .order_by()
            .values("pk")[: COUNT_CAP + 1]
            .count()
            for name in COUNTED_VIEWS
        }
        context.update(
            rows=rows,
            view=view,
            views=_views(self.request, view, counts),
            merchants=merchants,
            merchant=merchant,
            overdue=overdue,
            oldest_first=isinstance(paginator, OldestOrderCursorPagination),
            next_link=paginator.get_next_link(),
            previous_link=paginator.get_previous_link(),
        )
        return context


class LineRowMixin(SupplierPageMixin):
    """Answers an htmx row action with the row (and the rows of the same parcel, out of band);
    a plain form post with a message and the desk."""

    def line_or_404(self, line_id) -> OrderLine:
        try:
            return selectors.order_line_get_for_shipping_desk(line_id=line_id)
        except NotFound as error:
            raise Http404 from error

    def answer(self, request, row: LineRow, *, level=None, also: list[OrderLine] = ()):
        if not request.htmx:
            text = row.error or row.notice
            if text:
                messages.add_message(request, level or messages.SUCCESS, text)
            return redirect(reverse("portal-orders"))
        days = selectors.ship_reminder_days_for_merchants(merchant_ids=[row.order.merchant_id])
        row.ship_by = _ship_by(row.line, days)
        html = render_to_string("portal/orders/_line_row.html", {"row": row}, request=request)
        for line in also:
            if line.pk == row.line.pk:
                continue
            other = LineRow(line=line, ship_by=_ship_by(line, days))
            html += render_to_string(
                "portal/orders/_line_row.html", {"row": other, "oob": True}, request=request
            )
        return HttpResponse(html)

    def fresh(self, line: OrderLine, **state) -> LineRow:
        return LineRow(line=self.line_or_404(line.pk), ship_by=None, **state)


class LineRowView(LineRowMixin, View):
    """The row as it stands (what "cancel" in an edit brings back)."""

    def get(self, request, line_id):
        return self.answer(request, LineRow(line=self.line_or_404(line_id), ship_by=None))


class LineTrackingView(LineRowMixin, View):
    def post(self, request, line_id):
        line = self.line_or_404(line_id)
        form = LineTrackingForm(request.POST, auto_id=f"t{line.pk.hex}-%s")
        number = request.POST.get("tracking_number", "")[:200]
        carrier = request.POST.get("carrier", "")[:50]
        if not form.is_valid():
            row = self.fresh(line, tracking_number=number, carrier=carrier)
            row.error = _("Enter the tracking number.")
            return self.answer(request, row, level=messages.ERROR)
        try:
            parcel, _outcome = services.shipment_lines_record(
                actor=self.actor,
                order=line.order,
                lines=[line],
                tracking_number=form.cleaned_data["tracking_number"],
                carrier=form.cleaned_data["carrier"] or None,
            )
        except DomainError as error:
            row = self.fresh(line, tracking_number=number, carrier=carrier)
            row.error = error_text(error)
            return self.answer(request, row, level=messages.ERROR)
        row = self.fresh(line)
        row.notice, level = _parcel_notice(parcel, line)
        return self.answer(request, row, level=level, also=_lines_of(parcel))


class ParcelEditView(LineRowMixin, View):
    """GET: the row with the parcel's edit form. POST: correct its number (and carrier)."""

    def get(self, request, line_id, shipment_id):
        line = self.line_or_404(line_id)
        parcel = self.parcel_or_404(line, shipment_id)
        row = LineRow(
            line=line,
            ship_by=None,
            tracking_number=parcel.tracking_number,
            carrier=parcel.carrier if parcel.carrier in CARRIER_NAMES else "",
            editing=parcel,
        )
        return self.answer(request, row)

    def post(self, request, line_id, shipment_id):
        line = self.line_or_404(line_id)
        parcel = self.parcel_or_404(line, shipment_id)
        form = LineTrackingForm(request.POST)
        number = request.POST.get("tracking_number", "")[:200]
        carrier = request.POST.get("carrier", "")[:50]
        try:
            if not form.is_valid():
                raise DomainError(_("Enter the tracking number."))
            parcel = services.shipment_correct(
                actor=self.actor,
                shipment=parcel,
                tracking_number=form.cleaned_data["tracking_number"],
                carrier=form.cleaned_data["carrier"] or None,
            )
        except DomainError as error:
            row = self.fresh(line, tracking_number=number, carrier=carrier, editing=parcel)
            row.error = error_text(error)
            return self.answer(request, row, level=messages.ERROR)
        row = self.fresh(line)
        row.notice, level = _parcel_notice(parcel, line, corrected=True)
        return self.answer(request, row, level=level, also=_lines_of(parcel))

    def parcel_or_404(self, line, shipment_id) -> Shipment:
        try:
            return selectors.shipment_get_for_line(line=line, shipment_id=shipment_id)
        except NotFound as error:
            raise Http404 from error


class ParcelVoidView(ParcelEditView):
    def get(self, request, line_id, shipment_id):
        raise Http404

    def post(self, request, line_id, shipment_id):
        line = self.line_or_404(line_id)
        parcel = self.parcel_or_404(line, shipment_id)
        try:
            parcel = services.shipment_void(actor=self.actor, shipment=parcel)
        except DomainError as error:
            row = self.fresh(line, editing=parcel)
            row.error = error_text(error)
            return self.answer(request, row, level=messages.ERROR)
        row = self.fresh(line)
        row.notice = _("Parcel %(number)s voided.") % {"number": parcel.tracking_number}
        return self.answer(request, row, also=_lines_of(parcel))


def _lines_of(parcel: Shipment) -> list[OrderLine]:
    return selectors.order_line_list_in_parcel(shipment=parcel)


def _parcel_notice(parcel: Shipment, line: OrderLine, *, corrected=False) -> tuple[str, int]:
    if parcel.tracking_valid is False:
        return (
            _("Saved, but the number looks invalid: %(problem)s.")
            % {"problem": problem_in_words(parcel.tracking_problem)},
            messages.WARNING,
        )
    if corrected:
        return _("Tracking number corrected to %(number)s.") % {
            "number": parcel.tracking_number
        }, messages.SUCCESS
    return _("Shipped in %(number)s.") % {"number": parcel.tracking_number}, messages.SUCCESS


class TrackingUploadView(SupplierPageMixin, TemplateView):
    """A CSV of order number, sku, tracking number (and carrier): each row answered."""

    template_name = "portal/orders/tracking_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TrackingUploadForm())
        return context

    def post(self, request):
        form = TrackingUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            form.add_error(None, _("Choose a CSV file to upload."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            rows = services.tracking_rows_from_csv(form.cleaned_data["file"])
        except DomainError as error:
            form.add_error(None, error_text(error))
            return self.render_to_response(
                self.get_context_data(form=form), status=error.status_code
            )
        result = services.tracking_upload_apply(actor=self.actor, rows=rows)
        signed = signing.dumps(
            [_result_cells(item) for item in result.results],
            salt=f"{RESULTS_SALT}:{request.organization.pk}",
            compress=True,
        )
        return self.render_to_response(
            self.get_context_data(
                form=TrackingUploadForm(),
                result=result,
                counts={
                    "recorded": result.count("recorded") + result.count("added"),
                    "unchanged": result.count("unchanged"),
                    "failed": result.failed,
                },
                signed_results=signed,
                filename=form.cleaned_data["file"].name,
            )
        )


class TrackingUploadResultsView(SupplierPageMixin, View):
    """The answers of an upload just made, as CSV: posted back signed, so nothing is kept."""

    def post(self, request):
        try:
            cells = signing.loads(
                request.POST.get("results", ""),
                salt=f"{RESULTS_SALT}:{request.organization.pk}",
                max_age=24 * 3600,
            )
        except signing.BadSignature as error:
            raise Http404 from error
        result = UploadResult(results=[RowResult(*item) for item in cells])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="tracking-results-{stamp}.csv"'
        writer = csv.writer(response)
        for cells_row in services.tracking_results_csv_rows(result):
            writer.writerow(cells_row)
        return response


def _result_cells(item: RowResult) -> list:
    return [
        item.row,
        item.order_number,
        item.sku,
        item.tracking_number,
        item.status,
        item.message,
        item.shipment_id,
        item.carrier,
        item.tracking_valid,
    ]
