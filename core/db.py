"""Reading times that Python cannot hold: PostgreSQL stores 4713 BC to 294276 AD, Python's
datetime 1 to 9999 AD. One such value (a shop's "0001-01-01T00:00:00+01:00", stored as 1 BC
before input was checked) made every list, export and sweep that read its row fail.

Out-of-range values are read as the nearest time that can still be converted to any time
zone (a day inside Python's range), the way psycopg2 already reads ±infinity, so that the
row can be seen, listed and corrected.

Also the cursor that carries the tenant scope to PostgreSQL's row-level security.
"""

import re
import uuid
from datetime import UTC, datetime

import psycopg2.extensions

EARLIEST_READABLE = datetime(1, 1, 2, tzinfo=UTC)
LATEST_READABLE = datetime(9999, 12, 30, tzinfo=UTC)


def _safe_reader(base, earliest, latest):
    def read(value, cursor):
        if value is None:
            return None
        try:
            result = base(value, cursor)
        except ValueError:
            # e.g. "0001-12-31 23:00:00+00 BC" or "20000-01-01 00:00:00+00"
            return earliest if value.endswith("BC") else latest
        return min(max(result, earliest), latest)

    return psycopg2.extensions.new_type(base.values, f"SAFE_{base.name}", read)


def register_safe_time_readers() -> None:
    """Time zone aware times, and the naive times and dates that truncations return."""
    naive_earliest = EARLIEST_READABLE.replace(tzinfo=None)
    naive_latest = LATEST_READABLE.replace(tzinfo=None)
    for reader in (
        _safe_reader(psycopg2.extensions.PYDATETIMETZ, EARLIEST_READABLE, LATEST_READABLE),
        _safe_reader(psycopg2.extensions.PYDATETIME, naive_earliest, naive_latest),
        _safe_reader(psycopg2.extensions.PYDATE, naive_earliest.date(), naive_latest.date()),
    ):
        psycopg2.extensions.register_type(reader)


# Statements that read or write rows; others (SET, SAVEPOINT, DDL, CREATE DATABASE…) run
# as they are, some of them cannot share a transaction with another statement.
_ROW_STATEMENT = re.compile(
    rb"\s*(?:\(\s*)*(?:SELECT|INSERT|UPDATE|DELETE|WITH|VALUES|TABLE|EXPLAIN)\b", re.IGNORECASE
)


def scope_statement(scope) -> str:
    """The statement that tells row-level security (core.rls) the scope, for one transaction.

    `set_config(…, true)` is `SET LOCAL`: it ends with the transaction, so a pooled
    connection (a pooler in transaction mode included) carries nothing to its next user.
    """
    organization, system = "", ""
    if scope is not None:
        if scope.is_cross_tenant:
            system = "on"
        else:
            # A UUID's canonical text: nothing else can reach the SQL.
            organization = str(uuid.UUID(str(scope.organization.pk)))
    return (
        f"SELECT set_config('{ORGANIZATION_SETTING}', '{organization}', true), "
        f"set_config('{SYSTEM_SETTING}', '{system}', true); "
    )


ORGANIZATION_SETTING = "redress.organization"
SYSTEM_SETTING = "redress.system"
_SCOPE_PREFIX = re.compile(
    rb"^SELECT set_config\('redress\.organization', '[^']*', true\), "
    rb"set_config\('redress\.system', '[^']*', true\); "
)


class ScopedCursor(psycopg2.extensions.cursor):
    """Sends the active tenant scope in front of every statement that touches rows.

    Prefixed in the same query string, the setting and the statement run in one
    transaction even in autocommit (PostgreSQL runs a multi-statement simple query as one),
    and psycopg2 returns the last statement's results.
    """

    def _scoped(self, query):
        encoded = query.encode() if isinstance(query, str) else query
        if not _ROW_STATEMENT.match(encoded):
            return query
        from core.tenancy import database_scope

        prefix = scope_statement(database_scope())
        if self.name is None:
            return prefix + query if isinstance(query, str) else prefix.encode() + query
        # A server-side cursor's DECLARE takes one statement: set the scope beside it, in the
        # same transaction (a holdable cursor in autocommit would run without it).
        if self.connection.autocommit:
            raise RuntimeError(
                "A server-side cursor (QuerySet.iterator) under row-level security needs a "
                "transaction: wrap its iteration in transaction.atomic()."
            )
        with psycopg2.extensions.cursor(self.connection) as sibling:
            sibling.execute(prefix)
        return query

    @property
    def query(self):
        # What ran, as Django's query log and tests read it: without the scope's prefix.
        sent = psycopg2.extensions.cursor.query.__get__(self)
        return _SCOPE_PREFIX.sub(b"", sent, count=1) if sent else sent

    def execute(self, query, vars=None):
        return super().execute(self._scoped(query), vars)

    def executemany(self, query, vars_list):
        return super().executemany(self._scoped(query), vars_list)


def install_scoped_cursor(sender, connection, **kwargs) -> None:
    """connection_created receiver: every PostgreSQL connection's cursors carry the scope."""
    if connection.vendor == "postgresql":
        connection.connection.cursor_factory = ScopedCursor
