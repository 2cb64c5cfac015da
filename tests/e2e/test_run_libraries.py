"""`sitegw run` for a site without cameras does not load the camera checks' libraries.

OpenCV, onnxruntime and numpy held 55 MB of the gateway's memory (issue #20: RSS at most 150 MB) while
nothing on such a site uses them: the command line imported them to describe `sitegw vision`, and
the gateway to build a camera hub it never made. The test runs the real command and reads which
shared libraries its process has mapped.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE = """\
project: {code: B-0001}
mqtt_brokers: {site: {host: 127.0.0.1, port: 1}}
api: {port: 0}
devices:
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {type: mqtt, broker: site, topic_prefix: sitegw/B-0001/pit-1}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points: [{code: ZQS-01, kind: wall_top}]
"""
CAMERA_LIBRARIES = ("cv2", "onnxruntime", "numpy")


def mapped_libraries(pid: int) -> set[str]:
    """The file names of the shared objects mapped into process ``pid``."""
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {Path(line.split()[-1]).name for line in maps if ".so" in line.rsplit("/", 1)[-1]}


def test_a_site_without_cameras_runs_without_opencv_onnxruntime_or_numpy(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "run", str(site), "--state-dir", str(tmp_path / "state")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the gateway has started, its API serving
        assert "dashboard http://" in line, f"the gateway did not start: {line!r}"
        libraries = mapped_libraries(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    loaded = sorted(lib for lib in libraries if any(name in lib for name in CAMERA_LIBRARIES))
    assert not loaded, f"a site without cameras loaded {loaded}"
    assert any(lib.startswith("_sqlite3") for lib in libraries), "the maps were not read from the gateway"
