"""Create the two PostgreSQL roles the tests (and a deployment) use, idempotently.

- the owner (DATABASE_OWNER_URL's user): owns the tables and runs the migrations; for the
  tests it may also create databases;
- the application (DATABASE_URL's user): what the web, worker and beat processes connect
  as; not superuser, not owner, no BYPASSRLS, so row-level security applies to it.

Run as a superuser (DATABASE_ADMIN_URL, default postgres on 127.0.0.1). Test databases
left by an earlier run under another owner are dropped, so the owner can recreate them.
"""

import os
import sys
from urllib.parse import unquote, urlparse

import psycopg2
from psycopg2 import sql


def _login(url: str) -> tuple[str, str | None]:
    parsed = urlparse(url)
    return unquote(parsed.username or "postgres"), unquote(parsed.password or "") or None


def _ensure_role(cursor, name: str, password: str | None, attributes: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    cursor.execute(statement)


def main() -> int:
    admin = urlparse(os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/"))
    owner, owner_password = _login(os.environ["DATABASE_OWNER_URL"])
    application, application_password = _login(os.environ["DATABASE_URL"])
    if application == owner:
        print("DATABASE_URL must not connect as the tables' owner.", file=sys.stderr)
        return 1
    connection = psycopg2.connect(
        host=admin.hostname,
        port=admin.port or 5432,
        user=unquote(admin.username or "postgres"),
        password=unquote(admin.password or "") or None,
        dbname="postgres",
        connect_timeout=3,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        _ensure_role(cursor, owner, owner_password, "LOGIN CREATEDB NOSUPERUSER")
        _ensure_role(
            cursor,
            application,
            application_password,
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        )
        test_database = os.environ.get("TEST_DATABASE_NAME", "test_redress")
        cursor.execute(
            "SELECT datname FROM pg_database JOIN pg_roles ON pg_roles.oid = datdba "
            "WHERE (datname = %s OR datname LIKE %s) AND rolname <> %s",
            [test_database, test_database.replace("_", r"\_") + r"\_gw%", owner],
        )
        for (stale,) in cursor.fetchall():
            cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(stale)))
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
