"""What the orders app asks of disputes through `orders.hooks` (it cannot import us)."""

from collections import defaultdict

from django.db.models import Exists, OuterRef

from disputes.models import Dispute, DisputeStatus, EventType
from disputes.services.timeline import dispute_notice_post

# The disputes whose timeline no longer takes notices about their parcels.
FINISHED = (DisputeStatus.CLOSED, DisputeStatus.CANCELLED)


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


def record_parcel_change(*, actor, shipment, change: str, previous: dict) -> None:
    """Write a parcel's change ("corrected", "voided", "returned", "reship_requested") to
    the timeline of every dispute still going on the parcel's lines."""
    disputes = (
        Dispute.objects.filter(lines__shipments=shipment)
        .exclude(status__in=FINISHED)
        .distinct()
        .order_by("number")
    )
    for dispute in disputes:
        dispute_notice_post(
            actor=actor,
            dispute=dispute,
            code=f"parcel_{change}",
            type=EventType.SYSTEM,
            shipment=str(shipment.pk),
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            tracking_valid=shipment.tracking_valid,
            previous_tracking_number=previous.get("tracking_number", ""),
        )
