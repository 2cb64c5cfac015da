"""Real InfluxDB 1.6.7 and VictoriaMetrics servers for tests, on free ports, stopped by PID.

Use the fixtures ``influxdb1`` and ``victoria`` (import them into a conftest.py); both servers
can be stopped and started again on the same port and data folder, to play an outage. The
binaries come from Debian (scripts/setup-test-env.sh); without them the tests are skipped with
that hint. No InfluxDB 2.x/3.x exists for Debian: VictoriaMetrics stands in for ``/api/v2/write``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import free_port


class ServerProcess:
    """A server binary run in its own session, answering ``health_path`` once it is up."""

    binary = ""
    health_path = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    def argv(self) -> list[str]:
        """The command line that starts the server."""
        raise NotImplementedError

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it answers its health check."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.binary} exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if httpx.get(self.url + self.health_path, timeout=0.5).status_code < 300:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(
            f"{self.binary} did not answer on {self.url} within {timeout} s: {self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def log_tail(self, chars: int = 2000) -> str:
        """The end of the server's log, for failure messages."""
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


class InfluxDB1(ServerProcess):
    """influxd 1.6.7: v1 ``/write`` and InfluxQL ``/query`` only."""

    binary = "influxd"
    health_path = "/ping"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        rpc_port = free_port()
        self.config_path = workdir / "influxdb.conf"
        self.config_path.write_text(f"""\
bind-address = "127.0.0.1:{rpc_port}"
reporting-disabled = true
[meta]
  dir = "{workdir / "meta"}"
[data]
  dir = "{workdir / "data"}"
  wal-dir = "{workdir / "wal"}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
""")

    def argv(self) -> list[str]:
        """``influxd -config CONF``."""
        return [self.binary, "-config", str(self.config_path)]

    def create_database(self, name: str) -> None:
        """``CREATE DATABASE name``."""
        response = httpx.post(self.url + "/query", data={"q": f'CREATE DATABASE "{name}"'}, timeout=10)
        response.raise_for_status()

    def query(self, database: str, q: str) -> list[dict[str, Any]]:
        """Run InfluxQL; the ``series`` of the first statement's result (empty list when none)."""
        response = httpx.get(self.url + "/query", params={"db": database, "q": q, "epoch": "ms"}, timeout=10)
        response.raise_for_status()
        result = response.json()["results"][0]
        if "error" in result:
            raise AssertionError(f"InfluxQL error for {q!r}: {result['error']}")
        return result.get("series", [])


class VictoriaMetrics(ServerProcess):
    """victoria-metrics: accepts ``/api/v2/write`` (org, bucket, token ignored) and ``/write``."""

    binary = "victoria-metrics"
    health_path = "/health"

    def argv(self) -> list[str]:
        """Loopback only; no latency offset, so fresh points can be read back at once."""
        return [
            self.binary,
            f"-httpListenAddr=127.0.0.1:{self.port}",
            f"-storageDataPath={self.workdir / 'data'}",
            "-search.latencyOffset=0s",
            "-loggerLevel=ERROR",
            "-retentionPeriod=100y",
        ]  # keep test data with fixed past timestamps

    def export(self, series: str, expect: int | None = None, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The stored samples of every series named ``series`` (``measurement_field``), as
        ``/api/v1/export`` lines; with ``expect``, waits until that many samples are visible."""
        deadline = time.monotonic() + timeout
        while True:
            httpx.get(self.url + "/internal/force_flush", timeout=10).raise_for_status()
            response = httpx.get(self.url + "/api/v1/export", params={"match[]": series}, timeout=10)
            response.raise_for_status()
            lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
            found = sum(len(line["values"]) for line in lines)
            if expect is None or found >= expect or time.monotonic() > deadline:
                return lines
            time.sleep(0.2)


def _running(server: ServerProcess) -> Iterator[ServerProcess]:
    """Start ``server`` (skipping the test if its binary is missing) and stop it afterwards."""
    if shutil.which(server.binary) is None:
        pytest.skip(f"{server.binary} is not installed: run scripts/setup-test-env.sh")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def influxdb1(tmp_path: Path) -> Iterator[InfluxDB1]:
    """A running InfluxDB 1.6.7 with an empty database ``site``."""
    server = InfluxDB1(tmp_path / "influxdb")
    for _ in _running(server):
        server.create_database("site")
        yield server


@pytest.fixture
def victoria(tmp_path: Path) -> Iterator[VictoriaMetrics]:
    """A running, empty VictoriaMetrics."""
    server = VictoriaMetrics(tmp_path / "victoria")
    for _ in _running(server):
        yield server
