"""A throwaway Postgres primary and its streaming replica, from the binaries on the machine.

The system server (127.0.0.1:5432) is not used as the primary: its pg_hba.conf allows no
replication connections and it holds every other checkout's databases, which
pg_basebackup would copy whole. A primary of our own under a temporary directory, on a
free port, is small and quick to copy (initdb, pg_basebackup -R, a second postmaster).
Run as root (containers, CI), the clusters run as the `postgres` user, as initdb requires.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path
from urllib.parse import urlparse


def postgres_bindir() -> Path | None:
    """The directory of initdb, pg_ctl and pg_basebackup, or None when they are missing."""
    candidates = []
    if shutil.which("pg_config"):
        answer = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(answer.stdout.strip())
    candidates += sorted(glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and all(
            (Path(candidate) / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")
        ):
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Clusters:
    """`start()` a primary and a hot-standby replica; `stop()` removes both."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="redress-replica-"))
        self.primary_port, self.replica_port = free_port(), free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def _tool(self, name: str) -> str:
        return str(self.bindir / name)

    def _start(self, data: Path, port: int) -> None:
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            # A test's data: durability is not what is tested, speed is welcome.
            "-c fsync=off -c full_page_writes=off "
            "-c shared_buffers=32MB -c max_connections=40"
        )
        self._run(
            self._tool("pg_ctl"), "-D", str(data), "-o", options, "-l", f"{data}.log",
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def start(self) -> None:
        primary, replica = self.root / "primary", self.root / "replica"
        # --auth=trust also lets local replication connections in (pg_hba.conf).
        self._run(
            self._tool("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self._start(primary, self.primary_port)
        self._run(
            self._tool("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
            "-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        self._start(replica, self.replica_port)
        self._wait_for_recovery()

    def _wait_for_recovery(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                replica = psycopg2.connect(self.url(self.replica_port, "postgres"))
                try:
                    with replica.cursor() as cursor:
                        cursor.execute("SELECT pg_is_in_recovery()")
                        if cursor.fetchone()[0]:
                            return
                finally:
                    replica.close()
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def copy_database(self, source: dict, name: str) -> None:
        """A copy of a database of another server (Django's settings of it) on the primary:
        quicker than migrating a new one."""
        # The tables' owner reads every row (row-level security walls the application's
        # role); the policies name both roles, which the throwaway primary then needs too.
        owner = urlparse(os.environ.get("DATABASE_OWNER_URL", "")).username or source["USER"]
        dump = subprocess.run(
            [
                self._tool("pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"]),
                "-U", owner, "--no-owner", "--no-privileges", "--enable-row-security",
                source["NAME"],
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        primary = ["-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"]
        for role in sorted({owner, source["USER"]} - {"postgres"}):
            subprocess.run(
                [self._tool("psql"), *primary, "-d", "postgres", "-c", f'CREATE ROLE "{role}"'],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
        subprocess.run(
            [self._tool("createdb"), *primary, name], check=True, capture_output=True, timeout=60
        )
        subprocess.run(
            [self._tool("psql"), *primary, "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    @staticmethod
    def url(port: int, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def stop(self) -> None:
        for name in ("replica", "primary"):
            data = self.root / name
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self._run(self._tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(self.root.glob("*.log"))
        )
