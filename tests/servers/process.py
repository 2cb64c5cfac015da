"""The life cycle the test servers share: one child process on a fixed port, stopped, killed or restarted by PID."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

S = TypeVar("S", bound="RestartableServer")


class RestartableServer:
    """A server child process that keeps its port across restarts; subclasses set ``log_path`` and ``start``."""

    log_path: Path

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """PID of the running server, None when stopped."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        """Start on the server's port (the same one across restarts) and wait until it serves."""
        raise NotImplementedError

    def stop(self) -> None:
        """Orderly stop (SIGTERM: a server can save its state), SIGKILL after 5 s."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Abrupt death, like a power cut: clients see the connection drop."""
        self._signal(signal.SIGKILL)

    def restart(self) -> None:
        """Stop and start again on the same port."""
        self.stop()
        self.start()

    def log(self) -> str:
        """The server's log so far (for assertion messages)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _signal(self, sig: signal.Signals) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            os.kill(proc.pid, sig)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def running(server: S) -> Iterator[S]:
    """Start ``server``, hand it to the test, kill it afterwards (the body of a fixture)."""
    server.start()
    try:
        yield server
    finally:
        server.kill()
