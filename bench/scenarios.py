"""The scenarios of issue 13 and how they are measured (bench/README.md says what each
figure means)."""

import os
import statistics
import time

from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.test import Client

from accounts.models import Organization, User
from accounts.services import api_token_create
from bench import engines, fanout
from bench.load import Server, call, wrk
from core.tenancy import cross_tenant_scope
from disputes.models import Dispute, DisputeLine, DisputeStatus
from orders.models import Order, OrderLine, OrderStatus

MERCHANT = "scale-m0"
SUPPLIER = "scale-shenzhen"
WRITES = 30  # sequential requests per write scenario


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _people() -> dict:
    merchant = Organization.objects.get(slug=MERCHANT)
    supplier = Organization.objects.get(slug=SUPPLIER)
    owner = User.objects.get(email=f"owner@{MERCHANT}.test")
    staff = User.objects.get(email=f"staff@{SUPPLIER}.test")
    _token, owner_key = api_token_create(user=owner, organization=merchant)
    _token, staff_key = api_token_create(user=staff, organization=supplier)
    return {
        "owner_token": {"Authorization": f"Bearer {owner_key}"},
        "supplier_token": {"Authorization": f"Bearer {staff_key}"},
        "owner_session": {"Cookie": _session_cookie(owner)},
        "supplier_session": {"Cookie": _session_cookie(staff)},
        "merchant": merchant,
    }


def _subjects(merchant) -> dict:
    """Rows the scenarios address: a dispute with 50 events, targets of the writes."""
    with cross_tenant_scope(reason="bench"):
        busy = (
            Dispute.objects.filter(merchant=merchant, last_event_position=50)
            .order_by("-id")
            .first()
        )
        open_line = DisputeLine.objects.filter(order_line=OuterRef("pk"), is_open=True)
        free_lines = list(
            OrderLine.objects.filter(
                merchant=merchant,
                order__status=OrderStatus.DELIVERED,
            )
            .exclude(Exists(open_line))
            .exclude(order__disputes__isnull=False)
            .values_list("order_id", "id")[:WRITES]
        )
        talking = (
            Dispute.objects.filter(merchant=merchant, status=DisputeStatus.AWAITING_SUPPLIER)
            .order_by("-id")
            .first()
        )
        proposals = list(
            Dispute.objects.filter(
                merchant=merchant,
                status=DisputeStatus.RESOLUTION_PROPOSED,
                open_proposal__isnull=False,
            ).values_list("id", "open_proposal_id")[:WRITES]
        )
        order = Order.objects.filter(merchant=merchant).order_by("-placed_at").first()
    return {
        "busy": busy,
        "free_lines": free_lines,
        "talking": talking,
        "proposals": proposals,
        "search": order.customer_email,
    }


def _reads(subjects) -> list[tuple[str, str, str]]:
    busy = subjects["busy"].pk
    return [
        ("GET /api/v1/disputes/ first page", "/api/v1/disputes/", "owner_token"),
        ("same, supplier inbox (shenzhen)", "/api/v1/disputes/", "supplier_token"),
        ("dispute detail (50 events)", f"/api/v1/disputes/{busy}/", "owner_token"),
        ("dispute timeline (50 events)", f"/api/v1/disputes/{busy}/timeline/", "owner_token"),
        ("GET /api/v1/orders/ first page", "/api/v1/orders/", "owner_token"),
        ("order search (e-mail)", f"/api/v1/orders/?q={subjects['search']}", "owner_token"),
        ("/app/disputes/", "/app/disputes/", "owner_session"),
        ("/app/disputes/<id>/", f"/app/disputes/{busy}/", "owner_session"),
        ("/portal/disputes/", "/portal/disputes/", "supplier_session"),
    ]


