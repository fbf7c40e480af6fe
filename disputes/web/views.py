"""Dashboard (/app/disputes/) and portal (/portal/disputes/) pages.

One set of views serves both sides; `side` picks the templates and the URL names, the page
mixin picks who may come in. The forms they show post to disputes.web.actions.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rest_framework.request import Request

from accounts.models import MERCHANT_MANAGERS
from core.api.pagination import InvalidCursor
from core.errors import DomainError, NotFound
from core.labels import choice_label
from disputes import policies, selectors, services, transitions, workspace
from disputes.api.views import DisputePagination
from disputes.models import (
    MONEY_RESOLUTIONS,
    CostBearer,
    DisputeStatus,
    Fault,
    Reason,
    ResolutionType,
)
from disputes.saved_replies import placeholder_values, reply_fill
from disputes.services.queue import saved_view_query_clean
from disputes.web import forms
from disputes.web.actions import draft_session_key
from disputes.web.common import (
    MerchantSide,
    SupplierSide,
    dispute_or_404,
    error_text,
    filters_from,
)
from disputes.web.options import fixed_option_tags, option_tags
from disputes.web.queue import queue_views
from disputes.web.rows import merchant_rows, supplier_rows
from disputes.web.timeline import timeline_items
from disputes.wording import author_name
from orders.selectors import (
    order_line_list_for_order,
    order_list_for_merchant,
    parcel_list_for_order,
)
from suppliers.selectors import merchant_list_for_supplier

PAGE_SIZE = 50
OWED_PAGE_SIZE = 200
# The status tabs count up to this many disputes each, then say "99+" (as the bell does): a
# tab says "a lot" as well at 99 as at 1,000, and reading 1,001 index entries per status on
# every view of the list was most of its SQL time (9 ms of 12 at 100,000 disputes).
COUNT_CAP = 99


def _capped(count: int) -> str:
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def _capped_total(counts: dict[str, int]) -> str:
    total = sum(min(count, COUNT_CAP) for count in counts.values())
    return f"{total}+" if any(count > COUNT_CAP for count in counts.values()) else str(total)


class DisputeListView(MerchantSide, TemplateView):
    template_name = "app/disputes/list.html"

    def get_template_names(self):
        if self._results_only():
            return ["app/disputes/_results.html"]
        return [self.template_name]

    def _results_only(self) -> bool:
        """An htmx request for the results alone (the filters changed): no filter form."""
        return bool(self.request.htmx and not self.request.htmx.boosted)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.FilterForm(self.request.GET)
        reader = self.request.user
        filters = filters_from(form, reader=reader)
        sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
        paginator = DisputePagination()
        paginator.page_size = PAGE_SIZE
        paginator.ordering = selectors.dispute_ordering(sort)
        disputes = selectors.dispute_page_rows_for_merchant(
            filters=filters, reader=reader, sort=sort
        )
        try:
            page = paginator.paginate_queryset(disputes, Request(self.request))
        except InvalidCursor as error:
            raise Http404 from error
        counts = selectors.dispute_counts_by_status(
            filters=filters_from(form, reader=reader, status=""), cap=COUNT_CAP
        )
        query = self.request.GET.copy()
        query.pop("status", None)
        query.pop("cursor", None)
        current = saved_view_query_clean(self.request.GET.urlencode())
        context.update(
            form=form,
            filters=self.request.GET,
            disputes=page,
            rows=merchant_rows(page),
            next_link=paginator.get_next_link(),
            previous_link=paginator.get_previous_link(),
            counts=[
                (status, choice_label(DisputeStatus, status), _capped(counts[status]))
                for status in DisputeStatus.values
            ],
            total=_capped_total(counts),
            status_query=query.urlencode(),
            current_query=current,
            sort_links=_sort_links(self.request.GET, sort),
            can_write=self.actor.can_work,
        )
        if self._results_only():
            # The bulk form's assignees, for who may assign; the filter form is not sent.
            assignees = selectors.assignee_choices() if self.actor.can_work else []
            context["bulk_assignees"] = option_tags(_assignee_options(assignees), None)
            return context
        choices = selectors.dispute_list_choices(user=reader)
        members = _assignee_options(choices.assignees)
        context["bulk_assignees"] = option_tags(members, None)
        context.update(self._filter_form_context(choices, members, current))
        return context

    def _filter_form_context(self, choices, members, current: str) -> dict:
        """What the page around the results shows: the views and the filters' choices."""
        chosen = self.request.GET.get
        fields = forms.FilterForm.base_fields
        return {
            "views": queue_views(current),
            "saved_views": [(view, view.query == current) for view in choices.saved_views],
            "options": {
                "status": fixed_option_tags(
                    "status", fields["status"].choices, chosen("status"), capitalized=True
                ),
                "kind": fixed_option_tags(
                    "kind", fields["kind"].choices, chosen("kind"), capitalized=True
                ),
                "reason": fixed_option_tags("reason", fields["reason"].choices, chosen("reason")),
                "supplier": option_tags(
                    [(supplier.slug, supplier.name) for supplier in choices.suppliers],
                    chosen("supplier"),
                ),
                "assignee": option_tags(members, chosen("assignee")),
                "waiting_on": fixed_option_tags(
                    "waiting_on", fields["waiting_on"].choices, chosen("waiting_on")
                ),
            },
        }


