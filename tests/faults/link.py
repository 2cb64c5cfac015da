"""The network between a site and its regulator, with the faults a 4G uplink and the boxes along it
bring: a real TCP relay in front of the real `sitegw regulator serve`, switched between modes while
the gateway runs.

It stands in for what cannot be installed here (a carrier's network, a broken corporate proxy, a
captive portal); what it does in each mode is what those do on the wire, not anything sitegw says:

- ``pass``: every byte relayed both ways;
- ``down``: nothing listens on the port (connection refused), and open connections are cut;
- ``http_500``: a gateway-side proxy answers ``500`` itself and forwards nothing;
- ``slow``: requests reach the regulator at once, its answers come ``lag_s`` later (the regulator
  stored the event, the gateway's request timed out before hearing so);
- ``ok_not_stored``: a broken proxy or captive portal answers ``200`` with its own page and forwards
  nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from tests.faults.relay_loop import RelayLoop

Mode = Literal["pass", "down", "http_500", "slow", "ok_not_stored"]

PORTAL_PAGE = (
    b"<html><body>\xe6\xac\xa2\xe8\xbf\x8e\xe4\xbd\xbf\xe7\x94\xa8 4G \xe7\xbd\x91\xe7\xbb\x9c</body></html>"
)


class FaultyLink(RelayLoop):
    """Relay ``port`` to ``upstream`` on 127.0.0.1, in the mode last set (``pass`` at first)."""

    def __init__(self, port: int, upstream: int, lag_s: float = 30.0) -> None:
        super().__init__("faulty-link")
        self.port, self.upstream, self.lag_s = port, upstream, lag_s
        self.mode: Mode = "pass"
        self.answered_itself = 0  # requests the link answered without forwarding (500 or a fake 200)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> FaultyLink:
        self._start_loop()
        self.set_mode("pass")
        return self

    def __exit__(self, *_: object) -> None:
        self._call(self._close())
        self._stop_loop()

    def set_mode(self, mode: Mode) -> None:
        """Switch to ``mode``; connections opened before are cut, as a network change cuts them."""
        self._call(self._switch(mode))

    async def _switch(self, mode: Mode) -> None:
        await self._close()
        self.mode = mode
        if mode != "down":
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", self.port, reuse_address=True
            )

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._cancel_tasks()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode in ("http_500", "ok_not_stored"):
            self._spawn(self._answer_itself(reader, writer, self.mode))
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            writer.close()
            return
        lag = self.lag_s if self.mode == "slow" else 0.0
        self._spawn(self._pipe(reader, up_writer, 0.0))
        self._spawn(self._pipe(up_reader, writer, lag))

    async def _answer_itself(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, mode: Mode
    ) -> None:
        """Read one HTTP request (head and Content-Length body) and answer it without forwarding."""
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
            self.answered_itself += 1
            if mode == "http_500":
                status, ctype, body = (
                    b"500 Internal Server Error",
                    b"application/json",
                    b'{"error": "upstream"}',
                )
            else:
                status, ctype, body = b"200 OK", b"text/html; charset=utf-8", PORTAL_PAGE
            writer.write(
                b"HTTP/1.1 "
                + status
                + b"\r\nContent-Type: "
                + ctype
                + b"\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
            await writer.drain()
        writer.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, lag_s: float) -> None:
        try:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    await asyncio.sleep(lag_s)
                    dst.write(data)
                    await dst.drain()
        finally:
            dst.close()
