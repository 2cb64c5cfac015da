"""DiskWatch on a real 4 MB tmpfs of its own: the reserve is written, released when the disk fills (so
alerts have room), and written back when space returns; the log says each (skipped without root)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gateway.disk_watch import DiskWatch
from tests.faults.test_disk_full import fill, small_filesystem

REPO = Path(__file__).resolve().parents[2]


def test_the_reserve_is_released_when_the_disk_fills_and_comes_back_with_space(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with small_filesystem(tmp_path / "disk", "4m") as disk, caplog.at_level(logging.WARNING):
        watch = DiskWatch(disk)
        watch.start()
        assert watch.reserve_path.stat().st_size == watch.reserve_bytes > 0
        assert not watch.full
        fill(disk / "filler")
        watch.check()
        assert watch.full and not watch.reserve_path.exists()
        assert watch.free_bytes >= watch.reserve_bytes  # the reserve's room, for alerts
        (disk / "filler").unlink()
        watch.check()
        assert not watch.full and watch.reserve_path.stat().st_size == watch.reserve_bytes
    said = [r.getMessage() for r in caplog.records]
    assert any("MB free of" in m for m in said) and any("is full" in m for m in said), said
    assert any("stored again" in m for m in said), said


def test_the_reserve_is_written_whole_without_holding_it_in_memory(tmp_path: Path) -> None:
    """16 MB of zeros made in memory first were 16 MB of the gateway's memory at every start (issue #20)."""
    probe = textwrap.dedent(
        f"""
        from pathlib import Path
        from gateway.disk_watch import RESERVE_MAX, DiskWatch

        def peak_mb() -> float:
            return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024

        before = peak_mb()
        DiskWatch(Path({str(tmp_path)!r}))._write_reserve(RESERVE_MAX - 12_345)
        print(peak_mb() - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    reserve = (tmp_path / "reserve.bin").read_bytes()
    assert len(reserve) == 16 * 1024 * 1024 - 12_345 and reserve.count(0) == len(reserve)
    assert float(done.stdout) < 4, f"writing the reserve raised the peak by {done.stdout.strip()} MB"
