"""CSV import of orders: checked on upload, then read in the background, streaming.

The worker reads the stored file line by line (memory does not grow with the file) and
writes orders in chunks. Each chunk's orders and the job's progress counters are committed in
one transaction, after re-reading and locking the job row and checking that its progress is
still the one this run started from. So a retried or duplicated task resumes at the last
committed row, never writes a chunk twice, and never counts a row twice.
"""

import csv
import time
from dataclasses import dataclass, field

import magic
from celery import signature
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from core.tenancy import organization_scope
from orders import hooks
from orders.csv_format import (
    COLUMNS,
    REQUIRED_COLUMNS,
    body_errors_to_columns,
    normalise_header,
    rows_to_body,
)
from orders.models import ImportStatus, OrderImport
from orders.services.orders import merchant_for_writing, order_upsert_many
from orders.validation import MAX_LINES_PER_ORDER

# A row of 17 fields is a few hundred bytes; anything past this is not an order line, and
# reading it whole would let one line take the worker's memory.
MAX_LINE_BYTES = 64 * 1024
MAX_FILE_BYTES = getattr(settings, "ORDERS_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
SNIFF_BYTES = 64 * 1024
# The stable name of orders.tasks.order_import_run_task: enqueued by name, because the task
# calls these services and a module cycle between the two is what the import contract forbids.
IMPORT_RUN_TASK = "orders.order_import_run"
READ_CHUNK_BYTES = 1024 * 1024
# Orders per transaction: large enough to amortise the commit, small enough that a progress
# bar moves and a retry repeats little.
ORDERS_PER_CHUNK = 500
# The job keeps the first errors; the rest are only counted.
MAX_STORED_ERRORS = 1000
ACCEPTED_MIME_TYPES = ("text/", "application/csv")
UTF8_BOM = b"\xef\xbb\xbf"


class _Superseded(Exception):
    """Another run of the same import committed progress first; this one stops."""


class RedressFormat(hooks.ImportFormat):
    """Redress's own columns (API.md, "CSV import columns"): the format when no other fits."""

    name = "redress"
    key_column = "external_id"
    error_columns: dict[str, str] = {}

    def recognises(self, header: list[str]) -> bool:
        return True

    def header_problem(self, header: list[str]) -> str | None:
        return header_problem(header)

    def converter(self, merchant):
        return rows_to_body


REDRESS_FORMAT = RedressFormat()


def import_format_for(header: list[str]) -> hooks.ImportFormat:
    """The layout of a file by its (normalised) header row: a shop's export, or Redress's."""
    return hooks.import_formats.recognise(header) or REDRESS_FORMAT


def order_import_start(*, actor: Actor, file) -> OrderImport:
    """Check an uploaded CSV, store it privately and queue its import."""
    merchant = merchant_for_writing(actor)
    _check_upload(file)
    order_import = OrderImport(
        merchant=merchant,
        filename=(getattr(file, "name", "") or "orders.csv").rsplit("/", 1)[-1][:255],
        created_by=actor.user,
    )
    # Stored before any transaction opens (storage may be S3), under an unguessable name.
    file.seek(0)
    order_import.file.save(f"{order_import.id}.csv", file, save=False)
    try:
        with transaction.atomic():
            order_import.save(force_insert=True)
            transaction.on_commit(lambda: _enqueue(order_import.pk))
    except Exception:
        order_import.file.delete(save=False)
        raise
    return order_import


def order_import_run(*, order_import: OrderImport, time_budget: float | None = None) -> OrderImport:
    """Import the file from the last committed row on; return the job as it now stands.

    With a `time_budget` (seconds), stop after the first chunk that ends past it and leave the
    job running: the task queues itself again to carry on.
    """
    if order_import.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return order_import
    with organization_scope(order_import.merchant):
        if order_import.total == 0 and order_import.processed == 0:
            total = _count_rows(order_import.file.name)
            if total is None:
                return order_import_fail(
                    order_import=order_import, message=_("The uploaded file cannot be read.")
                )
        else:
            total = order_import.total
        job = _claim(order_import, total)
        if job is None:
            return OrderImport.objects.get(pk=order_import.pk)
        deadline = None if time_budget is None else time.monotonic() + time_budget
        try:
            with default_storage.open(job.file.name, "rb") as binary:
                return _ImportRun(job, binary, deadline).run()
        except _Superseded:
            return OrderImport.objects.get(pk=order_import.pk)
        except OSError:
            return order_import_fail(
                order_import=job, message=_("The uploaded file cannot be read.")
            )


def order_import_fail(*, order_import: OrderImport, message: str) -> OrderImport:
    """Stop an import for good; orders already committed stay."""
    with transaction.atomic():
        job = OrderImport.cross_tenant_objects.select_for_update().get(pk=order_import.pk)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return job
        job.status = ImportStatus.FAILED
        job.finished_at = timezone.now()
        job.errors = [*job.errors, _error(None, None, {"file": [message]})]
        job.error_count += 1
        job.save(update_fields=["status", "finished_at", "errors", "error_count"])
    return job


def _enqueue(import_id) -> None:
    signature(IMPORT_RUN_TASK, args=[str(import_id)]).delay()


def _check_upload(file) -> None:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    if not head:
        raise ValidationFailed(field_errors={"file": [_("The file is empty.")]})
    mime_type = magic.from_buffer(head, mime=True)
    if b"\x00" in head or not mime_type.startswith(ACCEPTED_MIME_TYPES):
        raise UnsupportedMediaType(_("Upload a CSV file (UTF-8 text, comma-separated)."))
    header_end = head.find(b"\n")
    if header_end < 0 and len(head) == SNIFF_BYTES:
        raise ValidationFailed(field_errors={"file": [_("The header row is too long.")]})
    # A multi-byte character may be cut at the end of the sample: judge the whole lines only.
    sample = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1]
    try:
        text = sample.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = sample[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            field_errors={
                "file": [
                    _(
                        "The file is not UTF-8 text (line %(line)d). Save it as “CSV UTF-8” "
                        "and upload it again."
                    )
                    % {"line": line}
                ]
            }
        ) from error
    header = normalise_header(next(csv.reader([text.split("\n", 1)[0]]), []))
    problem = import_format_for(header).header_problem(header)
    if problem:
        raise ValidationFailed(field_errors={"file": [problem]})


