"""Reading times that Python cannot hold: PostgreSQL stores 4713 BC to 294276 AD, Python's
datetime 1 to 9999 AD. One such value (a shop's "0001-01-01T00:00:00+01:00", stored as 1 BC
before input was checked) made every list, export and sweep that read its row fail.

Out-of-range values are read as the nearest time that can still be converted to any time
zone (a day inside Python's range), the way psycopg2 already reads ±infinity, so that the
row can be seen, listed and corrected.
"""

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
