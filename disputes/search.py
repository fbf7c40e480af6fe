"""One search box for orders and disputes: by order number, customer name or e-mail, sku,
supplier or dispute number, whatever the case; each kind capped to a short list.

A supplier searches what it may see: orders through its own lines, disputes addressed to
it, never a customer's e-mail address.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from core import tenancy
from disputes import selectors
from orders.models import OrderLine
from orders.selectors import order_list

RESULTS_PER_KIND = 20
MAX_QUERY_LENGTH = 200


@dataclass
class SearchResults:
    text: str
    orders: list = field(default_factory=list)
    disputes: list = field(default_factory=list)
    more_orders: bool = False
    more_disputes: bool = False

    @property
    def count(self) -> int:
        return len(self.orders) + len(self.disputes)


def search_clean(text: str) -> str:
    return (text or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def search(*, text: str) -> SearchResults:
    """Orders and disputes of the active organization that `text` names."""
    text = search_clean(text)
    results = SearchResults(text=text)
    if not text:
        return results
    organization = tenancy.current_organization()
    is_merchant = organization is not None and organization.is_merchant
    lines = OrderLine.objects.filter(order_id=OuterRef("pk"))
    match = (
        Q(external_id__icontains=text)
        | Q(customer_name__icontains=text)
        | Exists(lines.filter(sku__iexact=text))
        | Exists(lines.filter(supplier__name__icontains=text))
    )
    if is_merchant:
        match |= Q(customer_email=text.lower())
    orders = list(order_list().filter(match)[: RESULTS_PER_KIND + 1])
    list_of = (
        selectors.dispute_list_for_merchant if is_merchant else selectors.dispute_list_for_supplier
    )
    disputes = list(
        list_of(filters=selectors.DisputeFilters(q=text)).order_by("-id")[: RESULTS_PER_KIND + 1]
    )
    results.orders, results.more_orders = orders[:RESULTS_PER_KIND], len(orders) > RESULTS_PER_KIND
    results.disputes = disputes[:RESULTS_PER_KIND]
    results.more_disputes = len(disputes) > RESULTS_PER_KIND
    return results
