"""Run the regulator service with uvicorn inside an existing event loop (the demo, the tests, the benchmarks)."""

from __future__ import annotations

from pathlib import Path

from gateway.api.server import ApiServer
from regulator.app import create_app
from regulator.review import DeadlinePolicy
from regulator.storage import Repository


class RegulatorServer:
    """``await start()`` serves the receiver on ``host:port`` (port 0: a free one); ``await stop()`` ends it."""

    def __init__(self, db: str | Path, host: str = "127.0.0.1", port: int = 0, *, evidence_dir: Path | None = None,
                 policy: DeadlinePolicy | None = None, offline_after_s: float = 600.0,
                 escalate_every_s: float = 60.0) -> None:
        self.db = db
        self.repo = Repository(db, evidence_dir)
        self.host = host
        app = create_app(self.repo, policy, offline_after_s, escalate_every_s)
        self._http = ApiServer(app, host, port, what="the regulator", hint="choose another --port")

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self._http.port

    @property
    def base_url(self) -> str:
        """What a gateway's regulator uplink puts in ``base_url``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; returns once the socket accepts connections."""
        await self._http.start()

    async def wait(self) -> None:
        """Return when the server stopped by itself (uvicorn handles SIGINT/SIGTERM when in the main thread)."""
        await self._http.wait()

    async def stop(self) -> None:
        """Stop accepting, finish requests in progress (their events are stored), close the database."""
        await self._http.stop(force=False)
        self.repo.close()
