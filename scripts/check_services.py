"""Fail early, and say what to do, when the test database or broker is not reachable."""

import os
import sys
from urllib.parse import urlparse

import psycopg2
import redis

HELP = """
The tests need PostgreSQL (15 or newer) and Redis. On Debian:

    apt-get install postgresql redis-server
    pg_ctlcluster $(ls /etc/postgresql) main start
    redis-server --daemonize yes --port 6379 --save "" --appendonly no
    su postgres -c "psql -c \\"ALTER USER postgres PASSWORD NULL\\""  # or set DATABASE_URL

Or point DATABASE_ADMIN_URL (postgres://superuser:password@host:port/), DATABASE_URL
and DATABASE_OWNER_URL (the two roles it creates; README, "Deployment") and REDIS_URL
(redis://host:port/db) at servers you already run.
"""


def main() -> int:
    # The superuser that creates the two roles (scripts/database_roles.py) must get in.
    database_url = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/")
    redis_url = os.environ["REDIS_URL"]
    problems = []
    try:
        target = urlparse(database_url)
        psycopg2.connect(
            host=target.hostname,
            port=target.port or 5432,
            user=target.username or "postgres",
            password=target.password or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.Error as error:
        problems.append(f"PostgreSQL at {database_url}: {str(error).strip()}")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {redis_url}: {error}")
    if problems:
        print("Cannot run the tests:\n  " + "\n  ".join(problems), file=sys.stderr)
        print(HELP, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
