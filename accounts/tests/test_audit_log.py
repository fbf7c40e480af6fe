"""The audit log: written by the services that do security-relevant things, read by owners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.actors import Actor
from accounts.models import AuditAction, AuditEntry, Membership, Role
from accounts.tests.factories import PASSWORD, UserFactory
from core.tenancy import cross_tenant_scope

URL = "/api/v1/audit-log/"


def entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.cross_tenant_objects.filter(**filters).order_by("id"))


def actions(organization) -> list[str]:
    return [entry.action for entry in entries(organization=organization)]


def owner(world, caller="acme_owner", organization="acme") -> Actor:
    return Actor.member(
        user=world.users[caller], organization=world.organization(organization), role=Role.OWNER
    )


# --- What is recorded ------------------------------------------------------------------


def test_an_api_sign_in_records_the_sign_in_and_the_token_with_the_callers_address(world):
    AuditEntry.cross_tenant_objects.all().delete()  # the world's own test tokens
    response = world.client(None).post(
        "/api/v1/auth/token/",
        {"email": "acme_agent@example.test", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 201
    signed_in, issued = entries(organization=world.acme)
    assert (signed_in.action, issued.action) == (
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.TOKEN_ISSUED,
    )
    assert signed_in.actor == issued.actor == world.users["acme_agent"]
    assert signed_in.ip_address == issued.ip_address == "203.0.113.7"
    assert signed_in.data == {"channel": "api"}
    assert issued.target == response.json()["token"][:10] + "…"
    assert response.json()["token"] not in str(issued.data)  # never the key itself


def test_a_failed_sign_in_is_shown_to_the_accounts_organizations_without_an_actor(world):
    response = world.client(None).post(
        "/api/v1/auth/token/",
        {"email": " ACME_Viewer@example.test ", "password": "wrong"},
        format="json",
    )
    assert response.status_code == 401
    [failed] = entries(action=AuditAction.LOGIN_FAILED)
    assert failed.organization == world.acme
    assert failed.actor is None  # whoever tried, it is not known to be the viewer
    assert failed.target == "acme_viewer@example.test"


def test_a_failed_sign_in_with_an_unknown_email_is_for_the_operators_only(world):
    world.client(None).post(
        "/api/v1/auth/token/", {"email": "nobody@example.test", "password": "x"}, format="json"
    )
    [failed] = entries(action=AuditAction.LOGIN_FAILED)
    assert failed.organization is None
    assert failed.target == "nobody@example.test"


def test_a_sign_in_through_the_pages_is_recorded(client, world):
    response = client.post(
        "/accounts/login/", {"username": "acme_manager@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    [signed_in] = entries(action=AuditAction.LOGIN_SUCCEEDED)
    assert signed_in.organization == world.acme
    assert signed_in.data == {"channel": "web"}
    client.logout()
    client.post("/accounts/login/", {"username": "acme_manager@example.test", "password": "no"})
    assert len(entries(action=AuditAction.LOGIN_FAILED, organization=world.acme)) == 1


def test_revoking_a_token_is_recorded_once(world):
    client = world.client("acme_agent")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    [revoked] = entries(action=AuditAction.TOKEN_REVOKED)
    assert revoked.organization == world.acme
    assert revoked.actor == world.users["acme_agent"]
    assert revoked.actor_party == "merchant"


def test_membership_added_and_role_changes_are_recorded(world):
    newcomer = UserFactory(email="new@example.test")
    actor = owner(world)
    services.membership_create(user=newcomer, organization=world.acme, role=Role.AGENT, actor=actor)
    services.membership_create(user=newcomer, organization=world.acme, role=Role.AGENT, actor=actor)
    services.membership_create(
        user=newcomer, organization=world.acme, role=Role.MANAGER, actor=actor
    )
    added, changed = entries(target="new@example.test")
    assert added.action == AuditAction.MEMBER_ADDED
    assert added.data == {"role": "agent"}
    assert changed.action == AuditAction.MEMBER_ROLE_CHANGED
    assert changed.data == {"role": "manager", "role_before": "agent"}
    assert changed.actor == world.users["acme_owner"]


def test_webhook_endpoints_created_and_deleted_are_recorded(world):
    client = world.client("acme_owner")
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/in", "events": ["*"]},
        format="json",
    )
    assert created.status_code == 201
    assert client.delete(f"/api/v1/webhooks/{created.json()['id']}/").status_code == 204
    made, deleted = entries(target="http://127.0.0.1:9/in")
    assert (made.action, deleted.action) == (
        AuditAction.WEBHOOK_CREATED,
        AuditAction.WEBHOOK_DELETED,
    )
    assert created.json()["secret"] not in str(made.data)


def test_deadline_rule_changes_are_recorded_with_before_and_after(world):
    response = world.client("acme_manager").patch(
        "/api/v1/rules/ship-reminder/", {"enabled": False}, format="json"
    )
    assert response.status_code == 200
    [changed] = entries(action=AuditAction.RULE_CHANGED)
    assert changed.organization == world.acme
    assert changed.target == "ship-reminder"
    assert changed.data["before"]["enabled"] is True
    assert changed.data["after"]["enabled"] is False


# --- Who reads it: owners, their own organization's; operators, everything ------------


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("acme_owner", 200),
        ("acme_manager", 403),
        ("acme_agent", 403),
        ("acme_viewer", 403),
        ("shenzhen_admin", 403),
        ("shenzhen_agent", 403),
        (None, 401),
    ],
)
def test_only_the_owner_reads_the_audit_log(world, caller, status):
    response = world.client(caller).get(URL)
    assert response.status_code == status
    if status != 200:
        assert "results" not in response.json()


def test_an_owner_sees_only_their_own_organizations_entries(world):
    services.membership_create(
        user=UserFactory(email="globex-new@example.test"),
        organization=world.globex,
        role=Role.AGENT,
        actor=owner(world, "globex_owner", "globex"),
    )
    globex_entry = entries(organization=world.globex, target="globex-new@example.test")[0]
    acme_client = world.client("acme_owner")
    body = acme_client.get(URL).json()
    assert body["results"]
    assert {row["action"] for row in body["results"]} == {"token.issued"}
    assert "globex-new@example.test" not in str(body)
    # Another organization's entry is not found, exactly as one that does not exist.
    assert acme_client.get(f"{URL}{globex_entry.pk}/").status_code == 404
    assert acme_client.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert acme_client.get(f"{URL}nope/").status_code == 404
    own = world.client("globex_owner").get(f"{URL}{globex_entry.pk}/")
    assert own.status_code == 200
    assert own.json()["target"] == "globex-new@example.test"
    assert own.json()["actor"] == "globex_owner@example.test"


def test_the_audit_log_cannot_be_written_through_the_api(world):
    client = world.client("acme_owner")
    entry = entries(organization=world.acme)[0]
    assert client.delete(f"{URL}{entry.pk}/").status_code == 405
    assert client.put(f"{URL}{entry.pk}/", {"target": "x"}, format="json").status_code == 405
    assert entries(organization=world.acme)[0].target == entry.target


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_costs_the_same_queries_for_few_and_many_entries(world, rows):
    client = world.client("acme_owner")
    for number in range(rows):
        services.audit_record(
            action=AuditAction.LOGIN_FAILED, organization=world.acme, target=f"x{number}@e.test"
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows + 1  # and the token the client got
    assert len(queries) == 3  # token, its use, the page


def test_the_owners_page_lists_their_shops_entries_only(client, world):
    services.membership_create(
        user=UserFactory(email="globex-new@example.test"),
        organization=world.globex,
        role=Role.AGENT,
    )
    services.membership_create(
        user=UserFactory(email="acme-new@example.test"), organization=world.acme, role=Role.AGENT
    )
    client.force_login(world.users["acme_owner"])
    page = client.get("/app/settings/audit-log/")
    assert page.status_code == 200
    assert "acme-new@example.test" in page.content.decode()
    assert "globex-new@example.test" not in page.content.decode()


@pytest.mark.parametrize("caller", ["acme_manager", "acme_agent", "acme_viewer"])
def test_other_roles_may_not_open_the_page(client, world, caller):
    client.force_login(world.users[caller])
    assert client.get("/app/settings/audit-log/").status_code == 403


def test_operators_read_every_entry_in_the_admin_and_change_none(client, world):
    services.audit_record(
        action=AuditAction.LOGIN_FAILED, organization=None, target="nobody@example.test"
    )
    services.audit_record(
        action=AuditAction.LOGIN_FAILED, organization=world.acme, target="acme@example.test"
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/accounts/auditentry/")
    assert listing.status_code == 200
    assert "nobody@example.test" in listing.content.decode()
    entry = entries(organization=world.acme)[0]
    assert client.get(f"/admin/accounts/auditentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.cross_tenant_objects.filter(pk=entry.pk).exists()


def test_an_operator_changing_a_role_in_the_admin_is_recorded(client, world):
    operator = UserFactory(email="operator@redress.test", is_staff=True, is_superuser=True)
    client.force_login(operator)
    membership = Membership.objects.get(user=world.users["acme_agent"])
    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {
            "user": membership.user_id,
            "organization": membership.organization_id,
            "role": "viewer",
            "created_at_0": "2026-01-02",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302
    [changed] = entries(action=AuditAction.MEMBER_ROLE_CHANGED)
    assert changed.actor == operator
    assert changed.actor_party == "platform"
    assert changed.data == {"role": "viewer", "role_before": "agent"}
    with cross_tenant_scope(reason="test"):
        assert AuditEntry.objects.filter(pk=changed.pk).exists()
