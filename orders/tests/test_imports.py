import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from core.errors import PayloadTooLarge, PermissionDenied, UnsupportedMediaType, ValidationFailed
from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import ImportStatus, Order, OrderImport, OrderLine
from orders.services import imports as import_module
from orders.tests.factories import csv_bytes, csv_row


def upload(data: bytes, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run_import(actor, data: bytes, **run_options) -> OrderImport:
    job = services.order_import_start(actor=actor, file=upload(data))
    return services.order_import_run(order_import=job, **run_options)


def stored_orders() -> dict[str, list[str]]:
    with cross_tenant_scope(reason="test"):
        lines = OrderLine.objects.select_related("order").order_by("order__external_id", "sku")
        result: dict[str, list[str]] = {}
        for line in lines:
            result.setdefault(line.order.external_id, []).append(line.sku)
        return result


def test_rows_of_one_order_form_one_order(world, actor_for):
    rows = [
        csv_row("#1"),
        csv_row("#1", sku="STOVE", supplier="yiwu-goods", unit_price="25.00", quantity="2"),
        csv_row("#2"),
        csv_row("#3", ship_country="GB"),
    ]
    job = run_import(actor_for("acme_agent"), csv_bytes(rows, bom=True))
    assert job.status == ImportStatus.DONE
    assert (job.total, job.processed, job.created, job.updated) == (4, 4, 3, 0)
    assert job.errors == []
    assert job.finished_at is not None
    assert stored_orders() == {"#1": ["STOVE", "TENT-2P"], "#2": ["TENT-2P"], "#3": ["TENT-2P"]}
    with cross_tenant_scope(reason="test"):
        first = Order.objects.get(external_id="#1")
        assert str(first.total) == "129.90"
        assert Order.objects.get(external_id="#3").is_international


def test_bad_rows_are_reported_by_line_and_their_whole_order_is_skipped(world, actor_for):
    rows = [
        csv_row("#1"),  # line 2
        csv_row("#2"),  # line 3
        csv_row("#2", sku="B", quantity="-1"),  # line 4: sinks order #2
        csv_row("#3", supplier="nobody"),  # line 5
        csv_row("", sku="orphan"),  # line 6
        csv_row("#4", placed_at="2999-01-01T00:00:00Z", currency="EURO"),  # line 7
        csv_row("#5"),  # line 8
    ]
    job = run_import(actor_for("acme_owner"), csv_bytes(rows))
    assert job.status == ImportStatus.DONE
    assert (job.processed, job.created, job.error_count) == (7, 2, 4)
    by_line = {error["line"]: error for error in job.errors}
    assert sorted(by_line) == [4, 5, 6, 7]
    assert by_line[4]["external_id"] == "#2"
    assert by_line[4]["errors"] == {"quantity": ["The quantity must be at least 1."]}
    assert "supplier" in by_line[5]["errors"]
    assert "external_id" in by_line[6]["errors"]
    assert {"placed_at", "currency"} <= set(by_line[7]["errors"])
    assert sorted(stored_orders()) == ["#1", "#5"]


def test_rows_of_an_order_that_are_not_consecutive_still_form_one_order(world, actor_for):
    rows = [csv_row("#1"), csv_row("#2"), csv_row("#1", sku="STOVE", supplier="yiwu-goods")]
    job = run_import(actor_for("acme_owner"), csv_bytes(rows))
    assert job.created == 2
    assert stored_orders()["#1"] == ["STOVE", "TENT-2P"]


def test_a_later_chunk_adds_to_an_order_of_an_earlier_chunk(world, actor_for, monkeypatch):
    monkeypatch.setattr(import_module, "ORDERS_PER_CHUNK", 2)
    rows = [
        csv_row("#1"),
        csv_row("#2"),
        csv_row("#3"),
        csv_row("#4"),
        csv_row("#1", sku="STOVE", supplier="yiwu-goods"),
    ]
    job = run_import(actor_for("acme_owner"), csv_bytes(rows))
    assert (job.created, job.updated) == (4, 1)
    assert stored_orders()["#1"] == ["STOVE", "TENT-2P"]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["id", "date", "sku"], "lacks the columns: external_id, placed_at"),
        (["external_id", "placed_at"], "lacks the columns: currency"),
    ],
)
def test_wrong_headers_are_refused_at_upload(world, actor_for, columns, message):
    with pytest.raises(ValidationFailed) as caught:
        services.order_import_start(
            actor=actor_for("acme_owner"), file=upload(csv_bytes([], columns=columns))
        )
    assert message in caught.value.field_errors["file"][0]


def test_duplicated_columns_are_refused(world, actor_for):
    from orders.csv_format import COLUMNS

    with pytest.raises(ValidationFailed, match="Invalid input"):
        services.order_import_start(
            actor=actor_for("acme_owner"), file=upload(csv_bytes([], columns=[*COLUMNS, "sku"]))
        )