def _assignee_options(assignees) -> list[tuple[str, str]]:
    return [(str(member.pk), member.get_short_name()) for member in assignees]


# Each sortable column, and the direction its first click sorts in.
SORTABLE_COLUMNS = {
    "due": "due",
    "last_activity": "-last_activity",
    "opened": "-opened",
    "status": "status",
}


def _sort_links(query, sort: str) -> dict:
    """column → (the URL that sorts by it, its aria-sort now): a second click reverses."""
    sort = sort or selectors.DEFAULT_SORT
    links = {}
    for column, first in SORTABLE_COLUMNS.items():
        params = query.copy()
        params.pop("cursor", None)
        if sort.lstrip("-") == column:
            params["sort"] = column if sort.startswith("-") else f"-{column}"
            state = "descending" if sort.startswith("-") else "ascending"
        else:
            params["sort"] = first
            state = ""
        links[column] = (f"?{params.urlencode()}", state)
    return links


MERCHANT_ONLY_FILTERS = ("assignee",)


class SupplierInboxView(SupplierSide, TemplateView):
    """Across merchants, the closest due time first; views "open", "waiting for me", "all"."""

    template_name = "portal/disputes/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.FilterForm(self.request.GET)
        view = self.request.GET.get("view") or "open"
        if view not in selectors.INBOX_VIEWS:
            raise Http404
        filters = filters_from(form)
        try:
            disputes, following = selectors.dispute_inbox_page_for_supplier(
                filters=filters,
                view=view,
                cursor=self.request.GET.get("cursor"),
                size=PAGE_SIZE,
                reader=self.request.user,
            )
        except NotFound as error:
            raise Http404 from error
        for dispute in disputes:
            dispute.my_turn = policies.waiting_on(dispute) == "supplier"
        counts = selectors.dispute_inbox_counts_for_supplier(filters=filters, cap=COUNT_CAP)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        # Who works a dispute is the merchant's business: a merchant-only filter pasted into
        # a supplier's address is not carried into its links.
        for name in MERCHANT_ONLY_FILTERS:
            query.pop(name, None)
        next_query = query.copy()
        if following:
            next_query["cursor"] = following
        view_query = query.copy()
        view_query.pop("view", None)
        labels = {"open": _("Open"), "waiting": _("Waiting for me"), "all": _("All")}
        context.update(
            form=form,
            filters=self.request.GET,
            disputes=disputes,
            rows=supplier_rows(disputes),
            first_link=f"?{query.urlencode()}" if "cursor" in self.request.GET else None,
            next_link=f"?{next_query.urlencode()}" if following else None,
            view=view,
            views=[
                (name, labels[name], _capped(counts[name]), _view_link(view_query, name))
                for name in selectors.INBOX_VIEWS
            ],
            merchants=merchant_list_for_supplier().order_by("name"),
        )
        return context


# Which actions put a form in which area of the workspace; an answer for an area that is
# not on the page any more (closing removes the close form) is shown at the top instead.
AREA_ACTIONS = {
    "composer": {"message", "note", "attach"},
    "evidence": {"accept_evidence", "request_evidence"},
    "fulfil": {"fulfil"},
    "escalate": {"escalate_to_refund", "escalate_to_arbitration"},
    "close": {"close", "reopen"},
}
ALWAYS_SHOWN_AREAS = {"proposal", "ledger"}


def notices_by_area(request, allowed) -> dict[str, list]:
    """The messages of the last action, grouped by the area of the page they belong to."""
    shown = ALWAYS_SHOWN_AREAS | {
        area for area, actions in AREA_ACTIONS.items() if actions & set(allowed)
    }
    grouped: dict[str, list] = {}
    for message in messages.get_messages(request):
        area = message.extra_tags if message.extra_tags in shown else "top"
        grouped.setdefault(area, []).append(message)
    return grouped


