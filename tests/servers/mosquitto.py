"""A real Mosquitto broker for tests: its own config, port and folder, stopped by PID.

Use the ``mosquitto`` fixture (import it into a conftest.py), or :class:`MosquittoServer`
directly when a test needs to kill and restart the broker on the same port. The binary comes
from ``scripts/setup-test-env.sh`` (Debian's mosquitto 2.0); without it the tests are skipped
with that hint, never faked.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.process import RestartableServer, running
from tests.support import free_port, wait_port

SITE_CONF = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto" / "sitegw-site.conf"
# what the test sets itself in place of the shipped file's site-specific lines
_SITE_SPECIFIC = ("listener", "allow_anonymous", "password_file", "acl_file", "persistence_location")

BINARY = shutil.which("mosquitto") or next(
    (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None
)


class MosquittoServer(RestartableServer):
    """One mosquitto process on 127.0.0.1; ``persistence`` keeps sessions across restarts."""

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        persistence: bool = True,
        extra_listeners: str = "",
        site_config: bool = False,
    ) -> None:
        """``extra_listeners``: more listeners after the plain one on ``port`` (a TLS listener with its
        cafile, certfile, keyfile and require_certificate). ``site_config``: the broker settings of the
        shipped deploy/mosquitto/sitegw-site.conf instead of the test's own (``persistence`` is then
        the file's); only its listener, users and folder are the test's."""
        if BINARY is None:
            pytest.skip("mosquitto is not installed: run scripts/setup-test-env.sh")
        self.binary = BINARY
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.workdir = workdir
        self.persistence = persistence
        self.extra_listeners = extra_listeners
        self.site_config = site_config
        self.log_path = workdir / "mosquitto.log"
        super().__init__()

    def start(self) -> None:
        """Start on ``self.port`` (the same port across restarts) and wait until it accepts."""
        if self.pid is not None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            # running as root, mosquitto would switch to user mosquitto and lose the tmp folder
            f"user {_user()}\n"
            f"persistence_location {self.workdir}/\n"
            f"{self._settings()}"
            f"log_dest file {self.log_path}\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
            f"{self.extra_listeners}"
        )
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_port(self.port, self.host, timeout=10)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"mosquitto did not start on port {self.port}; log:\n{self.log()}") from None

    def _settings(self) -> str:
        """The broker's settings: the shipped site file's less its site-specific lines, or the test's."""
        if self.site_config:
            lines = SITE_CONF.read_text().splitlines()
            kept = [ln for ln in lines if ln.strip() and not ln.startswith(("#", *_SITE_SPECIFIC))]
            return "".join(f"{ln}\n" for ln in kept)
        persistence = "true" if self.persistence else "false"
        return f"persistence {persistence}\nautosave_interval 1\nmax_queued_messages 100000\n"


def _user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[MosquittoServer]:
    """A started Mosquitto with persistence on a free port, stopped after the test."""
    yield from running(MosquittoServer(tmp_path / "mosquitto"))
