"""Row-level security, the second tenancy wall: what a statement sees when the ORM's filter
is forgotten, on whatever pooled connection it runs."""

import importlib
import importlib.util
import logging

import psycopg2.extensions
import pytest
from celery import current_app
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from core import tenancy
from core.rls import OWNER_POLICY, POLICY, tenant_models
from core.tasks import task_scope
from disputes import selectors
from disputes.models import Dispute
from disputes.tests.conftest import Disputes
from orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputes(world) -> Disputes:
    return Disputes(world)


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _merchants_seen(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT merchant_id::text FROM {table}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def test_the_tests_connect_as_a_role_that_row_level_security_applies_to():
    user, superuser, bypass = _one(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    owners = _one(
        "SELECT count(*) FROM pg_class WHERE relname = ANY(%s) AND pg_get_userbyid(relowner) = %s",
        ([model._meta.db_table for model in tenant_models()], user),
    )
    assert (superuser, bypass, owners[0]) == (False, False, 0), user


def test_every_tenant_table_has_its_policy_and_forces_row_level_security():
    tables = {model._meta.db_table for model in tenant_models()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
            "AND relname = ANY(%s)",
            [list(tables)],
        )
        forced = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename, array_agg(policyname::text ORDER BY policyname) FROM pg_policies "
            "WHERE tablename = ANY(%s) GROUP BY tablename",
            [list(tables)],
        )
        policies = dict(cursor.fetchall())
    assert len(tables) >= 28
    assert forced == tables
    assert policies == {table: sorted([POLICY, OWNER_POLICY]) for table in tables}


def test_every_table_with_a_merchant_is_a_tenant_table():
    # A model that names its merchant but skipped TenantModel would have no policy.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'merchant_id'"
        )
        with_merchant = {row[0] for row in cursor.fetchall()}
    assert with_merchant <= {model._meta.db_table for model in tenant_models()}


def test_without_a_scope_a_statement_sees_no_row_of_any_tenant_table(disputes):
    disputes.open("acme_agent")
    disputes.open("globex_owner")
    with tenancy.entry_point():
        counts = {
            model._meta.db_table: _one(f'SELECT count(*) FROM "{model._meta.db_table}"')[0]  # noqa: S608
            for model in tenant_models()
        }
    assert set(counts.values()) == {0}
    # The same rows are there for a scope that may see them.
    assert _one("SELECT count(*) FROM disputes_dispute")[0] == 2


def test_a_forgotten_filter_in_a_request_still_shows_only_the_callers_rows(
    world, disputes, monkeypatch
):
    ours = disputes.open("acme_agent")
    theirs = disputes.open("globex_owner")

    # The bug the wall is for: every read of disputes through the unfiltered base manager,
    # no tenant filter at all.
    monkeypatch.setattr(Dispute, "objects", Dispute.cross_tenant_objects)
    assert Dispute.cross_tenant_objects.count() == 2  # set-up sees both

    seen = {}
    for caller in ("acme_owner", "globex_owner", "shenzhen_admin", "yiwu_admin"):
        response = world.client(caller).get("/api/v1/disputes/")
        assert response.status_code == 200, response.content
        seen[caller] = {item["id"] for item in response.json()["results"]}
    assert seen == {
        "acme_owner": {str(ours.pk)},
        "globex_owner": {str(theirs.pk)},
        # Both are addressed to Shenzhen, across merchants; none to Yiwu.
        "shenzhen_admin": {str(ours.pk), str(theirs.pk)},
        "yiwu_admin": set(),
    }


