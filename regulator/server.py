"""Run the receiver with uvicorn inside an existing event loop (the demo, the tests, the benchmarks)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import uvicorn

from regulator.app import create_app
from regulator.storage import Repository


class RegulatorServer:
    """``await start()`` serves the receiver on ``host:port`` (port 0: a free one); ``await stop()`` ends it."""

    def __init__(self, db: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.db = db
        self.repo = Repository(db)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """What a gateway's regulator uplink puts in ``base_url``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; returns once the socket accepts connections."""
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the listening
        # socket says proto TCP; with proto 0 every keep-alive answer waited ~40 ms for a delayed ACK
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(self.repo), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
            await asyncio.sleep(0.01)

    async def wait(self) -> None:
        """Return when the server stopped by itself (uvicorn handles SIGINT/SIGTERM when in the main thread)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Stop accepting, finish requests in progress, close the database."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None
        self.repo.close()
