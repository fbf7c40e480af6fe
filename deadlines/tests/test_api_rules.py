import pytest

from deadlines.models import RuleSetting, RuleSettingChange

URL = "/api/v1/rules/"
READERS = ["acme_owner", "acme_manager", "acme_agent", "acme_viewer"]


@pytest.mark.parametrize("caller", READERS)
def test_every_merchant_member_reads_all_rules_with_defaults(world, caller):
    response = world.client(caller).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    codes = [rule["code"] for rule in body["results"]]
    assert codes[:9] == [
        "ship-reminder",
        "ship-overdue",
        "supplier-response",
        "problem-deadline",
        "refund-execution",
        "verified-claim",
        "delivered-not-received",
        "customs-hold",
        "auto-close",
    ]
    response = world.client(caller).get(f"{URL}supplier-response/")
    rule = response.json()
    assert rule["enabled"] is True
    assert rule["numbers"] == {"remind_after_hours": 48, "escalate_after_hours": 72}
    assert rule["options"] == {"silent_refund_request": "escalate"}
    assert rule["fields"]["numbers"][0] == {
        "name": "remind_after_hours",
        "label": "Remind after",
        "unit": "hours",
        "default": 48,
        "minimum": 1,
        "maximum": 2160,
    }
    assert [c["value"] for c in rule["fields"]["options"][0]["choices"]] == [
        "escalate",
        "accept_refund",
    ]


@pytest.mark.parametrize("caller", ["shenzhen_admin", "yiwu_admin"])
def test_suppliers_are_403(world, caller):
    assert world.client(caller).get(URL).status_code == 403
    assert (
        world.client(caller)
        .put(f"{URL}ship-reminder/", {"enabled": False}, format="json")
        .status_code
        == 403
    )


def test_anonymous_is_401(world):
    assert world.client(None).get(URL).status_code == 401


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager"])
def test_owner_and_manager_change_a_rule_and_the_change_is_recorded(world, caller):
    body = {
        "enabled": True,
        "numbers": {"remind_after_hours": 24, "escalate_after_hours": 36},
        "options": {"silent_refund_request": "accept_refund"},
    }
    response = world.client(caller).put(f"{URL}supplier-response/", body, format="json")
    assert response.status_code == 200
    assert response.json()["numbers"] == body["numbers"]
    assert response.json()["updated_by"] == f"{caller}@example.test"
    history = world.client("acme_viewer").get(f"{URL}supplier-response/history/").json()
    assert len(history["results"]) == 1
    assert history["results"][0]["before"]["numbers"]["remind_after_hours"] == 48
    assert history["results"][0]["after"]["options"]["silent_refund_request"] == "accept_refund"
    assert history["results"][0]["changed_by"] == f"{caller}@example.test"
    # Another merchant still has the defaults.
    theirs = world.client("globex_owner").get(f"{URL}supplier-response/").json()
    assert theirs["numbers"]["remind_after_hours"] == 48


def test_put_resets_omitted_numbers_and_patch_keeps_them(world):
    client = world.client("acme_owner")
    client.patch(f"{URL}auto-close/", {"numbers": {"resolved_quiet_days": 3}}, format="json")
    client.patch(f"{URL}auto-close/", {"numbers": {"awaiting_merchant_days": 20}}, format="json")
    rule = client.get(f"{URL}auto-close/").json()
    assert rule["numbers"] == {"resolved_quiet_days": 3, "awaiting_merchant_days": 20}
    client.put(f"{URL}auto-close/", {"enabled": False}, format="json")
    rule = client.get(f"{URL}auto-close/").json()
    assert rule["enabled"] is False
    assert rule["numbers"] == {"resolved_quiet_days": 7, "awaiting_merchant_days": 14}
    assert RuleSettingChange.cross_tenant_objects.count() == 3


@pytest.mark.parametrize("caller", ["acme_agent", "acme_viewer"])
def test_agents_and_viewers_may_not_change_rules(world, caller):
    response = world.client(caller).put(f"{URL}ship-reminder/", {"enabled": False}, format="json")
    assert response.status_code == 403
    assert not RuleSetting.cross_tenant_objects.exists()


@pytest.mark.parametrize(
    ("numbers", "field"),
    [
        ({"after_days": 0}, "numbers.after_days"),
        ({"after_days": -1}, "numbers.after_days"),
        ({"after_days": 91}, "numbers.after_days"),
        ({"after_days": "2"}, "numbers.after_days"),
        ({"after_days": 2.5}, "numbers.after_days"),
        ({"after_days": True}, "numbers.after_days"),
        ({"after_weeks": 1}, "numbers.after_weeks"),
    ],
)
def test_values_outside_sane_bounds_are_400_and_nothing_changes(world, numbers, field):
    response = world.client("acme_owner").put(
        f"{URL}ship-reminder/", {"enabled": True, "numbers": numbers}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not RuleSetting.cross_tenant_objects.exists()
    assert not RuleSettingChange.cross_tenant_objects.exists()


def test_hours_and_business_days_are_bounded_to_ninety_days(world):
    client = world.client("acme_owner")
    too_long = {
        "enabled": True,
        "numbers": {"remind_after_hours": 48, "escalate_after_hours": 2161},
    }
    assert client.put(f"{URL}supplier-response/", too_long, format="json").status_code == 400
    business = {"enabled": True, "numbers": {"after_business_days": 61}}
    assert client.put(f"{URL}verified-claim/", business, format="json").status_code == 400
    backwards = {"enabled": True, "numbers": {"remind_after_hours": 72, "escalate_after_hours": 48}}
    response = client.put(f"{URL}supplier-response/", backwards, format="json")
    assert response.status_code == 400
    assert "numbers.escalate_after_hours" in response.json()


def test_bad_options_and_body_shapes_are_400(world):
    client = world.client("acme_owner")
    for body in (
        {"enabled": True, "options": {"silent_refund_request": "shrug"}},
        {"enabled": True, "options": {"nope": 1}},
        {"enabled": "maybe"},
        {"numbers": {"remind_after_hours": 10}},  # PUT needs "enabled"
        {"enabled": True, "numbers": [1, 2]},
    ):
        assert client.put(f"{URL}supplier-response/", body, format="json").status_code == 400, body


def test_unknown_rule_is_404(world):
    assert world.client("acme_owner").get(f"{URL}no-such-rule/").status_code == 404
    assert (
        world.client("acme_owner")
        .put(f"{URL}no-such-rule/", {"enabled": True}, format="json")
        .status_code
        == 404
    )
