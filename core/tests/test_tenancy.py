import pytest
from django.utils import translation

from core.tenancy import TenantScopeMissing, cross_tenant_scope, organization_scope
from disputes.models import Dispute
from suppliers.models import SupplierLink


def test_tenant_table_refuses_to_be_read_without_a_scope(world):
    with pytest.raises(TenantScopeMissing):
        list(SupplierLink.objects.all())


def test_merchant_scope_sees_only_its_own_rows(world):
    with organization_scope(world.globex):
        links = list(SupplierLink.objects.all())
    assert [(link.merchant_id, link.supplier_id) for link in links] == [
        (world.globex.pk, world.shenzhen.pk)
    ]


def test_supplier_scope_sees_the_rows_addressed_to_it_across_merchants(world):
    with organization_scope(world.shenzhen):
        merchants = set(SupplierLink.objects.values_list("merchant__slug", flat=True))
    assert merchants == {"acme", "globex"}
    with organization_scope(world.yiwu):
        assert set(SupplierLink.objects.values_list("merchant__slug", flat=True)) == {"acme"}


def test_scope_does_not_outlive_its_block(world):
    with organization_scope(world.acme):
        assert SupplierLink.objects.count() == 3
    with pytest.raises(TenantScopeMissing):
        SupplierLink.objects.count()


def test_cross_tenant_scope_is_explicit_and_sees_everything(world):
    with cross_tenant_scope(reason="test"):
        assert SupplierLink.objects.count() == 4


def test_related_managers_are_scoped_too(world):
    # Reverse relations use the default manager, so a forgotten scope fails there too.
    with pytest.raises(TenantScopeMissing):
        list(world.shenzhen.merchant_links.all())
    with organization_scope(world.globex):
        assert [link.merchant_id for link in world.shenzhen.merchant_links.all()] == [
            world.globex.pk
        ]


def test_organization_scope_needs_an_organization():
    with pytest.raises(ValueError, match="cross_tenant_scope"), organization_scope(None):
        pass


def test_choice_labels_follow_the_active_language_and_unknown_values_show_as_stored():
    dispute = Dispute(reason="damaged", status="no-such-status")
    with translation.override("es"):
        assert dispute.get_reason_display() == "Producto defectuoso o dañado"
    with translation.override("en"):
        assert dispute.get_reason_display() == "Product defective or damaged"
    assert dispute.get_status_display() == "no-such-status"