def test_raw_sql_in_a_page_request_is_walled_too(world, disputes, client, monkeypatch):
    disputes.open("acme_agent")
    disputes.open("globex_owner")
    client.force_login(world.users["globex_owner"])
    seen = []

    def spy(*args, **kwargs):
        seen.append(_merchants_seen("disputes_dispute"))
        return every_page(*args, **kwargs)

    every_page = selectors.dispute_page_rows_for_merchant
    monkeypatch.setattr(selectors, "dispute_page_rows_for_merchant", spy)
    assert client.get("/app/disputes/").status_code == 200
    assert seen == [{str(world.globex.pk)}]


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: no test transaction
def test_a_pooled_connection_carries_nothing_from_one_organization_to_the_next(world, disputes):
    disputes.open("acme_agent")
    disputes.open("globex_owner")
    acme, globex = str(world.acme.pk), str(world.globex.pk)
    pid = _one("SELECT pg_backend_pid()")[0]
    with tenancy.entry_point():
        with tenancy.organization_scope(world.acme):
            assert _merchants_seen("disputes_dispute") == {acme}
        with tenancy.organization_scope(world.globex):
            assert _merchants_seen("disputes_dispute") == {globex}
        # A statement sent as a pooler would pass it, without the scope: the setting was
        # SET LOCAL and died with its transaction.
        raw = psycopg2.extensions.cursor(connection.connection)
        raw.execute(
            "SELECT current_setting('redress.organization', true), count(*) FROM disputes_dispute"
        )
        assert raw.fetchone() in {("", 0), (None, 0)}
        # In one transaction, each statement still carries its own scope.
        with transaction.atomic():
            with tenancy.organization_scope(world.acme):
                assert _merchants_seen("disputes_dispute") == {acme}
            with tenancy.organization_scope(world.globex):
                assert _merchants_seen("disputes_dispute") == {globex}
            assert _merchants_seen("disputes_dispute") == set()
    assert _one("SELECT pg_backend_pid()")[0] == pid  # one connection throughout


def test_a_supplier_sees_the_orders_it_fulfils_across_merchants_and_nothing_else(world, disputes):
    shipped_by_shenzhen = disputes.order("globex", lines=(("shenzhen", 1, "5.00"),))
    disputes.order("acme", lines=(("yiwu", 1, "5.00"),))
    with tenancy.entry_point(), tenancy.organization_scope(world.shenzhen):
        assert list(Order.cross_tenant_objects.values_list("pk", flat=True)) == [
            shipped_by_shenzhen.pk
        ]


def test_a_row_of_another_tenant_cannot_be_written(world, disputes):
    order = disputes.order("acme")
    with tenancy.entry_point(), tenancy.organization_scope(world.globex):
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            Order.cross_tenant_objects.create(
                merchant=world.acme, external_id="sneaked-in", placed_at=order.placed_at
            )
        # Nor changed: the other tenant's row is not there to update.
        assert Order.cross_tenant_objects.filter(pk=order.pk).update(external_id="x") == 0


def test_every_task_of_the_project_sets_its_scope_through_the_one_decorator():
    apps = ("accounts", "suppliers", "orders", "disputes", "deadlines", "notifications")
    apps += ("connectors", "insights", "core")
    for app in apps:
        if importlib.util.find_spec(f"{app}.tasks"):
            importlib.import_module(f"{app}.tasks")
    ours = {
        name: task
        for name, task in current_app.tasks.items()
        if task.run.__module__.split(".")[0] in apps
    }
    assert len(ours) >= 8
    unscoped = sorted(name for name, task in ours.items() if not hasattr(task.run, "task_scope"))
    assert unscoped == []


def test_deliberate_cross_tenant_work_is_logged_with_its_reason_and_operator(world, client, caplog):
    with caplog.at_level(logging.INFO, logger="redress.system_context"):
        with tenancy.entry_point(), tenancy.cross_tenant_scope(reason="a sweep", by="beat"):
            pass
        staff = world.users["acme_owner"]
        staff.is_staff = staff.is_superuser = True
        staff.save()
        client.force_login(staff)
        assert client.get("/admin/orders/order/").status_code == 200
    entries = {(record.reason, record.by) for record in caplog.records}
    assert ("a sweep", "beat") in entries
    assert ("platform admin: GET /admin/orders/order/", "acme_owner@example.test") in entries


def test_a_task_runs_in_the_scope_of_the_merchant_owning_its_row(world, disputes):
    order = disputes.order("globex")
    seen = []

    @task_scope(owner_of=(Order, "order_id"))
    def work(order_id):
        seen.append((tenancy.current_organization(), _merchants_seen("orders_order")))

    work(order_id=str(order.pk))
    work(order_id="01a22bb2-d1ed-7f64-941d-d69008fe37c1")  # gone: nothing runs
    assert seen == [(world.globex, {str(world.globex.pk)})]
