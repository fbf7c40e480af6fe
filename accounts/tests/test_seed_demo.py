import io

from django.core.management import call_command

from accounts.models import Membership, Organization, User
from core.tenancy import cross_tenant_scope
from suppliers.models import SupplierLink


def snapshot():
    with cross_tenant_scope(reason="test"):
        return {
            "organizations": sorted(Organization.objects.values_list("slug", "kind", "verified")),
            "users": sorted(User.objects.values_list("email", "is_staff")),
            "memberships": sorted(
                Membership.objects.values_list("user__email", "organization__slug", "role")
            ),
            "links": sorted(SupplierLink.objects.values_list("merchant__slug", "supplier__slug")),
        }


def test_seed_demo_creates_the_documented_organizations_and_users(db):
    call_command("seed_demo", stdout=io.StringIO())
    state = snapshot()
    assert state["organizations"] == [
        ("acme", "merchant", False),
        ("ali-market", "supplier", False),
        ("globex", "merchant", False),
        ("shenzhen-supply", "supplier", True),
        ("yiwu-goods", "supplier", True),
    ]
    assert ("admin@redress.test", True) in state["users"]
    assert {
        ("owner@acme.test", "acme", "owner"),
        ("agent@acme.test", "acme", "agent"),
        ("viewer@acme.test", "acme", "viewer"),
        ("owner@globex.test", "globex", "owner"),
        ("ops@agency.test", "acme", "agent"),
        ("ops@agency.test", "globex", "agent"),
    } <= set(state["memberships"])
    assert {m[1] for m in state["memberships"] if m[0] == "staff@shenzhen-supply.test"} == {
        "shenzhen-supply"
    }
    assert state["links"] == [
        ("acme", "ali-market"),
        ("acme", "shenzhen-supply"),
        ("acme", "yiwu-goods"),
        ("globex", "shenzhen-supply"),
    ]
    assert User.objects.get(email="owner@acme.test").check_password("demo-pass-123")


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
