"""SIP messages over UDP (one datagram each) or TCP (a stream, messages delimited by Content-Length,
RFC 3261 §18.3), between this device and its one platform.

On TCP the device opens the connection and the platform's own requests come back on it; a broken
connection is opened again by the next message the device sends.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

from aiosipua import SipMessage

log = logging.getLogger(__name__)
Handler = Callable[[SipMessage], None]
_MAX_MESSAGE = 65535


def local_address_towards(host: str, port: int) -> str:
    """The address this box uses to reach ``host`` (a UDP connect sends nothing, it only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((socket.gethostbyname(host), port))
        return str(s.getsockname()[0])


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if data.strip():  # a CRLF keep-alive (RFC 5626) carries no message
            _deliver(data, self._handler)


def _deliver(data: bytes, handler: Handler) -> None:
    try:
        msg = SipMessage.parse(data)
    except ValueError as exc:
        log.warning("gb28181: dropped an unreadable SIP message (%s): %r", exc, data[:80])
        return
    handler(msg)


class SipTransport:
    """The device's SIP channel to the platform."""

    def __init__(self, proto: str, remote: tuple[str, int], local_port: int, handler: Handler) -> None:
        self.proto = proto
        self.remote = remote
        self._local_port = local_port
        self._handler = handler
        self._udp: asyncio.DatagramTransport | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self.local_port = local_port

    async def open(self) -> None:
        """Bind the local port (UDP) or connect to the platform (TCP)."""
        if self.proto == "udp":
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self._handler), local_addr=("0.0.0.0", self._local_port)
            )
            self._udp = transport
            self.local_port = transport.get_extra_info("sockname")[1]
        else:
            await self._connect()

    async def _connect(self) -> None:
        local = ("0.0.0.0", self._local_port) if self._local_port else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(*self.remote, local_addr=local), timeout=5.0
        )
        self._writer = writer
        self.local_port = writer.get_extra_info("sockname")[1]
        self._reader_task = asyncio.create_task(self._read(reader), name="gb28181-sip-tcp")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() in (b"content-length", b"l"):
                        length = int(value.strip() or b"0")
                if length > _MAX_MESSAGE:
                    raise ValueError(f"Content-Length {length} is beyond any SIP message")
                body = await reader.readexactly(length) if length else b""
                _deliver(head + body, self._handler)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError) as exc:
            log.info(
                "gb28181: the SIP connection to %s:%d closed (%s)", *self.remote, exc or "by the platform"
            )
        finally:
            self._drop()

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    async def send(self, msg: SipMessage) -> None:
        """Send a message to the platform (on TCP, connecting first when the connection is gone)."""
        data = bytes(msg)
        if self._udp is not None:
            self._udp.sendto(data, self.remote)
            return
        if self._writer is None:
            await self._connect()
        assert self._writer is not None
        self._writer.write(data)
        await self._writer.drain()

    async def close(self) -> None:
        """Close the socket or connection."""
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, return_exceptions=True)
            self._reader_task = None
        self._drop()
