"""The platform's arbitration queue in /admin/: read the case, decide, both parties see why."""

import pytest

from accounts.tests.factories import UserFactory
from disputes import services
from disputes.models import Attachment
from disputes.tests.samples import png_upload

URL = "/api/v1/disputes/"


@pytest.fixture
def operator(db, client):
    user = UserFactory(email="operator@redress.test", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def case(world, disputes):
    dispute = disputes.in_state("awaiting_supplier", kind="refund", reason="not_received")
    with disputes.acting("acme_agent") as actor:
        services.dispute_attachment_add(
            actor=actor, dispute=disputes.refresh(dispute), upload=png_upload("box.png")
        )
        services.dispute_message_post(
            actor=actor, dispute=disputes.refresh(dispute), body="Secret strategy", internal=True
        )
    disputes.call("acme_agent", services.dispute_escalate, dispute, to="arbitration")
    return disputes.refresh(dispute)


def test_queue_lists_only_disputes_in_arbitration(operator, disputes, case):
    other = disputes.in_state("awaiting_supplier")
    response = operator.get("/admin/disputes/arbitrationcase/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"/admin/disputes/arbitrationcase/{case.pk}/change/" in text
    assert f"/admin/disputes/arbitrationcase/{other.pk}/change/" not in text


def test_case_page_shows_the_shared_timeline_and_files_but_not_notes(operator, case):
    response = operator.get(f"/admin/disputes/arbitrationcase/{case.pk}/change/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "box.png" in text
    assert "Asked the platform to arbitrate." in text
    assert "Secret strategy" not in text
    assert f"/admin/disputes/arbitrationcase/{case.pk}/decide/" in text
    attachment = Attachment.cross_tenant_objects.get(dispute=case)
    download = operator.get(
        f"/admin/disputes/arbitrationcase/{case.pk}/attachments/{attachment.pk}/"
    )
    assert download.status_code == 200


def test_partial_refund_decision_reaches_both_parties(world, operator, case):
    url = f"/admin/disputes/arbitrationcase/{case.pk}/decide/"
    assert operator.get(url).status_code == 200
    refused = operator.post(url, {"decision": "partial_refund", "reason": "Half."})
    assert refused.status_code == 200  # the form again: the amount is missing
    assert "Give the amount to refund." in refused.content.decode()
    response = operator.post(
        url,
        {"decision": "partial_refund", "amount": "10.00", "reason": "Photos show minor damage."},
    )
    assert response.status_code == 302
    for caller in ("acme_viewer", "shenzhen_agent"):
        detail = world.client(caller).get(f"{URL}{case.pk}/").json()
        assert detail["status"] == "resolution_accepted"
        assert detail["resolution"]["resolution"] == "partial_refund"
        assert detail["resolution"]["amount"] == "10.00"
        assert detail["resolution"]["proposed_by"] == "platform"
        last = world.client(caller).get(f"{URL}{case.pk}/timeline/").json()["results"][-1]
        assert last["author"] == {"party": "platform", "name": "Redress arbitration"}
        assert "Photos show minor damage." in last["body"]
    # The supplier then carries the refund out like any accepted resolution.
    shenzhen = world.client("shenzhen_agent")
    assert "fulfil" in shenzhen.get(f"{URL}{case.pk}/").json()["allowed_actions"]


def test_rejection_resolves_the_dispute(world, operator, case):
    url = f"/admin/disputes/arbitrationcase/{case.pk}/decide/"
    operator.post(url, {"decision": "rejection", "reason": "Tracking shows delivery."})
    detail = world.client("acme_agent").get(f"{URL}{case.pk}/").json()
    assert detail["status"] == "resolved"
    assert detail["resolution"]["resolution"] == "rejection"


def test_a_dispute_not_in_arbitration_cannot_be_decided(world, operator, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    url = f"/admin/disputes/dispute/{dispute.pk}/decide/"
    response = operator.post(url, {"decision": "rejection", "reason": "No."})
    assert response.status_code == 200
    assert "not possible while the dispute is awaiting supplier" in response.content.decode()
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_merchants_and_suppliers_cannot_reach_the_admin(world, client, case):
    client.force_login(world.users["acme_owner"])
    response = client.get(f"/admin/disputes/arbitrationcase/{case.pk}/decide/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_dispute_list_in_admin_is_read_only(operator, disputes, case):
    response = operator.get("/admin/disputes/dispute/")
    assert response.status_code == 200
    assert operator.get("/admin/disputes/dispute/add/").status_code == 403


def test_an_arbitration_decision_is_in_the_merchant_owners_audit_log(world, operator, case):
    url = f"/admin/disputes/arbitrationcase/{case.pk}/decide/"
    response = operator.post(
        url, {"decision": "partial_refund", "amount": "10.00", "reason": "Minor damage."}
    )
    assert response.status_code == 302
    log = world.client("acme_owner").get("/api/v1/audit-log/").json()["results"]
    [decided] = [entry for entry in log if entry["action"] == "arbitration.decided"]
    assert decided["actor"] == "operator@redress.test"
    assert decided["actor_party"] == "platform"
    assert decided["target"] == f"#{case.number}"
    assert decided["data"]["decision"] == "partial_refund"
    assert decided["data"]["amount"] == "10.00"
    # The supplier's people read no audit log; the other shop's owner does not see this one.
    assert world.client("shenzhen_admin").get("/api/v1/audit-log/").status_code == 403
    other = world.client("globex_owner").get("/api/v1/audit-log/").json()["results"]
    assert all(entry["action"] != "arbitration.decided" for entry in other)