def test_a_latin_1_file_is_refused_at_upload_with_the_line(world, actor_for):
    data = csv_bytes([csv_row("#1", customer_name="José Müller")]).decode().encode("latin-1")
    with pytest.raises(ValidationFailed) as caught:
        services.order_import_start(actor=actor_for("acme_owner"), file=upload(data))
    assert "not UTF-8 text (line 2)" in caught.value.field_errors["file"][0]


def test_bad_encoding_further_down_is_a_row_error(world, actor_for):
    rows = [csv_row(f"#{n}") for n in range(400)]  # well past the 64 KB checked at upload
    data = csv_bytes(rows) + b"#late," + "José".encode("latin-1") + b"\r\n"
    data += csv_bytes([csv_row("#last")]).split(b"\r\n", 1)[1]
    job = run_import(actor_for("acme_owner"), data)
    assert job.status == ImportStatus.DONE
    assert job.created == 401
    assert [error["line"] for error in job.errors] == [402]
    assert "not UTF-8" in job.errors[0]["errors"]["non_field_errors"][0]


def test_a_10_mb_line_is_a_row_error_and_the_rest_is_imported(world, actor_for):
    huge = csv_row("#huge", title="x" * (10 * 1024 * 1024))
    job = run_import(actor_for("acme_owner"), csv_bytes([csv_row("#1"), huge, csv_row("#2")]))
    assert job.status == ImportStatus.DONE
    assert job.created == 2
    assert job.errors[0]["line"] == 3
    assert job.errors[0]["external_id"] == "#huge"
    assert "longer than 64 KB" in job.errors[0]["errors"]["non_field_errors"][0]


def test_a_row_with_missing_cells_is_an_error(world, actor_for):
    data = csv_bytes([csv_row("#1")]) + b"#2,2025-01-01T00:00:00Z\r\n"
    job = run_import(actor_for("acme_owner"), data)
    assert job.created == 1
    assert "has 2 cells" in job.errors[0]["errors"]["non_field_errors"][0]


def test_binary_files_are_415(world, actor_for):
    with pytest.raises(UnsupportedMediaType):
        services.order_import_start(
            actor=actor_for("acme_owner"), file=upload(b"PK\x03\x04" + bytes(200), "orders.xlsx")
        )


def test_empty_file_is_400(world, actor_for):
    with pytest.raises(ValidationFailed):
        services.order_import_start(actor=actor_for("acme_owner"), file=upload(b""))


