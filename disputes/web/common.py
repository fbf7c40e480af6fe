"""What the dashboard and portal views share: the side they serve, and error wording."""

from django.http import Http404
from django.urls import reverse

from accounts.web.mixins import MerchantPageMixin, SupplierPageMixin
from core.errors import DomainError, NotFound
from disputes import selectors
from disputes.web import forms


def error_text(error: DomainError) -> str:
    details = [
        " ".join(str(message) for message in value)
        for value in error.field_errors.values()
        if isinstance(value, list)
    ]
    return " ".join([str(error.message), *details])


def dispute_or_404(pk):
    try:
        return selectors.dispute_get(dispute_id=pk)
    except NotFound as error:
        raise Http404 from error


FLAGS = ("overdue", "due_today")


def filters_from(form: forms.FilterForm, *, reader=None, **overrides) -> selectors.DisputeFilters:
    data = form.cleaned_data if form.is_valid() else {}
    names = ("status", "kind", "reason", "supplier", "merchant", "q", "waiting_on", *FLAGS)
    values = {name: data.get(name) or (False if name in FLAGS else "") for name in names}
    # Only the merchant's list passes its reader: a supplier's page never filters (so never
    # probes) by who works a dispute.
    values["assignee"] = _assignee(data.get("assignee") or "", reader) if reader else ""
    values.update(overrides)
    return selectors.DisputeFilters(**values)


def _assignee(value: str, reader) -> str:
    """ "me" is the reader; a value that is no user id matches nobody rather than everyone."""
    if value == "me" and reader is not None:
        return str(reader.pk)
    if not value or value == selectors.UNASSIGNED or selectors.parse_uuid(value):
        return value
    return str(NOBODY)


NOBODY = "00000000-0000-0000-0000-000000000000"


class Side:
    side = ""

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.side}-dispute{name}", args=args)


class MerchantSide(Side, MerchantPageMixin):
    side = "app"


class SupplierSide(Side, SupplierPageMixin):
    side = "portal"
