"""What the orders app asks of disputes through `orders.hooks` (it cannot import us)."""

from collections import defaultdict

from django.db.models import Exists, OuterRef

from disputes.models import Dispute, DisputeStatus


def filter_orders_with_disputes(queryset, value):
    """Orders with (value true) or without (false) a dispute the active scope can see."""
    disputed = Exists(Dispute.objects.filter(order_id=OuterRef("pk")))
    return queryset.filter(disputed) if value else queryset.exclude(disputed)


def dispute_summaries(*, orders) -> dict:
    """{order id: [{"id", "number", "status"}, ...]} in one query for a batch of orders."""
    summaries = defaultdict(list)
    rows = (
        Dispute.objects.filter(order__in=[order.pk for order in orders])
        .order_by("number")
        .values("id", "number", "status", "order_id")
    )
    for row in rows:
        summaries[row["order_id"]].append(
            {
                "id": str(row["id"]),
                "number": row["number"],
                "status": row["status"],
                # For pages; the API's serializer keeps to the contract's fields.
                "status_display": DisputeStatus(row["status"]).label,
            }
        )
    return dict(summaries)
