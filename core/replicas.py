"""Reads on a Postgres streaming replica, when one is configured (`DATABASE_REPLICA_URL`).

Only what is marked goes there: the read-only selectors of lists, insights and exports,
either as a queryset (`on_replica(queryset)`, evaluated later by the view) or as a block
that reads eagerly (`with replica_reads():`). Everything else, and every write, stays on
the primary (`ReplicaRouter`).

A replica lags its primary by a little (milliseconds, seconds under load), so the replica
is read only by requests that read (GET, HEAD, OPTIONS; `ReplicaPinningMiddleware` allows
it), and whoever just wrote reads from the primary (read-your-writes):
- a request that writes (POST, PUT, PATCH, DELETE), and any other from its first write on
  (the middleware watches the statements sent to the primary), and inside any transaction;
- across requests, for `DATABASE_REPLICA_PRIMARY_SECONDS` after a request that wrote, for
  the same client: the same session cookie or API token (a digest of it is the cache key;
  the cache is shared by the web processes).
Tasks and commands read from the primary.

A replica that falls behind by more than `DATABASE_REPLICA_MAX_LAG_SECONDS`, or cannot be
reached, is left alone (checked at most every `LAG_CHECK_SECONDS` per process) until it
catches up: a stuck replica degrades to "everything on the primary", never to stale pages.

Without a replica every function here answers the primary, and nothing else changes.
"""

import functools
import hashlib
import logging
import re
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
READ_ON_REPLICA = "read_on_replica"  # a router hint carried by the queryset
WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY")
# Writes no client reads back through a replica-read selector: a token's last use (written
# on its first call and once a minute), sessions (always read from the primary).
BOOKKEEPING_TABLES = frozenset({"accounts_apitoken", "django_session"})
_WRITTEN_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)

_replica_block: ContextVar[bool] = ContextVar("replica_block", default=False)
# Set by the middleware for a reading request; off everywhere else (tasks, commands).
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """Where a read-only selector reads now: the replica, unless this client just wrote."""
    if not replica_configured() or not _replica_allowed.get():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # a read inside a transaction must see the transaction
    return REPLICA if replica_is_current() else DEFAULT_DB_ALIAS


LAG_CHECK_SECONDS = 2.0
# Caught up with all it received: no lag, however old its last transaction (an idle primary).
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)
_lag_checked = {"at": float("-inf"), "current": False}
_lag_lock = threading.Lock()


def replica_is_current() -> bool:
    """The replica's lag is within budget (asked at most every LAG_CHECK_SECONDS)."""
    now = time.monotonic()
    if now - _lag_checked["at"] < LAG_CHECK_SECONDS:
        return _lag_checked["current"]
    with _lag_lock:
        if now - _lag_checked["at"] >= LAG_CHECK_SECONDS:
            _lag_checked.update(at=now, current=_lag_within_budget())
    return _lag_checked["current"]


def forget_lag() -> None:
    """The next read asks the replica again (tests, and after changing the budget)."""
    _lag_checked["at"] = float("-inf")


def _lag_within_budget() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("The database replica cannot be reached; reading from the primary.")
        connections[REPLICA].close()
        return False
    if lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        logger.warning("The database replica is %.1f s behind; reading from the primary.", lag)
        return False
    return True


def on_replica(queryset):
    """The queryset, read from `read_alias()` when the view evaluates it.

    A router hint, not `.using()`: the choice is made when the query runs (after any write
    of the request), and the queryset still composes into other queries as a subquery.
    """
    chosen = queryset.all()
    chosen._hints = {**chosen._hints, READ_ON_REPLICA: True}
    return chosen


@contextmanager
def replica_reads():
    """Reads in the block (of models, by the ORM) go to `read_alias()`."""
    token = _replica_block.set(True)
    try:
        yield
    finally:
        _replica_block.reset(token)


def reads_on_replica(function):
    """A selector that reads eagerly (insights, exports) reads in a `replica_reads()` block."""

    @functools.wraps(function)
    def reading(*args, **kwargs):
        with replica_reads():
            return function(*args, **kwargs)

    return reading


def pin_to_primary() -> None:
    """The rest of this request reads from the primary."""
    _replica_allowed.set(False)


class ReplicaRouter:
    """Writes and migrations on the primary; reads in a `replica_reads()` block on the
    replica; other reads where their instance came from (the primary by default)."""

    def db_for_read(self, model, **hints):
        if _replica_block.get() or hints.get(READ_ON_REPLICA):
            return read_alias()
        return None

    def db_for_write(self, model, **hints):
        # Also for an instance read from the replica: it is saved to the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's very rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _is_write(sql: str) -> bool:
    statement = sql.lstrip().upper()
    if statement.startswith(WRITE_STATEMENTS):
        table = _WRITTEN_TABLE.match(sql)
        return table is None or table.group(1) not in BOOKKEEPING_TABLES
    # A locking read is the first step of a write.
    return " FOR UPDATE" in statement


def _client_key(request) -> str | None:
    """A digest of the request's credentials: its API token, else its session cookie."""
    credential = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(
        settings.SESSION_COOKIE_NAME
    )
    if not credential:
        return None
    return "replica-primary:" + hashlib.sha256(credential.encode()).hexdigest()[:32]


class ReplicaPinningMiddleware:
    """Lets a reading request read from the replica, unless its client wrote recently; pins
    it to the primary from its own first write on, and then its client for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        key = _client_key(request)
        reading = request.method in SAFE_METHODS
        token = _replica_allowed.set(reading and not (key and cache.get(key)))
        wrote = [] if reading else [True]

        def watch(execute, sql, params, many, context):
            if not wrote and _is_write(sql):
                wrote.append(True)
                pin_to_primary()
            return execute(sql, params, many, context)

        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        # The credentials may be new (a login): the answer's session cookie counts too.
        if wrote:
            for client in {key, _response_client_key(response)} - {None}:
                cache.set(client, True, settings.DATABASE_REPLICA_PRIMARY_SECONDS)
        return response


def _response_client_key(response) -> str | None:
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return None
    return "replica-primary:" + hashlib.sha256(cookie.value.encode()).hexdigest()[:32]
