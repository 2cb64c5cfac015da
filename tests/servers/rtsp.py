"""A real RTSP camera for tests: GStreamer's gst-rtsp-server playing the demo photos as H.264, stopped by PID.

Use the ``rtsp_camera`` fixture (import it where it is needed), or :class:`RtspServer` directly
to stop and start the camera again on the same port, like a camera that reboots. The server is
tests/servers/rtsp_server.py run by Debian's /usr/bin/python3 (PyGObject + GstRtspServer are
Debian packages, not the venv's); scripts/setup-test-env.sh installs them. Without them the tests
are skipped with that hint, never faked; with them, a server that does not come up fails the test.
"""

from __future__ import annotations

import functools
import selectors
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.process import RestartableServer, running
from tests.support import free_port

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("rtsp_server.py")
DEMO_PHOTOS = Path(__file__).resolve().parents[2] / "vision" / "demo" / "cap" / "images"


@functools.cache
def gi_missing() -> str | None:
    """Why the system python cannot run the server (None when it can)."""
    check = 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")'
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", check], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return f"{SYSTEM_PYTHON} does not exist"
    return None if done.returncode == 0 else done.stderr.strip().splitlines()[-1]


class RtspServer(RestartableServer):
    """RTSP cameras at ``urls`` (rtsp://127.0.0.1:PORT/cam, then /cam1, /cam2, ...; ``url`` the first),
    keeping their port across restarts."""

    def __init__(
        self,
        workdir: Path,
        images: Path | None = DEMO_PHOTOS,
        fps: int = 10,
        photo_s: float = 1.0,
        port: int | None = None,
        protocols: str = "any",
        video: Path | None = None,
        cameras: int = 1,
        seed: int = 55,
    ) -> None:
        """``video``: a recorded H.264 stream file sent in a loop at ``fps`` instead of the photos;
        ``cameras``: that many cameras (``urls``), each a live stream of its own with the file from its own
        point, drawn with ``seed``, so that their key frames do not all come at the same instant."""
        why = gi_missing()
        if why is not None:
            pytest.skip(
                f"GStreamer RTSP server for {SYSTEM_PYTHON} is missing ({why}): run scripts/setup-test-env.sh"
            )
        self.workdir = workdir
        self.images = images
        self.fps = fps
        self.photo_s = photo_s
        self.protocols = protocols
        self.video = video
        self.cameras = cameras
        self.seed = seed
        self.port = port or free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/cam"
        # the server's mounts: /cam, /cam1, /cam2, ...
        self.urls = [self.url] + [f"{self.url}{k}" for k in range(1, cameras)]
        self.log_path = workdir / "rtsp_server.log"
        super().__init__()

    def start(self, timeout: float = 15.0) -> None:
        """Start on ``self.port`` and wait for its ``ready`` line."""
        if self.pid is not None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [
            SYSTEM_PYTHON,
            str(SCRIPT),
            "--port",
            str(self.port),
            "--fps",
            str(self.fps),
            "--photo-s",
            str(self.photo_s),
            "--protocols",
            self.protocols,
            "--cameras",
            str(self.cameras),
            "--seed",
            str(self.seed),
        ]
        if self.video is not None:
            argv += ["--video", str(self.video)]
        elif self.images is not None:
            argv += ["--images", str(self.images)]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
        assert self._proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            # one line only: the server prints nothing else on stdout
            if sel.select(timeout) and self._proc.stdout.readline().startswith(b"ready"):
                return
        self.kill()
        raise RuntimeError(
            f"RTSP server did not get ready on port {self.port} within {timeout} s; log:\n{self.log()}"
        )


@pytest.fixture
def rtsp_camera(tmp_path: Path) -> Iterator[RtspServer]:
    """A started RTSP camera playing the demo photos at 10 fps (one photo a second), killed after the test."""
    yield from running(RtspServer(tmp_path / "rtsp"))
