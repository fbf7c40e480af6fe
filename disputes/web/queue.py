"""The dispute list's working tools: views (built-in and saved), actions on picked rows,
and the CSV file of the list as filtered."""

import csv

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts.models import Role
from core import tenancy
from core.errors import DomainError, NotFound
from core.spreadsheet_cells import neutralised
from disputes import selectors, services
from disputes.services.queue import saved_view_query_clean
from disputes.web import forms
from disputes.web.common import MerchantSide, error_text, filters_from

# The views every merchant list offers: a name and the list's query string.
BUILT_IN_VIEWS = (
    (gettext_lazy("Mine"), "assignee=me"),
    (gettext_lazy("Overdue"), "overdue=on"),
    (gettext_lazy("Waiting for supplier"), "waiting_on=supplier"),
    (gettext_lazy("Unassigned"), "assignee=none"),
)


def queue_views(current: str) -> list[tuple[str, str, bool]]:
    """(name, query, is the list showing it now) of each built-in view."""
    return [(name, query, query == current) for name, query in BUILT_IN_VIEWS]


class _Echo:
    """A file-like object whose write() hands the line back, for streaming CSV."""

    def write(self, value):
        return value


EXPORT_HEADER = (
    "number",
    "status",
    "kind",
    "reason",
    "order",
    "customer_name",
    "customer_email",
    "supplier",
    "assignee",
    "opened_at",
    "respond_by",
    "resolve_by",
    "last_activity_at",
    "requested_amount",
    "currency",
)


def _row(dispute) -> list:
    def moment(value):
        return value.isoformat() if value else ""

    return [
        dispute.number,
        dispute.status,
        dispute.kind,
        dispute.reason,
        dispute.order.external_id,
        dispute.order.customer_name,
        dispute.order.customer_email,
        dispute.supplier.name,
        dispute.assignee.email if dispute.assignee else "",
        moment(dispute.opened_at),
        moment(dispute.respond_by),
        moment(dispute.resolve_by),
        moment(dispute.last_activity_at),
        dispute.requested_amount,
        dispute.currency,
    ]


def export_response(organization, disputes) -> StreamingHttpResponse:
    """The disputes as CSV, streamed row by row, each cell safe to open in a spreadsheet."""

    def rows():
        writer = csv.writer(_Echo())
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + writer.writerow(EXPORT_HEADER)
        # Streaming runs after the view returns, outside the request's scope: re-enter it.
        with tenancy.organization_scope(organization):
            for dispute in disputes.iterator(chunk_size=1000):
                yield writer.writerow([neutralised(cell) for cell in _row(dispute)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="disputes-{stamp}.csv"'
    return response


class DisputeExportView(MerchantSide, View):
    """GET: the list as filtered (every page), as CSV."""

    def get(self, request):
        form = forms.FilterForm(request.GET)
        if not form.is_valid():
            raise Http404
        disputes = selectors.dispute_list_for_export(
            filters=filters_from(form, reader=request.user), sort=form.cleaned_data["sort"]
        )
        return export_response(request.organization, disputes)


class DisputeBulkView(MerchantSide, View):
    """POST: assign, close or export the picked rows; each refusal is told with its row."""

    def post(self, request):
        form = forms.BulkForm(request.POST)
        back = reverse("app-disputes") + _back_query(request.POST.get("query", ""))
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(back)
        data = form.cleaned_data
        if data["action"] == "export":
            disputes = selectors.dispute_list_for_export(ids=data["disputes"])
            return export_response(request.organization, disputes)
        disputes = list(selectors.dispute_list_by_ids(ids=data["disputes"]))
        try:
            if data["action"] == "assign":
                assignee = self._assignee(data["assignee"])
                results = services.disputes_assign(
                    actor=self.actor, disputes=disputes, assignee=assignee
                )
            else:
                results = services.disputes_close(actor=self.actor, disputes=disputes)
        except DomainError as error:
            messages.error(request, error_text(error))
            return redirect(back)
        self._report(data["action"], results)
        return redirect(back)

    def _assignee(self, value: str):
        if value == "me":
            return self.request.user
        if value == selectors.UNASSIGNED:
            return None
        assignee = selectors.assignee_get(user_id=value)
        if assignee is None:
            raise DomainError(_("Choose who to assign them to."))
        return assignee

    def _report(self, action: str, results) -> None:
        done = sum(1 for result in results if result.done)
        if done:
            if action == "assign":
                text = ngettext("%(count)d dispute assigned.", "%(count)d disputes assigned.", done)
            else:
                text = ngettext("%(count)d dispute closed.", "%(count)d disputes closed.", done)
            messages.success(self.request, text % {"count": done})
        for result in results:
            if not result.done:
                messages.error(
                    self.request,
                    _("#%(number)s: %(reason)s")
                    % {"number": result.dispute.number, "reason": result.error},
                )


def _back_query(query: str) -> str:
    query = saved_view_query_clean(query)
    return f"?{query}" if query else ""


class SavedViewCreateView(MerchantSide, View):
    """POST: save the list's current filters under a name, for this person alone."""

    # Every member may keep their own views, viewers too: a view changes no dispute.
    write_roles = MerchantSide.write_roles | frozenset({Role.VIEWER})

    def post(self, request):
        form = forms.SavedViewForm(request.POST)
        query = request.POST.get("query", "")
        if not form.is_valid():
            messages.error(request, _("Give the view a name."))
            return redirect(reverse("app-disputes") + _back_query(query))
        try:
            view = services.saved_view_create(
                actor=self.actor, name=form.cleaned_data["name"], query=query
            )
        except DomainError as error:
            messages.error(request, error_text(error))
            return redirect(reverse("app-disputes") + _back_query(query))
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(reverse("app-disputes") + _back_query(view.query))


class SavedViewDeleteView(MerchantSide, View):
    write_roles = SavedViewCreateView.write_roles

    def post(self, request, pk):
        try:
            view = selectors.saved_view_get(user=request.user, view_id=pk)
        except NotFound as error:
            raise Http404 from error
        services.saved_view_delete(actor=self.actor, view=view)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return redirect("app-disputes")
