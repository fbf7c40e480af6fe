"""Row-level security: the database's own tenancy wall behind the ORM's tenant managers.

Every table of a tenant-owned model (one whose managers include TenantScopedManager) gets

- `ENABLE` and `FORCE ROW LEVEL SECURITY`;
- the policy `tenant_wall`: a statement sees and writes only rows of the organization its
  transaction names (`redress.organization`, set by core.db.ScopedCursor from the tenant
  scope): the merchant owning the row, or the supplier or organization the row is
  addressed to (and what a model adds in `row_security_also`); every row under the
  audited system context (`redress.system`, core.tenancy.cross_tenant_scope); nothing
  without a scope;
- the policy `migrations`: the role that runs the migrations (the tables' owner) sees
  every row, so that data migrations work; the application connects as another role.

The policies are (re)applied after every `migrate` (post_migrate), from the list of
tenant models, so a new tenant table is covered by the migration run that creates it;
tests/test_row_level_security.py fails when a tenant table has no policy.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections

from core.db import ORGANIZATION_SETTING, SYSTEM_SETTING
from core.tenancy import TenantScopedManager

POLICY = "tenant_wall"
OWNER_POLICY = "migrations"
# The columns that name the organization a row belongs or is addressed to.
ORGANIZATION_COLUMNS = ("merchant_id", "supplier_id", "organization_id")
SCOPE_ORGANIZATION = f"NULLIF(current_setting('{ORGANIZATION_SETTING}', true), '')::uuid"
SCOPE_IS_SYSTEM = f"current_setting('{SYSTEM_SETTING}', true) = 'on'"


def tenant_models() -> list:
    """One concrete model per tenant table (proxies share their table)."""
    found = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        if any(isinstance(manager, TenantScopedManager) for manager in model._meta.managers):
            found.setdefault(model._meta.db_table, model)
    return [found[table] for table in sorted(found)]


def policy_condition(model) -> str:
    columns = {field.column for field in model._meta.concrete_fields}
    terms = [SCOPE_IS_SYSTEM]
    terms += [
        f"{column} = {SCOPE_ORGANIZATION}" for column in ORGANIZATION_COLUMNS if column in columns
    ]
    also = getattr(model, "row_security_also", "")
    if also:
        terms.append(also.format(organization=SCOPE_ORGANIZATION, table=model._meta.db_table))
    return " OR ".join(f"({term})" for term in terms)


def policy_statements(model) -> list[str]:
    table = model._meta.db_table
    condition = policy_condition(model)
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({condition}) WITH CHECK ({condition})',
        f'DROP POLICY IF EXISTS {OWNER_POLICY} ON "{table}"',
        f'CREATE POLICY {OWNER_POLICY} ON "{table}" TO CURRENT_USER USING (true) WITH CHECK (true)',
    ]


def grant_statements(app_role: str) -> list[str]:
    role = f'"{app_role}"'
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def apply_row_security(*, using: str = "default", **kwargs) -> None:
    """post_migrate receiver: policies on every tenant table, rights for the app's role.

    A no-op on SQLite (the embedded default has one user and no row-level security).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Only the tables' owner may set policies; `flush` (a transactional test's clean-up,
        # as the application's role) also sends post_migrate.
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace AND pg_has_role(current_user, relowner, 'USAGE')"
        )
        owned = {row[0] for row in cursor.fetchall()}
        for model in tenant_models():
            if model._meta.db_table in owned:
                for statement in policy_statements(model):
                    cursor.execute(statement)
        app_role = settings.DATABASE_APP_ROLE
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
        if app_role and cursor.fetchone() and app_role != connection.settings_dict["USER"]:
            for statement in grant_statements(app_role):
                cursor.execute(statement)