def _writes(subjects) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The write scenarios: (name, the POSTs it sends), each on its own fresh target."""
    talking = subjects["talking"].pk
    return [
        (
            "open a dispute",
            [
                (
                    "/api/v1/disputes/",
                    {
                        "order": str(order_id),
                        "lines": [str(line_id)],
                        "kind": "problem",
                        "reason": "not_as_described",
                        "description": "Bench",
                    },
                )
                for order_id, line_id in subjects["free_lines"]
            ],
        ),
        (
            "post a message",
            [
                (f"/api/v1/disputes/{talking}/messages/", {"body": "Bench message"})
                for _number in range(WRITES)
            ],
        ),
        (
            "accept a proposal",
            [
                (f"/api/v1/disputes/{dispute}/proposals/{proposal}/accept/", {})
                for dispute, proposal in subjects["proposals"]
            ],
        ),
    ]


def _queries(server, path, headers) -> int:
    call(server.base + path, headers)  # warm
    status, _ms, queries, content = call(server.base + path, headers)
    if status != 200:
        raise RuntimeError(f"{path}: {status} {content[:300]!r}")
    return queries


def _write(server, name, requests, headers, log) -> dict:
    """Sequential POSTs (one connection): req/s is 1 / mean latency."""
    timings, queries = [], []
    for path, body in requests:
        status, milliseconds, count, content = call(server.base + path, headers, body=body)
        if status not in (200, 201):
            raise RuntimeError(f"{name}: {status} {content[:300]!r}")
        timings.append(milliseconds)
        queries.append(count)
    ordered = sorted(timings)
    log(f"{name}: p50 {statistics.median(ordered):.0f} ms, {statistics.median(queries)} queries")
    return {
        "name": name,
        "rps": 1000 / statistics.mean(timings),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "queries_per_request": statistics.median(queries),
        "ratio_to_ceiling": None,
        "note": f"{len(timings)} sequential requests",
    }


def selected(name: str, only: list[str]) -> bool:
    """Whether `--only` keeps the scenario `name` (no words: every scenario)."""
    return not only or any(word.lower() in name.lower() for word in only)


def run(
    *, sizes, seconds: int, connections: int, workers: int, port: int, broker_url: str, only=(), log
) -> dict:
    merchants, orders, disputes, sweep_pending, sweep_due, import_lines, noops, events = sizes
    call_command("migrate", verbosity=0)
    log(f"scale data: {merchants} merchant(s), {orders:,} orders, {disputes:,} disputes")
    started = time.perf_counter()
    call_command(
        "generate_scale_data",
        merchants=merchants,
        orders_per_merchant=orders,
        disputes_per_merchant=disputes,
        jobs=os.cpu_count() or 1,
    )
    generation_seconds = time.perf_counter() - started
    people = _people()
    subjects = _subjects(people["merchant"])
    server = Server(port=port, workers=workers)
    server.start()
    scenarios, ceilings = [], []
    ceiling_path = "/bench/ceiling/"
    try:
        ceiling_queries = _queries(server, ceiling_path, people["owner_token"])
        for name, path, who in _reads(subjects):
            if not selected(name, only):
                continue
            headers = people[who]
            queries = _queries(server, path, headers)
            ceiling = wrk(
                server.base + ceiling_path,
                people["owner_token"],
                seconds=seconds,
                connections=connections,
            )
            figures = wrk(server.base + path, headers, seconds=seconds, connections=connections)
            ceilings.append(ceiling)
            scenarios.append(
                {
                    "name": name,
                    "rps": figures.rps,
                    "p50_ms": figures.p50_ms,
                    "p99_ms": figures.p99_ms,
                    "queries_per_request": queries,
                    "ratio_to_ceiling": figures.rps / ceiling.rps,
                }
            )
            log(f"{name}: {figures.rps:.1f} req/s, ceiling {ceiling.rps:.1f} req/s")
        for name, requests in _writes(subjects):
            if selected(name, only):
                scenarios.append(_write(server, name, requests, people["owner_token"], log))
    finally:
        server.stop()
    engine_rows = []
    if selected("deadline sweep, row actions, batch action", only):
        engine_rows += engines.sweep(pending=sweep_pending, due=sweep_due, log=log)
    if selected("fan-out e-mail webhooks no-op drain", only):
        engine_rows += fanout.run(broker_url=broker_url, noops=noops, events=events, log=log)
    if selected(f"CSV import, {import_lines:,} lines", only):
        engine_rows.append(
            engines.csv_import(
                lines=import_lines, merchant_slug=MERCHANT, supplier_slug=SUPPLIER, log=log
            )
        )
    # The ceiling runs alternately with the reads: with none selected, it is not measured.
    ceiling_rps = [figures.rps for figures in ceilings] or [float("nan")]
    ceiling_p50 = [figures.p50_ms for figures in ceilings] or [float("nan")]
    return {
        "ceiling": {
            "name": "bare DRF keyset page of 25 disputes, one query, Bearer token",
            "rps": statistics.median(ceiling_rps),
            "rps_min": min(ceiling_rps),
            "rps_max": max(ceiling_rps),
            "p50_ms": statistics.median(ceiling_p50),
            "queries_per_request": ceiling_queries,
            "engines": {
                row["name"]: {"rows_per_s": row["ceiling_rows_per_s"]} for row in engine_rows
            },
        },
        "scenarios": scenarios + engine_rows,
        "scale_data": {
            "merchants": merchants,
            "orders_per_merchant": orders,
            "disputes_per_merchant": disputes,
            "generation_seconds": generation_seconds,
        },
        "load": {"tool": "wrk", "connections": connections, "seconds": seconds},
        "broker": broker_url.split("@")[-1],
        "workers": workers,
    }


def table(report: dict) -> str:
    header = "| scenario | req/s | p50 ms | p99 ms | queries | ratio to ceiling |"
    lines = [header, "| --- | ---: | ---: | ---: | ---: | ---: |"]
    ceiling = report["ceiling"]
    lines.append(
        f"| ceiling: {ceiling['name']} | {ceiling['rps']:.1f} | {ceiling['p50_ms']:.1f} | | "
        f"{ceiling['queries_per_request']} | 1 |"
    )
    for row in report["scenarios"]:
        if "rows_per_s" in row:
            lines.append(
                f"| {row['name']} ({row['note']}) | {row['rows_per_s']:,.0f} rows/s | | | | "
                f"{row['ratio_to_ceiling']:.2f} of {row['ceiling_rows_per_s']:,.0f} rows/s |"
            )
            continue
        ratio = "" if row["ratio_to_ceiling"] is None else f"{row['ratio_to_ceiling']:.2f}"
        lines.append(
            f"| {row['name']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['queries_per_request']} | {ratio} |"
        )
    return "\n".join(lines)
