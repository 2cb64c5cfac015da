"""A whole simulated site served by a real gateway, in a thread of the test process.

It is `sitegw demo` itself (real pymodbus servers over TCP and a pty pair, the pit over the
embedded MQTT broker, the gateway's uvicorn on a free port), so the API is tested against the
readings and alerts a site really produces. The gateway object is handed back for assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.api.auth_store import AuthStore
from sitegw.demo import DemoOptions, run_demo
from sitegw.runtime import Gateway

PASSWORD = "correct-horse-9"


@dataclass
class RunningSite:
    """The demo's gateway and where to reach it."""

    gw: Gateway
    url: str
    state_dir: Path

    def login(self, name: str) -> dict[str, str]:
        """Headers with a fresh token of the user ``name`` (made by :func:`running_site`)."""
        r = httpx.post(
            self.url + "api/v1/auth/login", json={"username": name, "password": PASSWORD}, timeout=10
        )
        r.raise_for_status()
        return {"Authorization": "Bearer " + r.json()["token"]}


@contextlib.contextmanager
def running_site(state_dir: Path, scenarios: bool = True, cameras: bool = False) -> Iterator[RunningSite]:
    """Run the demo until the block ends; users viewer1, super1 and admin1 exist (password PASSWORD).

    Without the demo's camera by default: its worker process loads OpenCV and the model for
    seconds of CPU the API tests do not need (the browser tests run the demo with it). The pour
    waits for a supervisor (the tests start and end it)."""
    store = AuthStore(state_dir / "users.sqlite")
    for name, role in (("viewer1", "viewer"), ("super1", "supervisor"), ("admin1", "admin")):
        store.add_user(name, role, PASSWORD, replace=True)
    store.close()
    ready = threading.Event()
    holder: dict[str, object] = {}
    loop = asyncio.new_event_loop()

    def on_ready(gw: Gateway) -> None:
        holder["gw"] = gw
        ready.set()

    async def main() -> None:
        holder["task"] = asyncio.current_task()
        await run_demo(
            DemoOptions(state_dir=state_dir, port=0, scenarios=scenarios, cameras=cameras, pour_after_s=None),
            on_ready=on_ready,
        )

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:
            holder["error"] = exc
        finally:
            ready.set()
            # as asyncio.run does: end what the run left (sse-starlette's shutdown watcher)
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.close()

    thread = threading.Thread(target=thread_main, name="demo-site", daemon=True)
    thread.start()
    ready.wait(60)
    if "gw" not in holder:
        raise AssertionError(f"the demo site did not start: {holder.get('error')!r}")
    gw = holder["gw"]
    assert isinstance(gw, Gateway) and gw.url is not None
    try:
        yield RunningSite(gw, gw.url, state_dir)
    finally:
        task = holder["task"]
        assert isinstance(task, asyncio.Task)
        loop.call_soon_threadsafe(task.cancel)
        thread.join(30)