def test_too_large_files_are_413(world, actor_for, monkeypatch):
    monkeypatch.setattr(import_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(PayloadTooLarge):
        services.order_import_start(
            actor=actor_for("acme_owner"), file=upload(csv_bytes([csv_row()]))
        )


def test_viewers_and_suppliers_cannot_import(world, actor_for):
    for caller in ["acme_viewer", "shenzhen_admin"]:
        with pytest.raises(PermissionDenied):
            services.order_import_start(actor=actor_for(caller), file=upload(csv_bytes([])))


def test_the_file_is_stored_privately_under_an_unguessable_name(world, actor_for, settings):
    job = services.order_import_start(
        actor=actor_for("acme_owner"), file=upload(csv_bytes([csv_row()]), "../../etc/x.csv")
    )
    assert job.filename == "x.csv"
    assert job.file.name.endswith(f"{job.id}.csv")
    assert ".." not in job.file.name


# Retries: a chunk's orders and the progress counters commit together.


def test_a_crash_mid_import_resumes_without_losing_or_doubling_rows(world, actor_for, monkeypatch):
    monkeypatch.setattr(import_module, "ORDERS_PER_CHUNK", 2)
    rows = [csv_row(f"#{n}") for n in range(7)]
    rows.insert(3, csv_row("#2", sku="STOVE", supplier="yiwu-goods"))  # order #2 has 2 rows
    job = services.order_import_start(actor=actor_for("acme_owner"), file=upload(csv_bytes(rows)))
    real_upsert = import_module.order_upsert_many
    calls = {"count": 0}

    def flaky_upsert(**kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise OperationalError("the database went away")
        return real_upsert(**kwargs)

    monkeypatch.setattr(import_module, "order_upsert_many", flaky_upsert)
    with pytest.raises(OperationalError):
        services.order_import_run(order_import=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    assert (job.processed, job.created) == (2, 2)

    job = services.order_import_run(order_import=job)
    assert job.status == ImportStatus.DONE
    assert (job.total, job.processed, job.created, job.updated) == (8, 8, 7, 0)
    assert stored_orders()["#2"] == ["STOVE", "TENT-2P"]
    # A duplicate delivery of the finished task changes nothing.
    assert services.order_import_run(order_import=job).created == 7


def test_a_run_that_lost_the_race_writes_nothing(world, actor_for, monkeypatch):
    monkeypatch.setattr(import_module, "ORDERS_PER_CHUNK", 1)
    job = services.order_import_start(
        actor=actor_for("acme_owner"), file=upload(csv_bytes([csv_row("#1"), csv_row("#2")]))
    )
    real_upsert = import_module.order_upsert_many

    def other_worker_commits_first(**kwargs):
        raise AssertionError("the losing run must not write")

    real_claim = import_module._claim

    def claim_then_other_worker_progresses(order_import, total):
        claimed = real_claim(order_import, total)
        OrderImport.cross_tenant_objects.filter(pk=order_import.pk).update(processed=1)
        return claimed

    monkeypatch.setattr(import_module, "_claim", claim_then_other_worker_progresses)
    monkeypatch.setattr(import_module, "order_upsert_many", other_worker_commits_first)
    result = services.order_import_run(order_import=job)
    assert result.processed == 1
    assert result.created == 0
    monkeypatch.setattr(import_module, "order_upsert_many", real_upsert)


def test_a_time_budget_splits_the_work_over_runs(world, actor_for, monkeypatch):
    monkeypatch.setattr(import_module, "ORDERS_PER_CHUNK", 2)
    rows = [csv_row(f"#{n}") for n in range(5)]
    job = services.order_import_start(actor=actor_for("acme_owner"), file=upload(csv_bytes(rows)))
    job = services.order_import_run(order_import=job, time_budget=0)
    assert (job.status, job.processed) == (ImportStatus.RUNNING, 2)
    job = services.order_import_run(order_import=job, time_budget=0)
    assert (job.status, job.processed) == (ImportStatus.RUNNING, 4)
    job = services.order_import_run(order_import=job)
    assert (job.status, job.processed, job.created) == (ImportStatus.DONE, 5, 5)


def test_a_vanished_file_fails_the_import_with_a_message(world, actor_for):
    job = services.order_import_start(
        actor=actor_for("acme_owner"), file=upload(csv_bytes([csv_row()]))
    )
    job.file.storage.delete(job.file.name)
    job = services.order_import_run(order_import=job)
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["errors"]["file"] == ["The uploaded file cannot be read."]


# API


def post_file(client, data: bytes, name="orders.csv"):
    return client.post("/api/v1/orders/import/", {"file": upload(data, name)}, format="multipart")


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent"])
def test_merchant_writers_upload_and_get_202_with_the_job(
    world, caller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(world.client(caller), csv_bytes([csv_row()]))
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    assert response["Location"] == f"/api/v1/imports/{response.json()['id']}/"
    assert len(callbacks) == 1  # the task is queued once the job row is committed


@pytest.mark.parametrize(
    ("caller", "status"), [(None, 401), ("acme_viewer", 403), ("shenzhen_admin", 403)]
)
def test_others_cannot_upload(world, caller, status):
    assert post_file(world.client(caller), csv_bytes([csv_row()])).status_code == status
    with cross_tenant_scope(reason="test"):
        assert OrderImport.objects.count() == 0


def test_upload_errors_are_json_4xx(world):
    client = world.client("acme_owner")
    assert client.post("/api/v1/orders/import/", {}, format="multipart").status_code == 400
    bad_header = post_file(client, b"name,price\nx,1\n")
    assert bad_header.status_code == 400
    assert "lacks the columns" in bad_header.json()["file"][0]
    assert post_file(client, b"\x89PNG\r\n\x1a\n" + bytes(100), "x.png").status_code == 415
    json_body = client.post("/api/v1/orders/import/", {"file": "x"}, format="json")
    assert json_body.status_code == 415


@pytest.fixture
def finished_import(world, actor_for):
    rows = [csv_row("#1"), csv_row("#2", quantity="0")]
    return run_import(actor_for("acme_owner"), csv_bytes(rows))


@pytest.mark.parametrize("caller", ["acme_owner", "acme_agent", "acme_viewer"])
def test_merchant_staff_follow_an_import(world, finished_import, caller):
    response = world.client(caller).get(f"/api/v1/imports/{finished_import.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ["status", "total", "processed", "created", "updated"]} == {
        "status": "done",
        "total": 2,
        "processed": 2,
        "created": 1,
        "updated": 0,
    }
    assert body["errors"][0]["line"] == 3


def test_another_merchants_import_is_404_and_a_supplier_403(world, finished_import):
    theirs = world.client("globex_owner").get(f"/api/v1/imports/{finished_import.pk}/")
    missing = world.client("globex_owner").get(f"/api/v1/imports/{uuid.uuid4()}/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert world.client("globex_owner").get("/api/v1/imports/nope/").status_code == 404
    supplier = world.client("shenzhen_admin").get(f"/api/v1/imports/{finished_import.pk}/")
    assert supplier.status_code == 403
    assert world.client(None).get(f"/api/v1/imports/{finished_import.pk}/").status_code == 401
