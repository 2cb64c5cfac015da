"""Runs an ASGI app with uvicorn inside the gateway's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import uvicorn
from fastapi import FastAPI


class ApiServer:
    """uvicorn on a socket bound before start, so port 0 gives a known free port at once."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (meaningful after start)."""
        return self._sock.getsockname()[1] if self._sock else self._port

    @property
    def url(self) -> str:
        """Base URL a browser on this machine can open."""
        host = "127.0.0.1" if self._host in ("0.0.0.0", "::", "") else self._host
        return f"http://{host}:{self.port}/"

    async def start(self) -> None:
        """Bind and serve in the background; raises OSError naming the address if it is taken."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            raise OSError(exc.errno, f"cannot listen on {self._host}:{self._port} for the API: {exc.strerror} "
                                     "(set api.port in the site file, or --port)") from exc
        sock.listen(128)
        sock.setblocking(False)
        self._sock = sock
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="api-server")
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()

    async def stop(self) -> None:
        """Stop accepting, finish open requests briefly, close the socket."""
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True  # SSE streams would otherwise hold shutdown open
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)
        if self._sock is not None:
            self._sock.close()
