"""The HTTP side: gunicorn with the bench settings, wrk from a second process, and single
requests for query counts and writes."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float


class Server:
    """gunicorn on loopback, started and stopped by the bench."""

    def __init__(self, *, port: int, workers: int):
        self.port, self.workers = port, workers
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # noqa: S603 — the bench's own command
            [
                str(gunicorn),
                "config.wsgi:application",
                f"--workers={self.workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def wrk(url: str, headers: dict[str, str], *, seconds: int, connections: int) -> Figures:
    """req/s, p50 and p99 of `url` under `connections` concurrent connections."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--latency", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 — wrk with the bench's own arguments
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error answers under load\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Figures(rps=rps, p50_ms=_latency(output, "50%"), p99_ms=_latency(output, "99%"))


def _latency(output: str, label: str) -> float:
    found = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s|m)\b", output, re.MULTILINE)
    return float(found.group(1)) * UNITS_MS[found.group(2)]


def call(
    url: str, headers: dict[str, str], *, body: dict | None = None
) -> tuple[int, float, int, bytes]:
    """One request: (status, milliseconds, SQL queries, body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 — loopback URL built by the bench
        url,
        data=data,
        headers={**headers, **({"Content-Type": "application/json"} if data else {})},
        method="POST" if data else "GET",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            content, status = response.read(), response.status
            queries = int(response.headers.get("X-Bench-Queries", "-1"))
    except urllib.error.HTTPError as error:
        content, status = error.read(), error.code
        queries = int(error.headers.get("X-Bench-Queries", "-1"))
    return status, (time.perf_counter() - started) * 1000, queries, content
