"""Dashboard (/app/orders/) and portal (/portal/orders/) pages: parse, call one selector or
service, render."""

import csv
from itertools import groupby

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rest_framework.request import Request

from accounts.web.mixins import MerchantPageMixin, SupplierPageMixin
from core import tenancy
from core.api.pagination import InvalidCursor
from core.errors import DomainError, NotFound
from orders import hooks, selectors, services
from orders.api.pagination import OrderCursorPagination
from orders.csv_format import export_rows
from orders.filters import OrderFilter
from orders.models import ImportStatus, OrderStatus, ShipmentStatus
from orders.tracking import problem_in_words
from orders.web.forms import (
    CorrectedAddressForm,
    ImportUploadForm,
    ParcelForm,
    TrackingCorrectionForm,
)
from suppliers.selectors import supplier_list_for_merchant

PAGE_SIZE = 50


class _Echo:
    """A file-like object whose write() hands the line back, for streaming CSV."""

    def write(self, value):
        return value


def _page(request, queryset):
    """A keyset page of `queryset`, with links to the pages before and after."""
    paginator = OrderCursorPagination()
    paginator.page_size = PAGE_SIZE
    drf_request = Request(request)
    try:
        page = paginator.paginate_queryset(queryset, drf_request)
    except InvalidCursor as error:
        raise Http404 from error
    return page, paginator.get_next_link(), paginator.get_previous_link()


def _domain_error_message(error: DomainError) -> str:
    details = [
        f"{name}: {' '.join(str(message) for message in value)}"
        for name, value in error.field_errors.items()
        if isinstance(value, list) and all(isinstance(item, str) for item in value)
    ]
    return " ".join([str(error.message), *details])


class OrderListView(MerchantPageMixin, TemplateView):
    template_name = "app/orders/list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["app/orders/_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = OrderFilter(self.request.GET, queryset=selectors.order_list_for_merchant())
        orders, next_link, previous_link = [], None, None
        if filterset.is_valid():
            orders, next_link, previous_link = _page(self.request, filterset.qs)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        context.update(
            filterset=filterset,
            filters=self.request.GET,
            orders=orders,
            next_link=next_link,
            previous_link=previous_link,
            export_query=query.urlencode(),
            statuses=OrderStatus.choices,
            suppliers=supplier_list_for_merchant().order_by("name"),
            has_dispute_filter=hooks.order_filters.is_registered("has_dispute"),
            imports=selectors.order_import_list_for_merchant(limit=5),
            upload_form=ImportUploadForm(),
            can_write=self.actor.can_work,
        )
        return context


class OrderExportView(MerchantPageMixin, View):
    """The filtered list as CSV, one row per line, safe to open in a spreadsheet."""

    def get(self, request):
        filterset = OrderFilter(request.GET, queryset=selectors.order_list_for_merchant())
        if not filterset.is_valid():
            raise Http404
        organization = request.organization
        lines = selectors.order_lines_for_export(orders=filterset.qs)

        def rows():
            # Streaming runs after the view returns, outside the request's scope: re-enter it.
            writer = csv.writer(_Echo())
            with tenancy.organization_scope(organization):
                for row in export_rows(lines):
                    yield writer.writerow(row)

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        return response


class OrderDetailView(MerchantPageMixin, TemplateView):
    template_name = "app/orders/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            order = selectors.order_get(order_id=kwargs["pk"])
        except NotFound as error:
            raise Http404 from error
        lines = list(order.lines.all())
        parcels = list(order.shipments.all())
        context.update(
            order=order,
            lines=lines,
            parcels=parcels,
            parcel_changes=_parcel_changes(order, parcels) if self.actor.can_work else [],
            disputes=hooks.dispute_summaries.for_orders([order]).get(order.pk, []),
            dispute_url=f"/app/disputes/new/?order={order.pk}",
            parcel_forms=_parcel_forms(lines) if self.actor.can_work else [],
            can_write=self.actor.can_work,
        )
        return context


def _parcel_changes(order, parcels):
    """(parcel, correction form, may void, reship form or None) for each parcel not voided."""
    return [
        (
            parcel,
            TrackingCorrectionForm(prefix=f"p{parcel.pk.hex}"),
            parcel.status != ShipmentStatus.DELIVERED,
            CorrectedAddressForm.for_order(order, prefix=f"r{parcel.pk.hex}")
            if parcel.status == ShipmentStatus.RETURNED
            else None,
        )
        for parcel in parcels
        if parcel.status != ShipmentStatus.VOIDED
    ]


def _parcel_forms(lines):
    """One "add a parcel" form per supplier: a parcel never mixes suppliers."""
    forms = []
    ordered = sorted(lines, key=lambda line: line.supplier.name)
    by_supplier = groupby(ordered, lambda line: line.supplier)
    for supplier, supplier_lines in by_supplier:
        supplier_lines = list(supplier_lines)
        forms.append((supplier, ParcelForm(lines=supplier_lines, prefix=f"s{supplier.pk.hex}")))
    return forms


