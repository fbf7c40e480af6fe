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


def filters_from(form: forms.FilterForm, **overrides) -> selectors.DisputeFilters:
    data = form.cleaned_data if form.is_valid() else {}
    values = {
        name: data.get(name) or ("" if name != "overdue" else False)
        for name in ("status", "kind", "reason", "supplier", "merchant", "q", "overdue")
    }
    values.update(overrides)
    return selectors.DisputeFilters(**values)


class Side:
    side = ""

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.side}-dispute{name}", args=args)


class MerchantSide(Side, MerchantPageMixin):
    side = "app"


class SupplierSide(Side, SupplierPageMixin):
    side = "portal"
