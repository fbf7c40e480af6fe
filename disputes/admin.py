"""The platform's side: every dispute read-only, and the arbitration queue with its decision.

Nothing here writes a dispute directly; the decision form calls `dispute_arbitrate`, which
goes through the transition table like every other entry point.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from core.errors import DomainError
from disputes import selectors, services, transitions
from disputes.downloads import attachment_response
from disputes.models import (
    ArbitrationCase,
    Attachment,
    CostDefault,
    Dispute,
    DisputeStatus,
    EvidenceRequirement,
    ResolutionType,
)
from disputes.wording import event_text


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ResolutionType.REFUND, _("Refund in full")),
            (ResolutionType.PARTIAL_REFUND, _("Refund in part")),
            (ResolutionType.REJECTION, _("Reject the claim")),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Amount (partial refund)"), max_digits=12, decimal_places=2, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Both parties read it on the dispute's timeline."),
        max_length=4000,
    )


class ReadOnlyDisputeAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "merchant",
        "supplier",
        "kind",
        "reason",
        "status",
        "opened_at",
        "respond_by",
    ]
    list_filter = ["status", "kind", "reason"]
    search_fields = ["=number", "order__external_id", "merchant__name", "supplier__name"]
    list_select_related = ["merchant", "supplier"]
    ordering = ["-opened_at"]
    change_form_template = "admin/disputes/dispute/change_form.html"
    readonly_fields = [
        "number",
        "merchant",
        "supplier",
        "order",
        "kind",
        "reason",
        "status",
        "description",
        "requested_amount",
        "currency",
        "opened_at",
        "respond_by",
        "resolve_by",
        "arbitration_requested_at",
        "resolution",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The timeline is the audit trail: disputes are never deleted.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<uuid:dispute_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="{}_{}_decide".format(*info),
            ),
            path(
                "<uuid:dispute_id>/accept-evidence/",
                self.admin_site.admin_view(self.accept_evidence_view),
                name="{}_{}_accept_evidence".format(*info),
            ),
            path(
                "<uuid:dispute_id>/attachments/<uuid:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="{}_{}_attachment".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dispute = selectors.dispute_get(dispute_id=object_id)
        extra_context = {
            **(extra_context or {}),
            **self._case_context(request, dispute),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _case_context(self, request, dispute):
        events = list(selectors.timeline_for(dispute=dispute, organization=None))
        for event in events:
            event.text = event_text(event)
        info = self.opts.app_label, self.opts.model_name
        operator = Actor.platform(user=request.user)
        return {
            "dispute": dispute,
            "timeline": events,
            "proposals": selectors.proposal_list_for(dispute=dispute),
            "attachment_url_name": "admin:{}_{}_attachment".format(*info),
            "can_decide": transitions.can(dispute, operator, "arbitrate_refund"),
            "decide_url": reverse("admin:{}_{}_decide".format(*info), args=[dispute.pk]),
            "can_accept_evidence": transitions.can(dispute, operator, "accept_evidence"),
            "accept_evidence_url": reverse(
                "admin:{}_{}_accept_evidence".format(*info), args=[dispute.pk]
            ),
        }

    def decide_view(self, request, dispute_id):
        dispute = get_object_or_404(Dispute.objects.all(), pk=dispute_id)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.dispute_arbitrate(
                    actor=Actor.platform(user=request.user),
                    dispute=dispute,
                    decision=form.cleaned_data["decision"],
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
                for field, errors in error.field_errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Decision recorded on dispute #%(number)s.") % {"number": dispute.number},
                )
                return redirect(reverse("admin:disputes_arbitrationcase_changelist"))
        context = {
            **self.admin_site.each_context(request),
            **self._case_context(request, selectors.dispute_get(dispute_id=dispute_id)),
            "form": form,
            "opts": self.opts,
            "title": _("Decide dispute #%(number)s") % {"number": dispute.number},
        }
        return TemplateResponse(request, "admin/disputes/decide.html", context)

    def accept_evidence_view(self, request, dispute_id):
        """The operator verifies the evidence the supplier left unreviewed (in arbitration)."""
        dispute = get_object_or_404(Dispute.objects.all(), pk=dispute_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            services.dispute_evidence_accept(
                actor=Actor.platform(user=request.user), dispute=dispute
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("Evidence accepted on dispute #%(number)s.") % {"number": dispute.number},
            )
        info = self.opts.app_label, self.opts.model_name
        return redirect(reverse("admin:{}_{}_change".format(*info), args=[dispute.pk]))

    def attachment_view(self, request, dispute_id, attachment_id):
        attachment = get_object_or_404(
            Attachment.objects.filter(dispute_id=dispute_id, internal=False), pk=attachment_id
        )
        return attachment_response(attachment)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyDisputeAdmin):
    pass


@admin.register(ArbitrationCase)
class ArbitrationCaseAdmin(ReadOnlyDisputeAdmin):
    """Oldest request first: the case that has waited longest is decided first."""

    list_display = [
        "number",
        "merchant",
        "supplier",
        "reason",
        "requested_amount",
        "currency",
        "arbitration_requested_at",
    ]
    list_filter = ["reason"]
    ordering = ["arbitration_requested_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=DisputeStatus.IN_ARBITRATION)


@admin.register(EvidenceRequirement)
class EvidenceRequirementAdmin(admin.ModelAdmin):
    list_display = ["merchant", "reason", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["merchant"]


@admin.register(CostDefault)
class CostDefaultAdmin(admin.ModelAdmin):
    list_display = ["merchant", "fault", "return_shipping_paid_by", "restocking_paid_by"]
    list_select_related = ["merchant"]
