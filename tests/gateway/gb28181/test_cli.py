"""`sitegw check-config` and `sitegw run` with a gb28181 section: summarised, and without ffmpeg a clear error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.config.test_check_config import run_cli

REPO = Path(__file__).resolve().parents[3]
SITE = """\
project: {code: GD-SZ-2026-0001}
vision:
  cameras:
    - {name: gate, source: gate.mp4}
gb28181:
  server_id: "34020000002000000001"
  server_host: 127.0.0.1
  device_id: "34020000001320000001"
  password: ${GB_PASSWORD}
  channels:
    - {camera: gate, channel_id: "34020000001310000001"}
"""


def sitegw(args: list[str], path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path, "GB_PASSWORD": "12345678", "PYTHONPATH": str(REPO)}
    return run_cli(*args, env=env)


def test_the_summary_names_the_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from contract.config import load_site
    from sitegw.cli import print_summary

    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    print_summary(load_site(site, env={"GB_PASSWORD": "12345678"}))
    out = " ".join(capsys.readouterr().out.split())
    assert "gb28181: device 34020000001320000001 on platform 34020000002000000001 at 127.0.0.1:5060" in out


def test_run_without_ffmpeg_says_how_to_install_it(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    empty = tmp_path / "bin"
    empty.mkdir()
    ran = sitegw(["run", str(site), "--state-dir", str(tmp_path / "state")], str(empty))
    assert ran.returncode == 1
    assert "ffmpeg is not installed" in ran.stderr and "apt-get install ffmpeg" in ran.stderr
    assert "Traceback" not in ran.stderr
