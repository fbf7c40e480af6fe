"""The queue's reads use their tenant-first indexes (EXPLAIN, as tests/test_list_plans.py):
the list by last activity, the home's per-person counts, the invalid-parcel count."""

import pytest

from core.tenancy import organization_scope
from disputes import selectors
from orders.models import Shipment, ShipmentStatus
from tests.test_list_plans import plan


@pytest.mark.parametrize(
    ("name", "build", "indexes"),
    [
        (
            "disputes by last activity, with the unread marker",
            lambda world: selectors.dispute_list_for_merchant(
                reader=world.users["acme_owner"], sort="-last_activity"
            ).order_by(*selectors.dispute_ordering("-last_activity"))[:51],
            ("dispute_merchant_activity",),
        ),
        (
            "disputes by due time, undated last",
            lambda world: selectors.dispute_list_for_merchant(sort="due").order_by(
                *selectors.dispute_ordering("due")
            )[:51],
            ("dispute_merchant_due",),
        ),
        (
            "open disputes of one person (the team's queue)",
            lambda world: selectors.dispute_list_to_count(
                filters=selectors.DisputeFilters(
                    status="open", assignee=str(world.users["acme_agent"].pk)
                )
            ).order_by()[:1001],
            # Either the tenant-first one or the assignee's own foreign-key index.
            ("dispute_merchant_assignee", "disputes_dispute_assignee_id"),
        ),
        (
            "parcels with an invalid tracking number",
            lambda world: Shipment.objects.filter(status=ShipmentStatus.TRACKING_INVALID)[:1001],
            ("shipment_merchant_tracking_bad",),
        ),
    ],
)
def test_queue_reads_use_their_index(world, name, build, indexes):
    with organization_scope(world.acme):
        explained = plan(build(world))
    assert any(f"using {index}" in explained for index in indexes), (name, explained)
    assert "Sort" not in explained, (name, explained)
