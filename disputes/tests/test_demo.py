"""seed_demo gives both merchants disputes in every state, and running it again adds none."""

from django.core.management import call_command

from core.tenancy import cross_tenant_scope
from disputes.models import Dispute, DisputeStatus, Proposal


def test_seed_demo_covers_every_state_for_both_merchants_and_is_idempotent(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with cross_tenant_scope(reason="test"):
        first = Dispute.objects.count()
        for slug in ("acme", "globex"):
            states = set(
                Dispute.objects.filter(merchant__slug=slug).values_list("status", flat=True)
            )
            assert states == set(DisputeStatus.values), slug
        bandana = Dispute.objects.get(order__external_id="ACME-D-1001")
        assert (bandana.reason, bandana.status) == ("wrong_item", "resolved")
        reship = Proposal.objects.get(pk=bandana.resolution_id)
        assert reship.resolution == "reship"
        assert reship.shipment.order_id == bandana.order_id
        missing = Dispute.objects.get(order__external_id="ACME-D-1002")
        assert missing.reason == "not_received"
        assert missing.order.shipments.get().status == "delivered"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with cross_tenant_scope(reason="test"):
        assert Dispute.objects.count() == first
