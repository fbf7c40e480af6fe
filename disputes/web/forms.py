"""Forms of the dashboard and the portal: they parse; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    LEDGER_KINDS_BY_SIDE,
    PROPOSABLE_RESOLUTIONS,
    REASONS_BY_KIND,
    CostBearer,
    DisputeKind,
    DisputeStatus,
    Fault,
    LedgerKind,
    Reason,
    ResolutionType,
)
from disputes.selectors import OPEN, SORTS

MONEY = {"max_digits": 12, "decimal_places": 2}
OPTIONAL = [("", "—")]
SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (OPEN, _("Open (not closed)")), *DisputeStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *DisputeKind.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("Any reason")), *Reason.choices]
    )
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=100)
    merchant = forms.CharField(label=_("Merchant"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    # "me", "none" or a member's user id (the view turns "me" into the reader's id).
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=40)
    waiting_on = forms.ChoiceField(
        label=_("Whose turn"),
        required=False,
        choices=[("", _("Anybody's")), ("merchant", _("Ours")), ("supplier", _("The supplier's"))],
    )
    due_today = forms.BooleanField(label=_("Due today"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = [(value, value) for value in ("", *SORTS)]


class BulkForm(forms.Form):
    """Rows picked in the list and what to do with them."""

    ACTIONS = [
        ("assign", _("Assign")),
        ("close", _("Close")),
        ("export", _("Export as CSV")),
    ]
    disputes = forms.TypedMultipleChoiceField(
        label=_("Disputes"),
        choices=[],
        coerce=str,
        error_messages={"required": _("Pick at least one dispute.")},
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    # "me", "none" or a member's user id.
    assignee = forms.CharField(label=_("Assign to"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the selector keeps only the merchant's own disputes.
        self.fields["disputes"].valid_value = lambda value: True


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=60)
    query = forms.CharField(required=False, max_length=1000)


class OpenDisputeForm(forms.Form):
    lines = forms.MultipleChoiceField(label=_("Lines"), widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    requested_amount = forms.DecimalField(
        label=_("Amount requested (refund)"), required=False, min_value=0, **MONEY
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(str(line.pk), str(line.pk)) for line in lines]


def reason_options():
    """Every reason with the kinds that offer it, for the select that follows the kind."""
    return [
        (
            value,
            label,
            " ".join(kind for kind, reasons in REASONS_BY_KIND.items() if value in reasons),
        )
        for value, label in Reason.choices
    ]


class MessageForm(forms.Form):
    # Empty is fine when files come with it; the service says "Write a message." otherwise.
    body = forms.CharField(
        label=_("Message"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(required=False)


class ProposalForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[(value, ResolutionType(value).label) for value in PROPOSABLE_RESOLUTIONS],
    )
    amount = forms.DecimalField(label=_("Amount"), required=False, **MONEY)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    rma_number = forms.CharField(label=_("RMA number"), required=False, max_length=64)
    fault = forms.ChoiceField(label=_("At fault"), required=False, choices=OPTIONAL + Fault.choices)
    return_shipping_paid_by = forms.ChoiceField(
        label=_("Return shipping paid by"), required=False, choices=OPTIONAL + CostBearer.choices
    )
    restocking_paid_by = forms.ChoiceField(
        label=_("Restocking paid by"), required=False, choices=OPTIONAL + CostBearer.choices
    )
    restocking_fee_percent = forms.DecimalField(
        label=_("Restocking fee (%)"), required=False, max_digits=5, decimal_places=2
    )


class AcceptForm(forms.Form):
    return_shipping_paid_by = forms.ChoiceField(
        required=False, choices=OPTIONAL + CostBearer.choices
    )
    restocking_paid_by = forms.ChoiceField(required=False, choices=OPTIONAL + CostBearer.choices)
    rma_number = forms.CharField(required=False, max_length=64)


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What is missing or unclear"), max_length=4000, widget=SMALL_TEXT
    )


class FulfilForm(forms.Form):
    refund_reference = forms.CharField(label=_("Refund reference"), required=False, max_length=100)
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=50)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=64)


class EscalateForm(forms.Form):
    to = forms.ChoiceField(choices=[("refund", "refund"), ("arbitration", "arbitration")])
    reason = forms.ChoiceField(
        required=False,
        choices=OPTIONAL + [(r, Reason(r).label) for r in REASONS_BY_KIND[DisputeKind.REFUND]],
    )
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LedgerEntryForm(forms.Form):
    """The customer side, as the dispute page records it (the supplier side comes by itself
    from a carried-out refund, or over the API)."""

    kind = forms.ChoiceField(
        label=_("What the customer got"),
        choices=[(value, LedgerKind(value).label) for value in LEDGER_KINDS_BY_SIDE["customer"]],
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
