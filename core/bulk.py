"""Rows written with COPY: what bulk inserts of thousands of rows use (CSV import, scale
data). COPY skips the per-row statement building of `bulk_create`, which dominates an
import's time; the rows are the same (defaults, `auto_now` and all)."""

import io
import json
import operator
import re
import uuid
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone

# What COPY's text format escapes in a value.
_SPECIAL = re.compile(r"[\\\t\n\r]")


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    kind = type(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        text = json.dumps(value)
    elif isinstance(value, datetime):
        return value.isoformat()
    else:
        return str(value)
    if _SPECIAL.search(text) is None:
        return text
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text.replace("\r", "\\r")


class InstanceMaker:
    """New instances of `model` from attribute values (`merchant_id`, not `merchant`), as
    `model(**values)` makes them, for a bulk write of thousands: the values go to Django's
    positional constructor (the one rows read from the database use), which skips the
    per-keyword work. A field left out takes its default (a callable one is called)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        # (attname, default, whether to call it): a constant default is read once, and
        # shared as Django shares it.
        self.slots = [
            (field.attname, field.default, True)
            if _default_is_called(field)
            else (field.attname, field.get_default(), False)
            for field in model._meta.concrete_fields
        ]
        self.attnames = frozenset(attname for attname, _default, _call in self.slots)

    def __call__(self, **values) -> models.Model:
        unknown = values.keys() - self.attnames
        if unknown:
            raise TypeError(f"{self.model.__name__} has no fields {sorted(unknown)}.")
        return self.model(
            *[
                values[attname] if attname in values else default() if call else default
                for attname, default, call in self.slots
            ]
        )


def copy_insert(
    model: type[models.Model], objects: list[models.Model], *, ignore_conflicts: bool = False
) -> None:
    """Insert new model instances as `bulk_create` would, through COPY.

    A duplicate raises IntegrityError like an INSERT (database errors come out as Django's);
    with `ignore_conflicts`, rows that would break a unique constraint are skipped instead:
    COPY cannot skip, so the rows go through a temporary table and one INSERT … ON
    CONFLICT DO NOTHING (always, since row-level security refuses COPY into the table).
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        # The embedded default (SQLite) has no COPY; its databases are small.
        model._base_manager.bulk_create(objects, ignore_conflicts=ignore_conflicts)
        return
    fields = _copied_fields(model)
    columns = [(_reader(field), _writer(field)) for field in fields]
    buffer = io.StringIO()
    for instance in objects:
        buffer.write("\t".join([write(read(instance)) for read, write in columns]) + "\n")
        instance._state.adding = False
        instance._state.db = connection.alias
    _copy_buffer(model, fields, buffer, ignore_conflicts=ignore_conflicts)


def copy_insert_values(
    model: type[models.Model], rows: list[dict], *, ignore_conflicts: bool = False
) -> None:
    """`copy_insert` of rows given as {attname: value}, without model instances: what a
    bulk write of thousands of plain rows uses. A field a row leaves out takes its
    default, as a new instance would (a callable default is called for each row), or
    the moment of the write when it is auto_now or auto_now_add."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        model._base_manager.bulk_create(objects, ignore_conflicts=ignore_conflicts)
        return
    fields = _copied_fields(model)
    missing = object()
    constants = {
        field.attname: field.get_default() for field in fields if not _default_is_called(field)
    }
    # auto_now and auto_now_add: the moment of the write, as save() sets them.
    now = timezone.now()
    constants.update(
        {
            field.attname: now
            for field in fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        }
    )
    columns = [
        (field.attname, _writer(field), constants.get(field.attname, missing), field.default)
        for field in fields
    ]
    buffer = io.StringIO()
    for row in rows:
        values = []
        for attname, write, constant, default in columns:
            value = row.get(attname, missing)
            if value is missing:
                value = default() if constant is missing else constant
            values.append(write(value))
        buffer.write("\t".join(values) + "\n")
    _copy_buffer(model, fields, buffer, ignore_conflicts=ignore_conflicts)


def _text_value(value) -> str:
    if type(value) is not str:
        return copy_text(value)
    return value if _SPECIAL.search(value) is None else copy_text(value)


def _time_value(value) -> str:
    return value.isoformat() if type(value) is datetime else copy_text(value)


def _uuid_value(value) -> str:
    return str(value) if type(value) is uuid.UUID else copy_text(value)


def _writer(field):
    """`copy_text` for the values of `field`, with the usual case of its type first (an
    import writes hundreds of thousands of values)."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.CharField | models.TextField):
        return _text_value
    if isinstance(target, models.DateTimeField):
        return _time_value
    if isinstance(target, models.UUIDField):
        return _uuid_value
    return copy_text


def _default_is_called(field) -> bool:
    """A callable default is called for each new row; any other is one value for all."""
    return field.has_default() and callable(field.default)


def _copied_fields(model) -> list:
    return [field for field in model._meta.local_concrete_fields if not field.db_returning]


def _reader(field):
    """The value COPY writes for `field` of an instance: `pre_save`'s (it fills auto_now and
    auto_now_add as save() does), read directly where the field keeps the default one."""
    plain_time = isinstance(field, models.DateField | models.TimeField) and not (
        field.auto_now or field.auto_now_add
    )
    if plain_time or type(field).pre_save is models.Field.pre_save:
        return operator.attrgetter(field.attname)
    return lambda instance: field.pre_save(instance, True)


def _copy_buffer(model, fields, buffer, *, ignore_conflicts: bool) -> None:
    buffer.seek(0)
    columns = [field.column for field in fields]
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        copy_rows(
            cursor.cursor,
            model._meta.db_table,
            columns,
            buffer,
            ignore_conflicts=ignore_conflicts,
        )


def copy_rows(cursor, table: str, columns: list[str], buffer, *, ignore_conflicts=False) -> None:
    """COPY a buffer of rows (COPY's text format) into `table`, in the caller's transaction
    (or in one of its own).

    PostgreSQL refuses COPY FROM into a table under row-level security: the rows are copied
    into a temporary table, then inserted, so the policy checks each of them against the
    active scope (the INSERT carries it, core.db.ScopedCursor). `cursor` is psycopg2's.
    """
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    incoming = quote(f"incoming_{table}")
    on_conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    # One transaction at least: in autocommit, the temporary table would lose its rows
    # (ON COMMIT DELETE ROWS) between the COPY and the INSERT, and nothing be written.
    with transaction.atomic(savepoint=False):
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} "
            f"(LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING IDENTITY) ON COMMIT DELETE ROWS"
        )
        cursor.copy_expert(f"COPY {incoming} ({names}) FROM STDIN", buffer, size=1 << 20)
        cursor.execute(
            f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {incoming}{on_conflict}"  # noqa: S608
        )
        cursor.execute(f"DELETE FROM {incoming}")  # noqa: S608 — the next call's rows only