def _view_link(query, view: str) -> str:
    query = query.copy()
    if view != "open":
        query["view"] = view
    return f"?{query.urlencode()}"


class DisputeDetailMixin:
    def get_template_names(self):
        # After an htmx action only the dispute workspace travels (with its messages).
        if self.request.htmx and not self.request.htmx.boosted:
            return ["disputes/_panel.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            dispute = workspace.workspace_dispute_get(dispute_id=kwargs["pk"])
        except NotFound as error:
            raise Http404 from error
        services.dispute_notifications_mark_read(actor=self.actor, dispute=dispute)
        # Opening the page is reading it: its activity so far is no longer new to this person.
        services.dispute_seen_record(user=self.request.user, dispute=dispute)
        viewer = self.request.organization
        events, attachments_of = workspace.workspace_timeline(dispute=dispute, organization=viewer)
        allowed = transitions.allowed_actions(dispute, self.actor)
        context.update(
            dispute=dispute,
            timeline=timeline_items(
                events,
                attachments_of=attachments_of,
                viewer=viewer,
                download_url_name=f"{self.side}-dispute-attachment-download",
                preview_url_name=f"{self.side}-dispute-attachment",
            ),
            notices=notices_by_area(self.request, allowed),
            draft=self.request.session.pop(draft_session_key(dispute.pk), ""),
            parcels=parcel_list_for_order(order=dispute.order),
            saved_replies=None,  # the merchant's composer offers them (below)
            proposals=dispute.proposal_history,
            allowed=allowed,
            waiting_on=policies.waiting_on(dispute),
            base_url=self.url("-detail", dispute.pk),
            upload_url=self.url("-upload", dispute.pk),
            side=self.side,
            resolutions=[
                (value, label)
                for value, label in ResolutionType.choices
                if value != ResolutionType.REJECTION
            ],
            faults=Fault.choices,
            # The proposal form shows only the fields its resolution uses (disputes.js).
            amount_resolutions=" ".join(sorted(MONEY_RESOLUTIONS)),
            bearers=CostBearer.choices,
            refund_reasons=forms.EscalateForm.base_fields["reason"].choices[1:],
            is_merchant=self.actor.is_merchant,
            can_write=self.actor.can_work,
        )
        return context


class MerchantDisputeDetailView(MerchantSide, DisputeDetailMixin, TemplateView):
    template_name = "app/disputes/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dispute = context["dispute"]
        entries, totals = workspace.workspace_ledger(dispute=dispute)
        viewer = self.request.organization
        for entry in entries:
            entry.author_name = author_name(entry, viewer)
        if self.actor.can_work and {"message", "note"} & set(context["allowed"]):
            context.update(self._saved_replies(dispute, context["parcels"]))
        context.update(
            ledger_entries=entries,
            ledger_totals=totals,
            ledger_form=forms.LedgerEntryForm(),
            can_record=self.actor.can_work,
            members=selectors.assignee_choices() if self.actor.can_work else [],
        )
        return context

    def _saved_replies(self, dispute, parcels) -> dict:
        """Each saved reply in the supplier's language, placeholders filled from the dispute;
        the language is read only for a merchant who has saved replies."""
        replies = list(
            selectors.saved_reply_list().order_by("title", "id")[
                : selectors.SAVED_REPLY_PICKER_SIZE
            ]
        )
        if not replies:
            return {"reader_language": "", "saved_replies": []}
        language = selectors.reader_language_for(dispute=dispute)
        values = placeholder_values(dispute, parcels=parcels)
        return {
            "reader_language": language,
            "saved_replies": [
                (reply, reply_fill(reply, language=language, values=values)) for reply in replies
            ],
        }


class LedgerOwedView(MerchantSide, TemplateView):
    """Money suppliers agreed to and have not paid, oldest first, with a reminder button."""

    template_name = "app/disputes/owed.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        owed = selectors.ledger_owed_list().order_by("agreed_at", "id")
        context.update(owed=owed[:OWED_PAGE_SIZE], can_write=self.actor.can_work)
        return context

    def post(self, request):
        dispute = dispute_or_404(request.POST.get("dispute"))
        try:
            services.ledger_reminder_send(actor=self.actor, dispute=dispute)
        except DomainError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Reminder posted on dispute #%(number)s.") % {"number": dispute.number},
            )
        return redirect("app-ledger-owed")


class SupplierDisputeDetailView(SupplierSide, DisputeDetailMixin, TemplateView):
    template_name = "portal/disputes/detail.html"


