"""What the gateway's process carries once it has started (issue #20: RSS at most 150 MB, 50,000
readings a second).

- `sitegw run` for a site without cameras does not load the camera checks' libraries: OpenCV,
  onnxruntime and numpy held 55 MB of the gateway's memory while nothing on such a site uses them (the
  command line imported them to describe `sitegw vision`, the gateway to build a camera hub it never
  made). The test runs the real command and reads which shared libraries its process has mapped.
- What start-up made is frozen out of the garbage collector's full collections, once per process, and
  young collections come every 10,000 tracked objects: walking start-up's objects and the waiting
  readings cost a fifth of the CPU of a reading under a burst (contract/heap.py).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
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


def test_start_up_objects_are_out_of_the_collectors_walks_once_per_process(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    probe = textwrap.dedent(
        f"""
        import asyncio, gc
        from pathlib import Path
        from contract.config import load_site
        from sitegw.runtime import Gateway

        async def main() -> None:
            site = load_site(Path({str(site)!r}))
            for n in (1, 2):  # a second gateway in the same process, as in the tests
                gw = Gateway(site, Path({str(tmp_path)!r}) / f"state-{{n}}", serve_api=False)
                await gw.start()
                print(gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()[0])
                await gw.stop()

        asyncio.run(main())
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    (frozen, walked, young), (frozen_again, _, _) = [
        map(int, line.split()) for line in done.stdout.splitlines()
    ]
    assert frozen > 50_000, f"only {frozen} objects frozen after start-up"
    assert walked < frozen // 10, f"{walked} objects still walked by a full collection, {frozen} frozen"
    assert young == 10_000, f"a young collection every {young} tracked objects"
    # frozen objects freed since (the first gateway's, by their counts) leave the permanent generation
    assert frozen_again <= frozen, "the second gateway froze the process's objects again"
