"""The `sitegw` CLI loads none of the regulator unless asked: `sitegw run` and `sitegw check-config` start
without importing a module of ``regulator`` (its commands, the forwarding outbox, the reports, SQLAlchemy:
44 MB and half the start where the regulator extra is installed), seen in the real processes' own import
log (``python -X importtime``); and the helps stay whole: `sitegw --help` names the regulator's group,
`sitegw regulator --help` every one of its commands, loaded when asked for."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from sitegw.cli_lazy import COMMANDS
from tests.support import free_port, wait_port

REPO = Path(__file__).resolve().parents[1]


def sitegw(*args: str) -> list[str]:
    """The command line of `sitegw ARGS` with Python's import log on stderr."""
    return [sys.executable, "-X", "importtime", "-m", "sitegw.cli", "--log-level", "WARNING", *args]


def imported(log: str) -> set[str]:
    """The modules an ``-X importtime`` log names."""
    return {line.rpartition("|")[2].strip() for line in log.splitlines() if line.startswith("import time:")}


def regulator_modules(log: str) -> list[str]:
    return sorted(m for m in imported(log) if m == "regulator" or m.startswith("regulator."))


def write_site(tmp_path: Path, api_port: int) -> Path:
    """A site of one anemometer over Modbus TCP (nobody answers: the gateway runs with it offline)."""
    site = {
        "project": {"code": "GD-SZ-2026-0098", "name": "启动测试项目", "city": "深圳", "district": "南山区"},
        "devices": [
            {
                "id": "anemo-1",
                "name": "风速仪",
                "kind": "anemometer",
                "profile": "anemometer_rs485",
                "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": free_port(), "unit_id": 2},
            }
        ],
        "api": {"host": "127.0.0.1", "port": api_port},
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


def test_sitegw_run_and_check_config_import_nothing_of_the_regulator(tmp_path: Path) -> None:
    api_port = free_port()
    site = write_site(tmp_path, api_port)
    checked = subprocess.run(
        sitegw("check-config", str(site)), cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert checked.returncode == 0 and "configuration OK" in checked.stdout, checked.stdout + checked.stderr
    assert "regulator.forwarding" not in imported(checked.stderr)
    assert regulator_modules(checked.stderr) == []

    stderr = tmp_path / "run.log"  # a file, not a pipe: the import log alone would fill a pipe's buffer
    with stderr.open("w") as err:
        gateway = subprocess.Popen(
            sitegw("run", str(site), "--state-dir", str(tmp_path / "state")),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            wait_port(api_port, timeout=90)  # started: its API answers, its poller and uplinks running
        finally:
            gateway.send_signal(signal.SIGTERM)
            gateway.wait(60)
    log = stderr.read_text(encoding="utf-8")
    assert "sitegw.runner" in imported(log), log[-2000:]  # the gateway's own modules are in the log
    assert "regulator.forwarding" not in imported(log)
    assert regulator_modules(log) == []


def test_the_helps_list_every_command() -> None:
    env = os.environ | {"COLUMNS": "200"}
    top = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "--help"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    assert (
        "regulator" in top.stdout and "The regulator's side: receive hazards from many sites." in top.stdout
    )
    helped = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "regulator", "--help"], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    listed = [m[1] for line in helped.stdout.splitlines() if (m := re.match(r"│ ([a-z][a-z-]*) ", line))]
    commands = list(COMMANDS["regulator"]().commands)  # type: ignore[attr-defined]
    assert len(commands) == 14 and {"serve", "forwarding", "video-set", "national-export"} <= set(commands)
    assert listed == commands
    forwarding = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "regulator", "forwarding", "--help"], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "release" in forwarding.stdout and "list" in forwarding.stdout
