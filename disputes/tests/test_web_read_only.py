"""A form a role may not submit is not shown: a viewer reads a sentence instead."""

import pytest

READ_ONLY = "can only read here"


@pytest.fixture
def browser_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


@pytest.mark.parametrize(("caller", "sees_form"), [("acme_agent", True), ("acme_viewer", False)])
def test_new_dispute_form_only_for_who_may_open_one(browser_as, disputes, caller, sees_form):
    order = disputes.order()
    client = browser_as(caller)
    form_page = client.get(f"/app/disputes/new/?order={order.pk}").content.decode()
    picker = client.get("/app/disputes/new/", {"q": order.external_id}).content.decode()
    assert ('class="card open-dispute"' in form_page) is sees_form
    assert ('name="description"' in form_page) is sees_form
    assert ('id="pick-q"' in picker) is sees_form
    assert (f"?order={order.pk}" in picker) is sees_form
    assert (READ_ONLY in form_page) is not sees_form
    assert (READ_ONLY in picker) is not sees_form


@pytest.mark.parametrize(("caller", "sees_form"), [("acme_agent", True), ("acme_viewer", False)])
def test_dispute_page_shows_reply_and_ledger_forms_only_to_workers(
    browser_as, disputes, caller, sees_form
):
    dispute = disputes.open()
    page = browser_as(caller).get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert ('class="composer dropzone' in page) is sees_form
    assert ('name="body"' in page) is sees_form
    assert ("ledger-form" in page) is sees_form
    assert (READ_ONLY in page) is not sees_form