class ParcelCreateMixin:
    """POST a parcel form for one order; answer with a message and go back."""

    def post(self, request, pk):
        try:
            order = selectors.order_get(order_id=pk)
        except NotFound as error:
            raise Http404 from error
        lines = list(order.lines.all())
        prefix = request.POST.get("prefix", "")
        form = ParcelForm(request.POST, lines=lines, prefix=prefix or None)
        if not form.is_valid():
            messages.error(request, _("Choose the lines and enter a tracking number."))
            return redirect(self.back_url(order))
        chosen = [line for line in lines if str(line.pk) in form.cleaned_data["lines"]]
        try:
            parcel = services.shipment_create(
                actor=self.actor,
                order=order,
                lines=chosen,
                tracking_number=form.cleaned_data["tracking_number"],
                carrier=form.cleaned_data["carrier"] or None,
            )
        except DomainError as error:
            messages.error(request, _domain_error_message(error))
            return redirect(self.back_url(order))
        if parcel.tracking_valid is None:
            messages.info(
                request,
                _(
                    "Parcel %(number)s recorded. Redress cannot check this carrier's numbers: "
                    "it is unchecked."
                )
                % {"number": parcel.tracking_number},
            )
        elif parcel.tracking_valid:
            messages.success(
                request,
                _("Parcel %(number)s recorded for order %(order)s.")
                % {"number": parcel.tracking_number, "order": order.external_id},
            )
        else:
            messages.warning(
                request,
                _("Parcel %(number)s recorded, but the tracking number looks invalid: %(problem)s.")
                % {
                    "number": parcel.tracking_number,
                    "problem": problem_in_words(parcel.tracking_problem),
                },
            )
        return redirect(self.back_url(order))


class ParcelChangeMixin:
    """POST one change of one parcel of one order; answer with a message and go back."""

    def post(self, request, pk, shipment_id):
        try:
            order = selectors.order_get(order_id=pk)
            shipment = selectors.shipment_get(order=order, shipment_id=shipment_id)
        except NotFound as error:
            raise Http404 from error
        try:
            level, message = self.change(request, shipment)
        except DomainError as error:
            level, message = messages.ERROR, _domain_error_message(error)
        messages.add_message(request, level, message)
        return redirect(self.back_url(order))


class ParcelCorrectMixin(ParcelChangeMixin):
    def change(self, request, shipment):
        form = TrackingCorrectionForm(request.POST, prefix=request.POST.get("prefix") or None)
        if not form.is_valid():
            return messages.ERROR, _("Enter the correct tracking number.")
        parcel = services.shipment_correct(
            actor=self.actor,
            shipment=shipment,
            tracking_number=form.cleaned_data["tracking_number"],
            carrier=form.cleaned_data["carrier"] or None,
        )
        if parcel.tracking_valid is False:
            return messages.WARNING, _(
                "Tracking number changed to %(number)s, but it still looks invalid: %(problem)s."
            ) % {
                "number": parcel.tracking_number,
                "problem": problem_in_words(parcel.tracking_problem),
            }
        return messages.SUCCESS, _("Tracking number corrected to %(number)s.") % {
            "number": parcel.tracking_number
        }


class ParcelVoidMixin(ParcelChangeMixin):
    def change(self, request, shipment):
        parcel = services.shipment_void(actor=self.actor, shipment=shipment)
        return messages.SUCCESS, _(
            "Parcel %(number)s voided; its lines are to ship again unless another parcel "
            "carries them."
        ) % {"number": parcel.tracking_number}


class OrderParcelReshipView(ParcelChangeMixin, MerchantPageMixin, View):
    def change(self, request, shipment):
        form = CorrectedAddressForm(request.POST, prefix=request.POST.get("prefix") or None)
        if not form.is_valid():
            return messages.ERROR, _("Enter the corrected address.")
        services.shipment_reship_to_corrected_address(
            actor=self.actor, shipment=shipment, shipping_address=form.cleaned_data
        )
        return messages.SUCCESS, _(
            "Address corrected; the supplier is asked to reship the parcel's lines."
        )

    def back_url(self, order):
        return reverse("app-order-detail", kwargs={"pk": order.pk})


class OrderParcelCorrectView(ParcelCorrectMixin, MerchantPageMixin, View):
    def back_url(self, order):
        return reverse("app-order-detail", kwargs={"pk": order.pk})


class OrderParcelVoidView(ParcelVoidMixin, MerchantPageMixin, View):
    def back_url(self, order):
        return reverse("app-order-detail", kwargs={"pk": order.pk})


class PortalParcelCorrectView(ParcelCorrectMixin, SupplierPageMixin, View):
    def back_url(self, order):
        return reverse("portal-orders")


class PortalParcelVoidView(ParcelVoidMixin, SupplierPageMixin, View):
    def back_url(self, order):
        return reverse("portal-orders")


class OrderParcelCreateView(ParcelCreateMixin, MerchantPageMixin, View):
    def back_url(self, order):
        return reverse("app-order-detail", kwargs={"pk": order.pk})


class OrderImportCreateView(MerchantPageMixin, View):
    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a CSV file to upload."))
            return redirect("app-orders")
        try:
            order_import = services.order_import_start(
                actor=self.actor, file=form.cleaned_data["file"]
            )
        except DomainError as error:
            messages.error(request, _domain_error_message(error))
            return redirect("app-orders")
        return redirect("app-order-import", pk=order_import.pk)


class OrderImportDetailView(MerchantPageMixin, TemplateView):
    template_name = "app/orders/import.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["app/orders/_import_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            job = selectors.order_import_get(import_id=kwargs["pk"])
        except NotFound as error:
            raise Http404 from error
        finished = job.status in (ImportStatus.DONE, ImportStatus.FAILED)
        percent = 100 if finished else (job.processed * 100 // job.total if job.total else 0)
        context.update(job=job, finished=finished, percent=percent)
        return context


class PortalParcelCreateView(ParcelCreateMixin, SupplierPageMixin, View):
    def back_url(self, order):
        return reverse("portal-orders")