class DisputeOpenView(MerchantSide, View):
    """Open a dispute from an order: pick lines, kind, reason, describe, attach photos."""

    template_name = "app/disputes/new.html"

    def get(self, request):
        order_id = request.GET.get("order")
        if not order_id:
            return self._pick_order(request)
        order = self._order(order_id)
        lines = self._lines(order)
        return self._render(request, order, lines, forms.OpenDisputeForm(lines=lines))

    def post(self, request):
        order = self._order(request.GET.get("order") or request.POST.get("order"))
        lines = self._lines(order)
        form = forms.OpenDisputeForm(request.POST, lines=lines)
        if not form.is_valid():
            return self._render(request, order, lines, form, status=400)
        data = form.cleaned_data
        chosen = order_line_list_for_order(order=order, line_ids=data["lines"]) or []
        uploads = request.FILES.getlist("files")
        try:
            dispute = services.dispute_open(
                actor=self.actor,
                order=order,
                lines=chosen,
                kind=data["kind"],
                reason=data["reason"],
                description=data["description"],
                requested_amount=data["requested_amount"],
                evidence_follows=bool(uploads),
            )
        except DomainError as error:
            form.add_error(None, error_text(error))
            return self._render(request, order, lines, form, status=error.status_code)
        if uploads:
            self._attach(request, dispute, uploads)
            services.dispute_evidence_notice_post(dispute=dispute)
        messages.success(request, _("Dispute #%(number)s opened.") % {"number": dispute.number})
        return redirect(self.url("-detail", dispute.pk))

    def _attach(self, request, dispute, uploads):
        # The dispute stands even if a photo is refused: say which, and let them retry.
        for upload in uploads:
            try:
                services.dispute_attachment_add(
                    actor=self.actor,
                    dispute=dispute_or_404(dispute.pk),
                    upload=upload,
                )
            except DomainError as error:
                messages.error(request, f"{upload.name}: {error_text(error)}")

    def _order(self, order_id):
        order = selectors.order_for_dispute(order_id=order_id)
        if order is None:
            raise Http404
        return order

    def _lines(self, order):
        lines = list(order.lines.select_related("supplier").order_by("supplier__name", "sku"))
        taken = dict(
            selectors.dispute_line_list_open(order_lines=lines).values_list(
                "order_line_id", "dispute__number"
            )
        )
        for line in lines:
            line.open_dispute_number = taken.get(line.pk)
        return lines

    def _render(self, request, order, lines, form, status=200):
        context = {
            "order": order,
            "lines": lines,
            "form": form,
            "chosen": set(form["lines"].value() or []),
            "reasons": forms.reason_options(),
            "can_write": self.actor.can_work,
        }
        return render(request, self.template_name, context, status=status)

    def _pick_order(self, request):
        query = request.GET.get("q", "").strip()[:100]
        orders = []
        if query and self.actor.can_work:
            orders = list(
                order_list_for_merchant()
                .filter(external_id__icontains=query)
                .order_by("-placed_at")[:20]
            )
        context = {"orders": orders, "q": query, "can_write": self.actor.can_work}
        return render(request, "app/disputes/pick_order.html", context)


class DisputePolicyView(MerchantSide, TemplateView):
    """The merchant's dispute rules: extra reasons needing evidence, and the cost table."""

    template_name = "app/disputes/policy.html"
    write_roles = MERCHANT_MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merchant_id = self.request.organization.pk
        required = policies.evidence_required_reasons(merchant_id=merchant_id)
        context.update(
            reasons=[
                (value, label, value in required, value in policies.EVIDENCE_REQUIRED_REASONS)
                for value, label in Reason.choices
            ],
            costs=[
                (fault, Fault(fault).label, shipping, restocking, own)
                for fault, shipping, restocking, own in policies.cost_table(merchant_id=merchant_id)
            ],
            bearers=CostBearer.choices,
            can_edit=self.request.membership.role in MERCHANT_MANAGERS,
            missing_evidence_days=policies.MISSING_EVIDENCE_DAYS,
        )
        return context

    def post(self, request):
        try:
            if request.POST.get("form") == "evidence":
                services.evidence_policy_set(
                    actor=self.actor, reasons=request.POST.getlist("reasons")
                )
            else:
                for fault in Fault.values:
                    services.cost_default_set(
                        actor=self.actor,
                        fault=fault,
                        return_shipping_paid_by=request.POST.get(f"{fault}-shipping", ""),
                        restocking_paid_by=request.POST.get(f"{fault}-restocking", ""),
                    )
        except DomainError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Dispute rules saved."))
        return redirect("app-dispute-policy")
