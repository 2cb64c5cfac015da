"""The real gateway (`sitegw run`) on a site file made from the reference site, as a subprocess.

The reference site's MQTT devices (pit, high formwork, access gate) on a test broker; the Modbus
devices and the siren are left out, since nothing answers at their LAN addresses here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.site_scale import keep_references
from config import EXAMPLE_SITE
from gateway.store.local_query import HistoryReader, LatestValue

REPO = Path(__file__).resolve().parents[2]
PROJECT = "GD-SZ-2026-0001"
MQTT_DEVICES = ("pit-1", "formwork-1", "gate-1")


def mqtt_site(folder: Path, broker_port: int, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """The reference site's MQTT part, with the broker at 127.0.0.1:``broker_port`` and the API on a free port."""
    data = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
    data["devices"] = [d for d in data["devices"] if d["id"] in MQTT_DEVICES]
    keep_references(data)  # the 危大 list and the rules' per-device settings name only the devices kept
    data.pop("sirens", None)
    data["mqtt_brokers"]["site"] = {"host": "127.0.0.1", "port": broker_port}
    data["api"] = {"host": "127.0.0.1", "port": 0}
    if change is not None:
        change(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)
    return path


def sitegw(
    *args: str, env: dict[str, str] | None = None, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """`sitegw ARGS` run to its end, with only PATH and ``env`` in its environment; its exit status checked."""
    done = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )
    assert done.returncode == expect, done.stderr
    return done


class RunningGateway:
    """`sitegw run SITE --state-dir STATE`, its log in a file; stopped with SIGTERM by :meth:`stop`."""

    def __init__(
        self, site: Path, state: Path, env: dict[str, str] | None = None, log_level: str = "INFO"
    ) -> None:
        self.state = state
        self.log_path = state.parent / "gateway.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sitegw.cli",
                "--log-level",
                "INFO",
                "run",
                str(site),
                "--state-dir",
                str(state),
            ],
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )

    def log(self) -> str:
        """Everything the gateway wrote so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        """Block until ``text`` appears in the log; fail with the log if the gateway exits or it does not."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the gateway exited ({self.proc.returncode}) before {text!r}:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} not in the gateway's log after {timeout} s:\n{self.log()[-4000:]}"
                )
            time.sleep(0.1)

    def latest(self) -> list[LatestValue]:
        """The newest stored reading of every series (the local store, read as `sitegw` reads it)."""
        path = self.state / "history.sqlite"
        return HistoryReader(path).latest() if path.exists() else []

    def wait_stored(
        self, check: Callable[[list[LatestValue]], bool], what: str, timeout: float = 30.0
    ) -> None:
        """Block until the stored readings pass ``check``."""
        deadline = time.monotonic() + timeout
        while not check(self.latest()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not stored after {timeout} s: {what}; stored: {self.latest()}")
            time.sleep(0.2)

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        return self.proc.returncode
