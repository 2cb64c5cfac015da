"""`sitegw demo` as a subprocess of the real CLI, with a supervisor login made beforehand."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

from gateway.api.auth_store import AuthStore

REPO = Path(__file__).resolve().parents[2]
SUPERVISOR, PASSWORD = "super1", "correct-horse-9"


class Demo:
    """One run of the demo on a given port and state folder."""

    def __init__(self, state: Path, port: int, *extra: str) -> None:
        store = AuthStore(state / "users.sqlite")
        store.add_user(SUPERVISOR, "supervisor", PASSWORD, replace=True)
        store.close()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sitegw.cli",
                "demo",
                "--port",
                str(port),
                "--state-dir",
                str(state),
                *extra,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.startswith("Dashboard: "):
                self.url = line.split(" ", 1)[1].strip()
                return
        self.proc.kill()
        raise AssertionError("the demo printed no dashboard URL:\n" + "".join(seen))

    def stop(self) -> str:
        """Ctrl-C, as a user stops it; returns what it printed after the URL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


@contextmanager
def dashboard(page: Page, state: Path, *extra: str) -> Iterator[Demo]:
    """The demo on ``state`` with ``extra`` options, its dashboard open in ``page`` and connected; once left, the
    demo stopped with Ctrl-C, and neither a traceback in what it printed nor an error in the page."""
    demo = Demo(state, 0, *extra)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(demo.url)
        expect(page.locator("#conn")).to_have_class("ok")
        yield demo
    finally:
        out = demo.stop()
    assert "Traceback" not in out, out
    assert errors == []


def log_in(page: Page) -> None:
    """Log in on the dashboard as the supervisor made beforehand."""
    page.click("#user")
    page.fill("#login-name", SUPERVISOR)
    page.fill("#login-pass", PASSWORD)
    page.click("#login-submit")
