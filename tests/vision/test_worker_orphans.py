"""A gateway killed with SIGKILL takes its camera workers with it (no orphan keeps analysing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

GATEWAY = """
import sys, time
from pathlib import Path
from vision.demo import demo_vision
from vision.worker import VisionSupervisor
sup = VisionSupervisor(demo_vision(Path(sys.argv[1])), on_event=lambda e: None)
sup.start()
time.sleep(600)
"""


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else ""
    return " Z " not in stat  # a zombie is dead


def test_camera_worker_dies_with_a_sigkilled_gateway(tmp_path: Path) -> None:
    gw = subprocess.Popen([sys.executable, "-c", GATEWAY, str(tmp_path / "evidence")], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline:
            # the spawn context starts a resource tracker too; the camera worker is the other child
            workers = [
                p
                for p in children(gw.pid)
                if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()
            ]
            if workers:
                break
            time.sleep(0.2)
        assert workers, "no camera worker started"
        gw.send_signal(signal.SIGKILL)
        gw.wait(10)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(p) for p in workers), [
            (p, Path(f"/proc/{p}/stat").read_text()[:60], Path(f"/proc/{p}/cmdline").read_text()[:90])
            for p in workers
            if alive(p)
        ]
    finally:
        if gw.poll() is None:
            gw.kill()
