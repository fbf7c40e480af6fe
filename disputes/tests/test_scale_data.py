"""generate_scale_data: realistic rows by COPY, resumable, readable by the app."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organization, User
from accounts.tests.factories import token_for
from core.tenancy import cross_tenant_scope
from deadlines.models import Deadline, DeadlineState
from disputes import scale_data
from disputes.models import Dispute, DisputeCounter, TimelineEvent
from notifications.models import Notification
from orders.models import Order, OrderLine


def generate(orders: int, disputes: int) -> None:
    call_command(
        "generate_scale_data",
        merchants=2,
        orders_per_merchant=orders,
        disputes_per_merchant=disputes,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
        stderr=open("/dev/null", "w"),  # noqa: SIM115
    )


def counts() -> dict:
    with cross_tenant_scope(reason="test"):
        return {
            model.__name__: model.objects.count()
            for model in (Order, OrderLine, Dispute, TimelineEvent, Deadline, Notification)
        }


def test_scale_data_is_realistic_resumable_and_readable(db, monkeypatch):
    monkeypatch.setattr(scale_data, "ORDERS_PER_CHUNK", 100)
    # Given a run that stopped after its first chunk of each merchant
    generate(orders=100, disputes=10)
    first = counts()
    assert first["Order"] == 200

    # When the full run is started (again, twice)
    generate(orders=300, disputes=30)
    full = counts()
    generate(orders=300, disputes=30)

    # Then it completed the missing chunks only, and a repeat adds nothing
    assert counts() == full
    assert full["Order"] == 600
    assert full["Dispute"] == 60
    with cross_tenant_scope(reason="test"):
        assert 1.2 < full["OrderLine"] / full["Order"] < 3
        events = Dispute.objects.annotate(event_count=Count("events")).aggregate(
            fewest=Min("event_count"), most=Max("event_count")
        )
        assert events["fewest"] >= 5
        assert events["most"] <= 50
        assert len(set(Dispute.objects.values_list("status", flat=True))) >= 5
        numbers = sorted(
            Dispute.objects.filter(merchant__slug="scale-m0").values_list("number", flat=True)
        )
        assert numbers == list(range(1, 31))
        assert DisputeCounter.objects.get(merchant__slug="scale-m0").last_number == 30
        assert Deadline.objects.filter(state=DeadlineState.PENDING).exists()
        assert Notification.objects.filter(read_at__isnull=True).exists()
        # Nothing happened after now: a reading can catch up with every dispute.
        now = timezone.now()
        assert not TimelineEvent.objects.filter(created_at__gt=now).exists()
        assert not Dispute.objects.filter(last_activity_at__gt=now).exists()

    # And the app reads it: the merchant's list and the busiest supplier's inbox
    owner = User.objects.get(email="owner@scale-m0.test")
    merchant = Organization.objects.get(slug="scale-m0")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(owner, merchant)}")
    response = client.get("/api/v1/disputes/", {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 30
    dispute_id = response.json()["results"][0]["id"]
    assert client.get(f"/api/v1/disputes/{dispute_id}/timeline/").status_code == 200
    assert client.get("/api/v1/orders/").status_code == 200
    staff = User.objects.get(email="staff@scale-shenzhen.test")
    shenzhen = Organization.objects.get(slug="scale-shenzhen")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(staff, shenzhen)}")
    assert client.get("/api/v1/disputes/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_merchants_written_side_by_side_are_each_whole(monkeypatch):
    monkeypatch.setattr(scale_data, "ORDERS_PER_CHUNK", 100)
    # Given two processes writing three merchants, each merchant's chunks in order
    call_command(
        "generate_scale_data",
        merchants=3,
        orders_per_merchant=250,
        disputes_per_merchant=20,
        jobs=2,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
        stderr=open("/dev/null", "w"),  # noqa: SIM115
    )

    # Then every merchant has all its orders, and its disputes numbered without a gap
    with cross_tenant_scope(reason="test"):
        orders = dict(Order.objects.values_list("merchant__slug").annotate(count=Count("id")))
        assert orders == {"scale-m0": 250, "scale-m1": 250, "scale-m2": 250}
        for slug in orders:
            numbers = sorted(
                Dispute.objects.filter(merchant__slug=slug).values_list("number", flat=True)
            )
            assert numbers == list(range(1, 21))
