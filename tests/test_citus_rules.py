"""Citus's rules for a schema distributed by merchant, read off the model metadata.

Citus is not installable here, so the rules are checked on Django's models: a new table,
unique constraint or foreign key that breaks one fails here. The violations the schema
has today are listed with their reason; each waits for a step of the migration path in
docs/scaling.md, and a fixed one must leave its list (the lists never go stale).
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

DISTRIBUTION_COLUMN = "merchant_id"

# Copied to every node; a distributed table may point at them.
REFERENCE_TABLES = {
    "accounts_organization",
    "accounts_user",
    "accounts_user_groups",
    "accounts_user_user_permissions",
    "accounts_membership",
    "suppliers_supplierlink",  # has a merchant, but both sides read it: small, everywhere
    "notifications_emailpreference",
    "django_content_type",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
}

# Plain tables on the coordinator: they may point at reference tables only.
COORDINATOR_TABLES = {
    "accounts_apitoken",
    "accounts_auditentry",
    "core_idempotentrequest",
    "django_admin_log",
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
}

# Known violations, with the step of docs/scaling.md's migration path that removes them.
DISTRIBUTED_WITHOUT_MERCHANT = {
    "orders_shipment_lines": "Shipment.lines's auto-created through table (step 2)",
}
UNIQUE_WITHOUT_MERCHANT = {
    ("orders_shipment", "shipment_live_tracking_unique_per_order"): "step 1",
    ("disputes_disputeline", "dispute_line_unique"): "step 1",
    ("disputes_disputeline", "dispute_line_one_open"): "step 1",
    ("disputes_timelineevent", "event_position_unique"): "step 1",
    ("disputes_timelineeventattachment", "event_attachment_unique"): "step 1",
    ("disputes_proposal", "proposal_one_open_per_dispute"): "step 1",
    ("orders_shipment_lines", "unique_together('shipment', 'orderline')"): "step 2",
}
FOREIGN_KEY_WITHOUT_MERCHANT = {
    ("orders_shipment_lines", "shipment_id"): "step 2",
    ("orders_shipment_lines", "orderline_id"): "step 2",
}
# Step 3: every distributed table's key is `id` alone today (Django's state keeps it so;
# the database's key becomes (merchant_id, id)).
PRIMARY_KEY_WITHOUT_MERCHANT = {
    "connectors_connector",
    "connectors_connectorevent",
    "connectors_suppliermapping",
    "deadlines_deadline",
    "deadlines_rulesetting",
    "deadlines_rulesettingchange",
    "disputes_attachment",
    "disputes_costdefault",
    "disputes_dispute",
    "disputes_disputecounter",
    "disputes_disputeline",
    "disputes_disputeseen",
    "disputes_evidencerequirement",
    "disputes_ledgerentry",
    "disputes_proposal",
    "disputes_savedreply",
    "disputes_savedview",
    "disputes_timelineevent",
    "disputes_timelineeventattachment",
    "insights_merchantday",
    "insights_supplierday",
    "insights_supplierdaystate",
    "notifications_emaildelivery",
    "notifications_notification",
    "notifications_notificationevent",
    "notifications_webhookattempt",
    "notifications_webhookdelivery",
    "notifications_webhookendpoint",
    "orders_linedaychange",
    "orders_order",
    "orders_orderimport",
    "orders_orderline",
    "orders_shipment",
    "orders_shipment_lines",
}


def tables() -> dict[str, type[models.Model]]:
    return {
        model._meta.db_table: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def columns(model) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def has_merchant(model) -> bool:
    return DISTRIBUTION_COLUMN in columns(model)


def distributed_tables() -> dict[str, type[models.Model]]:
    return {
        table: model
        for table, model in tables().items()
        if (has_merchant(model) and table not in REFERENCE_TABLES)
        or table in DISTRIBUTED_WITHOUT_MERCHANT
    }


def foreign_keys(model):
    return [field for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one]


def referenced_columns(model, expression) -> set[str]:
    if isinstance(expression, models.F):
        return {model._meta.get_field(expression.name).column}
    return {
        column
        for source in expression.get_source_expressions()
        for column in referenced_columns(model, source)
    }


def unique_keys(model) -> dict[str, set[str]]:
    """Every unique key but the primary key: its name and its columns."""
    opts = model._meta
    keys = {
        field.name: {field.column}
        for field in opts.concrete_fields
        if field.unique and not field.primary_key
    }
    for names in opts.unique_together:
        keys["unique_together" + repr(tuple(names))] = {opts.get_field(n).column for n in names}
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            keys[constraint.name] = {opts.get_field(n).column for n in constraint.fields} | {
                column
                for expression in constraint.expressions  # Django made strings F()s
                for column in referenced_columns(model, expression)
            }
    return keys


def primary_key_columns(model) -> set[str]:
    pk = model._meta.pk
    if isinstance(pk, models.CompositePrimaryKey):
        return {field.column for field in pk.fields}
    return {pk.column}


def test_every_table_is_distributed_a_reference_table_or_a_coordinator_table():
    all_tables = tables()
    named = REFERENCE_TABLES | COORDINATOR_TABLES | set(DISTRIBUTED_WITHOUT_MERCHANT)
    unplaced = {t for t, m in all_tables.items() if not has_merchant(m) and t not in named}
    assert not unplaced, "name each new table's place in Citus (docs/scaling.md)"
    assert not REFERENCE_TABLES & COORDINATOR_TABLES
    assert named <= set(all_tables), "a named table no longer exists"
    assert not {t for t in COORDINATOR_TABLES if has_merchant(all_tables[t])}
    assert {t for t in DISTRIBUTED_WITHOUT_MERCHANT if has_merchant(all_tables[t])} == set()


def test_the_distribution_column_is_in_every_unique_key_of_a_distributed_table():
    violations = {
        (table, name)
        for table, model in distributed_tables().items()
        for name, key_columns in unique_keys(model).items()
        if DISTRIBUTION_COLUMN not in key_columns
    }
    assert violations == set(UNIQUE_WITHOUT_MERCHANT)


def test_the_distribution_column_is_in_the_primary_key_of_a_distributed_table():
    violations = {
        table
        for table, model in distributed_tables().items()
        if DISTRIBUTION_COLUMN not in primary_key_columns(model)
    }
    assert violations == PRIMARY_KEY_WITHOUT_MERCHANT


def test_foreign_keys_between_distributed_tables_can_carry_the_merchant():
    distributed = distributed_tables()
    violations = {
        (table, field.column)
        for table, model in distributed.items()
        for field in foreign_keys(model)
        if field.related_model._meta.db_table in distributed
        and not (has_merchant(model) and has_merchant(field.related_model))
    }
    assert violations == set(FOREIGN_KEY_WITHOUT_MERCHANT)


def test_distributed_tables_point_only_at_distributed_or_reference_tables():
    distributed = distributed_tables()
    wrong = {
        (table, field.column, field.related_model._meta.db_table)
        for table, model in distributed.items()
        for field in foreign_keys(model)
        if field.related_model._meta.db_table not in distributed.keys() | REFERENCE_TABLES
    }
    assert not wrong


def test_reference_and_coordinator_tables_never_point_at_a_distributed_table():
    distributed = distributed_tables()
    all_tables = tables()
    wrong = {
        (table, field.column)
        for table in REFERENCE_TABLES | COORDINATOR_TABLES
        for field in foreign_keys(all_tables[table])
        if field.related_model._meta.db_table in distributed
    }
    assert not wrong


def test_docs_scaling_names_every_reference_and_coordinator_table():
    docs = (Path(settings.BASE_DIR) / "docs" / "scaling.md").read_text()
    assert {t for t in REFERENCE_TABLES | COORDINATOR_TABLES if f"`{t}`" not in docs} == set()
