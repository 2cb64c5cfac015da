"""A highly available PostgreSQL on loopback for the regulator's failover test and bench: a
pg_auto_failover formation (a monitor and two data nodes, the standby synchronous) run by ``pg_autoctl``.

Why pg_auto_failover and not Patroni: it is packaged by Debian beside PostgreSQL
(``postgresql-15-auto-failover``), its keeper is one C binary per node and its monitor is itself a
PostgreSQL, so there is no distributed store (etcd, Consul) to run and keep; with two data nodes it
keeps the standby synchronous (``synchronous_standby_names``), so a commit the regulator answered 2xx
for is on both machines. ``deploy/pg_auto_failover/README.md`` is the production setup.

The binaries come from ``scripts/setup-test-env.sh``; without them the tests are skipped with that hint.
PostgreSQL refuses to run as root: as root, every node runs as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from tests.support import free_port

PG_BIN = next(
    (
        str(p)
        for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        if (p / "postgres").exists()
    ),
    "",
)
PG_AUTOCTL = shutil.which("pg_autoctl")
MISSING = (
    None
    if PG_AUTOCTL and PG_BIN
    else "pg_autoctl not installed: run scripts/setup-test-env.sh (Debian's postgresql-15-auto-failover)"
)

# The monitor's health checks, tightened from the defaults (20 s to call a node unhealthy, 30 s to wait
# for a lost primary to demote itself) so a test sees a failover in seconds: production keeps the
# defaults (deploy/pg_auto_failover/README.md), where a network blip must not cost a failover.
FAST_CHECKS = {
    "pgautofailover.health_check_period": "1000",
    "pgautofailover.health_check_timeout": "1000",
    "pgautofailover.health_check_max_retries": "1",
    "pgautofailover.health_check_retry_delay": "500",
    "pgautofailover.node_considered_unhealthy_timeout": "3000",
    "pgautofailover.primary_demote_timeout": "5000",
}


class PgAutoFailover:
    """A monitor and two data nodes in a folder of their own (removed by :meth:`stop`); ``url`` is the
    libpq multi-host string that follows the primary."""

    def __init__(self, database: str = "sitegw") -> None:
        # its own folder under /tmp, not a test's: the postgres user must reach it, and a pytest or
        # TemporaryDirectory folder is root's alone
        self.root, self.database = Path(tempfile.mkdtemp(prefix="sitegw-pg-ha-")), database
        self.root.chmod(0o755)
        self.monitor_port = free_port()
        self.ports = [free_port(), free_port()]
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # ---- life cycle ---------------------------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> None:
        """Create and run the monitor, then the primary, then the standby; return once the standby is a
        synchronous secondary (every commit from then on is on both)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._keeper(
            "monitor",
            ["create", "monitor", "--pgport", str(self.monitor_port)],
        )
        self._wait(
            lambda: bool(self._sql(self.monitor_port, "pg_auto_failover", "SELECT 1")), timeout, "the monitor"
        )
        for name, value in FAST_CHECKS.items():
            self._sql(self.monitor_port, "pg_auto_failover", f"ALTER SYSTEM SET {name} = '{value}'")
        self._sql(self.monitor_port, "pg_auto_failover", "SELECT pg_reload_conf()")
        monitor = f"postgres://autoctl_node@127.0.0.1:{self.monitor_port}/pg_auto_failover"
        for k, port in enumerate(self.ports):
            self._keeper(
                f"node{k + 1}",
                [
                    "create",
                    "postgres",
                    "--pgport",
                    str(port),
                    "--dbname",
                    self.database,
                    "--monitor",
                    monitor,
                ],
            )
            if k == 0:
                self._wait(lambda: self.primary_port() == self.ports[0], timeout, "the primary")
        # pg_basebackup asks the primary for a spread checkpoint (minutes): ask for it at once
        self._wait(self._synchronous, timeout, "the standby", nudge=lambda: self._checkpoint(self.ports[0]))

    def stop(self) -> None:
        """Stop every keeper and its PostgreSQL."""
        for name in list(self._procs):
            self.lose(name, sig=signal.SIGTERM)
        for name in ("node1", "node2", "monitor"):
            self.lose(name)
        shutil.rmtree(self.root, ignore_errors=True)

    def lose(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """The machine of ``name`` (``node1``, ``node2``, ``monitor``) lost: its keeper, the keeper's
        services, its postmaster and backends all get ``sig`` at once (a keeper left alive would start
        its PostgreSQL again, as it must after a crash, and this is the loss of the machine)."""
        proc = self._procs.pop(name, None)
        path = str(self.root / name)
        for _ in range(5):
            found = [int(p) for p in _pgrep(path)]
            if proc is not None and proc.poll() is None:
                found.append(proc.pid)
            # with their children: the keeper's services (``pg_autoctl: start/stop postgres``) name no folder,
            # and one left alive restarts the lost node's PostgreSQL as a second primary (seen under load)
            pids = _with_descendants(found)
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(0.5 if sig == signal.SIGKILL else 3.0)
        if proc is not None:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    # ---- what a client sees -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The regulator's ``--db``: both nodes, the one that accepts writes picked by libpq."""
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.ports)
        return f"postgresql://postgres@{hosts}/{self.database}?target_session_attrs=read-write"

    @property
    def read_url(self) -> str:
        """A read-only regulator's ``--db``: the standby while there is one, else the primary."""
        return self.url.replace("target_session_attrs=read-write", "target_session_attrs=prefer-standby")

    def primary_port(self) -> int | None:
        """The data node that accepts writes now (None: none does)."""
        for port in self.ports:
            try:
                row = self._sql(port, self.database, "SELECT pg_is_in_recovery()")
            except psycopg.Error:
                continue
            if row == [(False,)]:
                return port
        return None

    def pids(self) -> list[int]:
        """The formation's processes now: keepers, postmasters and their children (backends, WAL sender and
        receiver), found by the formation's folder on their command lines; for a benchmark's CPU count."""
        return _with_descendants([int(p) for p in _pgrep(str(self.root))])

    def state(self) -> str:
        """``pg_autoctl show state``: for an assertion's message."""
        return self._autoctl(["show", "state", "--pgdata", str(self.root / "monitor")], check=False)

    # ---- helpers --------------------------------------------------------------------------------------

    def _synchronous(self) -> bool:
        try:
            rows = self._sql(
                self.ports[0],
                self.database,
                "SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')",
            )
        except psycopg.Error:
            return False
        return rows == [(1,)]

    def _checkpoint(self, port: int) -> None:
        with contextlib.suppress(psycopg.Error):
            self._sql(port, self.database, "CHECKPOINT")

    def _keeper(self, name: str, create: list[str]) -> None:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 (the keeper's log, kept open by the child)
        args = [
            *create,
            "--pgdata",
            str(self.root / name),
            "--hostname",
            "127.0.0.1",
            "--auth",
            "trust",
            "--no-ssl",
            "--run",
        ]
        self._procs[name] = subprocess.Popen(
            self._as_postgres([PG_AUTOCTL or "pg_autoctl", *args]), stdout=log, stderr=log
        )

    def _autoctl(self, args: list[str], check: bool = True) -> str:
        done = subprocess.run(
            self._as_postgres([PG_AUTOCTL or "pg_autoctl", *args]),
            capture_output=True,
            text=True,
            check=check,
        )
        return done.stdout + done.stderr

    def _as_postgres(self, argv: list[str]) -> list[str]:
        env = [
            "env",
            f"PATH={PG_BIN}:{os.environ.get('PATH', '')}",
            f"XDG_CONFIG_HOME={self.root}/.config",
            f"XDG_DATA_HOME={self.root}/.local",
        ]
        return ["runuser", "-u", "postgres", "--", *env, *argv] if os.geteuid() == 0 else [*env, *argv]

    @staticmethod
    def _sql(port: int, database: str, statement: str) -> list[tuple[object, ...]]:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True, connect_timeout=2
        ) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def _wait(
        self, ready: Callable[[], bool], timeout: float, what: str, nudge: Callable[[], None] | None = None
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except psycopg.Error:
                pass
            if nudge is not None:
                nudge()
            time.sleep(1.0)
        logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(self.root.glob("*.log")))
        raise TimeoutError(
            f"pg_auto_failover: {what} not ready after {timeout:.0f} s\n{self.state()}\n{logs}"
        )


def _pgrep(pattern: str) -> list[str]:
    done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return [p for p in done.stdout.split() if p.isdigit() and int(p) != os.getpid()]


def _with_descendants(pids: list[int]) -> list[int]:
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            with contextlib.suppress(OSError):  # gone meanwhile
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return sorted(found)
