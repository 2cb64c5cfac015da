"""Runs an ASGI app with uvicorn inside an existing event loop (the gateway's API, the regulator receiver)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI


class EmbeddedServer(uvicorn.Server):
    """uvicorn that leaves SIGINT and SIGTERM to the process that embeds it.

    Its own handlers would stop each server at the signal, whatever the process's order: in the demo the
    embedded regulator stopped while the gateway still delivered to it, and the gateway logged it as
    unreachable. The process stops its servers itself (plumbing/stop_signals.py), in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int, what: str = "the API", hint: str = "choose another port") -> socket.socket:
    """A non-blocking TCP listening socket on ``host:port``; OSError naming the address and ``hint`` if taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket says proto TCP; with proto 0 every keep-alive answer waits ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno, f"cannot listen on {host}:{port} for {what}: {exc.strerror} ({hint})"
        ) from exc
    sock.listen(1024)  # a burst of dashboards reconnecting after a restart must not be refused
    sock.setblocking(False)
    return sock


class ApiServer:
    """uvicorn on a socket bound before start, so port 0 gives a known free port at once."""

    def __init__(
        self,
        app: FastAPI,
        host: str,
        port: int,
        what: str = "the API",
        hint: str = "set api.port in the site file, or --port",
        forwarded_allow_ips: str | None = None,
    ) -> None:
        """``forwarded_allow_ips``: the reverse proxies (addresses, comma-separated, or ``*``) whose
        X-Forwarded-For names a request's client; None: uvicorn's default, $FORWARDED_ALLOW_IPS or 127.0.0.1."""
        self._app = app
        self._forwarded_allow_ips = forwarded_allow_ips
        self._what, self._hint = what, hint
        self._host = host
        self._port = port
        self._sock: socket.socket | None = None
        self._server: EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (meaningful after start)."""
        return self._port

    @property
    def url(self) -> str:
        """Base URL a browser on this machine can open."""
        host = "127.0.0.1" if self._host in ("0.0.0.0", "::", "") else self._host
        return f"http://{host}:{self.port}/"

    async def start(self) -> None:
        """Bind and serve in the background; raises OSError naming the address if it is taken."""
        self._sock = sock = listen(self._host, self._port, self._what, self._hint)
        self._port = sock.getsockname()[1]  # port 0 asked for any: remember the one given
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            forwarded_allow_ips=self._forwarded_allow_ips,
        )
        self._server = EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="api-server")
        # uvicorn sets a flag, not an event, when it is serving
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()

    async def wait(self) -> None:
        """Return when the server stopped by itself (it failed: signals are the embedding process's)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self, force: bool = True) -> None:
        """Stop accepting and close the socket. ``force`` cuts open connections (live streams
        would otherwise hold shutdown open); without it, requests in progress get their answer."""
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = force
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5 if force else 30)
        if self._sock is not None:
            self._sock.close()
