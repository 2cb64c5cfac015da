"""An edge box without Docker (issue 57 §6): the unit deploy/systemd/install-edge.sh installs passes systemd's
own check, and `sitegw run` speaks the notification protocol the unit's ``Type=notify`` and ``WatchdogSec=``
rely on: ``READY=1`` once started, ``WATCHDOG=1`` at half the interval while its loop runs, ``STOPPING=1`` at
the end. systemd itself cannot run in this container (it is not PID 1); the socket that listens here is a
plain unix datagram socket, as sd_notify(3) describes systemd's."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.test_startup import SITE

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "systemd" / "sitegw.service"


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: scripts/setup-test-env.sh installs systemd"
    prefix = tmp_path / "opt"
    (prefix / "venv" / "bin").mkdir(parents=True)
    (prefix / "venv" / "bin" / "sitegw").symlink_to(Path(sys.executable).parent / "sitegw")
    unit = tmp_path / "sitegw.service"
    unit.write_text(UNIT.read_text().replace("@PREFIX@", str(prefix)))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    said = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and said == "", said
    text = unit.read_text()
    for setting in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "SupplementaryGroups=dialout",
                    "StateDirectory=sitegw", "User=sitegw",
                    # the site file's ${VARIABLES}: sudo leaves the installer's behind, the service reads them here
                    "EnvironmentFile=-/etc/sitegw/sitegw.env"):  # fmt: skip
        assert setting in text, setting


def test_the_install_script_refuses_to_run_as_anyone_but_root(tmp_path: Path) -> None:
    script = REPO / "deploy" / "systemd" / "install-edge.sh"
    assert subprocess.run(["bash", "-n", str(script)], timeout=30).returncode == 0
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    site.chmod(0o644)
    tmp_path.chmod(0o755)
    setpriv = shutil.which("setpriv")
    assert setpriv and os.geteuid() == 0, "the test drops from root to nobody with util-linux's setpriv"
    done = subprocess.run(
        [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "bash", str(script), str(site)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "run as root" in done.stderr, (done.returncode, done.stderr)


def test_sitegw_run_tells_systemd_it_is_ready_feeds_the_watchdog_and_says_it_stops(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify.sock"
    listening.bind(str(path))
    listening.settimeout(60)
    env = {
        **os.environ,
        "NOTIFY_SOCKET": str(path),
        "WATCHDOG_USEC": "2000000",  # WatchdogSec=2: a WATCHDOG=1 each second
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "run", str(site), "--state-dir", str(tmp_path / "state")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = listening.recv(4096).decode()
        assert first.splitlines()[0] == "READY=1" and "STATUS=site B-0001 running" in first, first
        assert proc.stdout is not None and "dashboard http://" in proc.stdout.readline(), "ready after start"
        started, pings = time.monotonic(), 0
        while pings < 3:
            message = listening.recv(4096).decode()
            assert message == "WATCHDOG=1", message
            pings += 1
        assert time.monotonic() - started < 5, "about once a second"
        proc.send_signal(signal.SIGTERM)
        while (message := listening.recv(4096).decode()) == "WATCHDOG=1":
            pass
        assert message == "STOPPING=1", message
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        listening.close()