def header_problem(names: list[str]) -> str | None:
    missing = [column for column in COLUMNS if column in REQUIRED_COLUMNS and column not in names]
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if missing:
        unknown = [name for name in names if name and name not in COLUMNS]
        message = _("The header row lacks the columns: %(missing)s.") % {
            "missing": ", ".join(missing)
        }
        if unknown:
            message += " " + _("Unknown columns: %(unknown)s.") % {"unknown": ", ".join(unknown)}
        return message
    if duplicated:
        return _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicated)}
    return None


def _count_rows(name: str) -> int | None:
    """Data rows in the file, counted as newlines, for the progress bar (before the read)."""
    lines = 0
    last = b"\n"
    try:
        with default_storage.open(name, "rb") as binary:
            while chunk := binary.read(READ_CHUNK_BYTES):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return None
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _claim(order_import: OrderImport, total: int) -> OrderImport | None:
    with transaction.atomic():
        job = OrderImport.objects.select_for_update().get(pk=order_import.pk)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        if job.status == ImportStatus.QUEUED:
            job.status = ImportStatus.RUNNING
        if not job.total:
            job.total = total
        job.save(update_fields=["status", "total"])
    return job


class _Lines:
    """The file's physical lines as text, at most MAX_LINE_BYTES each.

    An unreadable line (not UTF-8, too long) is still handed to the CSV reader, so that its
    row keeps its place and, when it can be read, its external id; `problems` says why it
    cannot be imported.
    """

    def __init__(self, binary):
        self.binary = binary
        self.number = 0
        self.problems: dict[int, tuple[str, list[str] | None]] = {}

    def __iter__(self):
        while raw := self.binary.readline(MAX_LINE_BYTES + 1):
            self.number += 1
            if self.number == 1:
                raw = raw.removeprefix(UTF8_BOM)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                yield self._too_long(raw)
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.problems[self.number] = (
                    _("This line is not UTF-8 text. Save the file as “CSV UTF-8”."),
                    None,
                )
                yield raw.decode("utf-8", errors="replace")

    def _too_long(self, start: bytes) -> str:
        # The rest of the line is skipped in small reads; only its first cells are kept.
        while (more := self.binary.readline(READ_CHUNK_BYTES)) and not more.endswith(b"\n"):
            pass
        first_cells = next(csv.reader([start.decode("utf-8", errors="replace")]), [])
        self.problems[self.number] = (
            _("This line is longer than %(size)d KB.") % {"size": MAX_LINE_BYTES // 1024},
            first_cells,
        )
        return "\n"

    def problem_between(self, first: int, last: int) -> tuple[str, list[str] | None] | None:
        found = None
        for number in [n for n in self.problems if n <= last]:
            problem = self.problems.pop(number)
            if number >= first and found is None:
                found = problem
        return found


@dataclass
class _Group:
    """The consecutive rows of one order: (line number, values, row errors)."""

    external_id: str
    rows: list[tuple[int, dict, dict]] = field(default_factory=list)
    # Rows of this order were already imported earlier in the file: keep their lines.
    merge: bool = False
    # Rows past MAX_LINES_PER_ORDER are counted, not kept, so one huge order cannot fill memory.
    rows_dropped: int = 0

    def add(self, line: int, values: dict, errors: dict) -> None:
        if len(self.rows) >= MAX_LINES_PER_ORDER:
            self.rows_dropped += 1
        else:
            self.rows.append((line, values, errors))

    @property
    def failed(self) -> bool:
        return bool(self.rows_dropped) or any(errors for _line, _values, errors in self.rows)

    def row_errors(self) -> list[dict]:
        errors = [
            _error(line, self.external_id, row_errors)
            for line, _values, row_errors in self.rows
            if row_errors
        ]
        if self.rows_dropped:
            message = _("An order has at most %(max)d lines.") % {"max": MAX_LINES_PER_ORDER}
            errors.append(_error(self.rows[0][0], self.external_id, {"lines": [message]}))
        return errors


class _ImportRun:
    def __init__(self, job: OrderImport, binary, deadline: float | None):
        self.job = job
        self.merchant = job.merchant
        self.deadline = deadline
        self.lines = _Lines(binary)
        self.reader = csv.reader(self.lines)
        self.rows_read = 0
        self.open_group: _Group | None = None
        self.open_group_start = 0  # data rows before the open group's first row
        self.pending: list[_Group] = []
        self.pending_by_id: dict[str, _Group] = {}
        self.pending_errors: list[dict] = []
        # External ids already seen in this file, so that a later, non-consecutive row of
        # an order adds to it instead of replacing its lines. Grows with the number of orders
        # (tens of bytes each), not with the file.
        self.seen: set[str] = set()

    def run(self) -> OrderImport:
        previous_limit = csv.field_size_limit(MAX_LINE_BYTES)
        try:
            header = self._header()
            if header is None:
                return order_import_fail(
                    order_import=self.job, message=_("The header row cannot be read.")
                )
            self.header = header
            self.to_body = self.format.converter(self.merchant)
            for line, cells, problem in self._records():
                self.rows_read += 1
                if self.rows_read <= self.job.processed:
                    self._replay(cells)
                    continue
                self._take(line, cells, problem)
                if len(self.pending) + len(self.pending_errors) >= ORDERS_PER_CHUNK:
                    # The open order may go on in the next rows: the checkpoint stops before it.
                    checkpoint = self.open_group_start if self.open_group else self.rows_read
                    self._flush(checkpoint=checkpoint)
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        return self.job
            self._close_open_group()
            self._flush(checkpoint=self.rows_read, finished=True)
            return self.job
        finally:
            csv.field_size_limit(previous_limit)

    def _header(self) -> list[str] | None:
        try:
            names = normalise_header(next(self.reader))
        except (StopIteration, csv.Error):
            return None
        self.format = import_format_for(names)
        if self.lines.problems or self.format.header_problem(names):
            return None
        return names

    def _records(self):
        """(first line number, cells, problem or None) for each CSV record after the header."""
        last_line = self.reader.line_num
        while True:
            try:
                cells = next(self.reader)
                problem = None
            except StopIteration:
                return
            except csv.Error as error:
                cells, problem = [], str(error)
            first_line, last_line = last_line + 1, self.reader.line_num
            found = self.lines.problem_between(first_line, last_line)
            if found is not None:
                problem, partial_cells = found
                cells = partial_cells if partial_cells is not None else cells
            yield first_line, cells, problem

    def _values(self, cells: list[str]) -> dict[str, str]:
        return {name: cells[i] if i < len(cells) else "" for i, name in enumerate(self.header)}

    def _replay(self, cells: list[str]) -> None:
        # Rows committed by an earlier run: only remember which orders they belonged to.
        external_id = self._values(cells).get(self.format.key_column, "").strip()
        if external_id:
            self.seen.add(external_id)

    def _take(self, line: int, cells: list[str], problem: str | None) -> None:
        if not problem and not any(cell.strip() for cell in cells):
            return  # a blank line
        values = self._values(cells)
        errors: dict[str, list[str]] = {}
        if problem:
            errors["non_field_errors"] = [problem]
        elif len(cells) != len(self.header):
            errors["non_field_errors"] = [
                _("This row has %(found)d cells; the header has %(expected)d.")
                % {"found": len(cells), "expected": len(self.header)}
            ]
        external_id = values.get(self.format.key_column, "").strip()
        if not external_id:
            if not problem:
                errors.setdefault(self._column("external_id"), []).append(
                    _("This field is required.")
                )
            # A row of no known order ends the open one, so that it stays before the checkpoint.
            self._close_open_group()
            self.pending_errors.append(_error(line, None, errors))
            return
        if self.open_group is not None and self.open_group.external_id == external_id:
            self.open_group.add(line, values, errors)
            return
        self._close_open_group()
        self.open_group = _Group(external_id=external_id, rows=[(line, values, errors)])
        self.open_group_start = self.rows_read - 1

    def _close_open_group(self) -> None:
        group, self.open_group = self.open_group, None
        if group is None:
            return
        same = self.pending_by_id.get(group.external_id)
        if same is not None:
            for row in group.rows:
                same.add(*row)
            same.rows_dropped += group.rows_dropped
            return
        group.merge = group.external_id in self.seen
        self.seen.add(group.external_id)
        self.pending.append(group)
        self.pending_by_id[group.external_id] = group

    def _flush(self, *, checkpoint: int, finished: bool = False) -> None:
        bodies, merge, errors = {}, set(), list(self.pending_errors)
        for index, group in enumerate(self.pending):
            if group.failed:
                errors.extend(group.row_errors())
                continue
            try:
                bodies[index] = self.to_body([values for _line, values, _errors in group.rows])
            except ValidationFailed as error:
                errors.extend(self._body_errors(group, error.field_errors))
                continue
            if group.merge:
                merge.add(index)
        with transaction.atomic():
            job = OrderImport.objects.select_for_update().get(pk=self.job.pk)
            if job.processed != self.job.processed or job.status != ImportStatus.RUNNING:
                raise _Superseded
            result = order_upsert_many(
                merchant=self.merchant, bodies=bodies, merge_lines=frozenset(merge)
            )
            for item in result.errors:
                errors.extend(self._body_errors(self.pending[item["index"]], item["errors"]))
            errors.sort(key=lambda error: error["line"])
            job.processed = checkpoint
            job.created += result.created
            job.updated += result.updated
            job.error_count += len(errors)
            room = max(MAX_STORED_ERRORS - len(job.errors), 0)
            job.errors = [*job.errors, *errors[:room]]
            fields = ["processed", "created", "updated", "error_count", "errors"]
            if finished:
                job.status = ImportStatus.DONE
                job.total = checkpoint
                job.finished_at = timezone.now()
                fields += ["status", "total", "finished_at"]
            job.save(update_fields=fields)
        self.job = job
        self.pending, self.pending_by_id, self.pending_errors = [], {}, []

    def _column(self, name: str) -> str:
        """The file's title for a Redress field, so that errors name the file's columns."""
        return self.format.error_columns.get(name, name)

    def _body_errors(self, group: _Group, field_errors: dict) -> list[dict]:
        return [
            _error(
                group.rows[position][0],
                group.external_id,
                {self._column(column): messages for column, messages in columns.items()},
            )
            for position, columns in body_errors_to_columns(field_errors, len(group.rows))
        ]


def _error(line: int | None, external_id: str | None, errors: dict) -> dict:
    return {"line": line, "external_id": external_id, "errors": errors}
