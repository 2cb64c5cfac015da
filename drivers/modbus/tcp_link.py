"""One Modbus TCP device, framed here on an asyncio protocol rather than by pymodbus's client.

Why not pymodbus here: a profile of 20 devices polled every 100 ms put half of the poller's CPU in
pymodbus's per-request machinery (transaction manager, framer, packet tracing, its own timeout).
A read of registers or bits is a fixed 12-byte request and a length-prefixed answer, so this module
does exactly that and no more, from the specifications: Modbus Messaging on TCP/IP Implementation
Guide v1.0b, 3.1.3 (the MBAP header: transaction id, protocol id 0, length of what follows, unit id)
and Modbus Application Protocol v1.1b3, 6.1-6.4 (read coils, discrete inputs, holding and input
registers), 6.12 (write multiple registers: a data logger's acknowledgement) and 7 (exception
answers). The serial path keeps pymodbus (drivers/modbus/rtu_link.py).

What the device sends is trusted no further than the spec: an answer must carry the request's own
transaction id and unit id (others, such as a stale answer after a timeout, are skipped), its
function code, and exactly the values asked for. A stream that cannot be framed (a protocol id
other than 0, an impossible length) fails the read and the connection is reopened, so nothing of it
can be taken for the next answer.
"""

from __future__ import annotations

import asyncio
import math
import struct
from collections.abc import Callable
from typing import TypeVar

from contract.config.profile import FunctionCode
from contract.config.transport import ModbusTcpTransport
from drivers.modbus.link import EXCEPTION_MEANING, LinkError, silence_error
from drivers.modbus.plan import FC_NUMBER, Request

_MBAP = struct.Struct(">HHHB")  # transaction id, protocol id, length (unit id + PDU), unit id
_HEAD = struct.Struct(">BHH")  # function code, start address, quantity: a read's request, a write's answer
_WRITE = struct.Struct(">BHHB")  # FC16, start address, quantity, byte count (then the words)
_FC16 = 16  # write multiple registers (application protocol 6.12)
_MAX_LENGTH = 254  # an ADU is at most 260 bytes: 6 of MBAP before the length's count (guide 3.1.3)
_SHOWN = 64  # bytes kept of what a device sent, for the error that shows them
_BITS = (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
_T = TypeVar("_T")


class _FramingError(Exception):
    """The bytes are not the answer asked for: a stream that cannot be split into Modbus TCP answers,
    or an answer of the request's ids that does not fit the request."""


class _MbapProtocol(asyncio.Protocol):
    """Splits the stream into answers and hands the one with the expected ids to the waiting read."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop  # kept: asyncio.get_running_loop() asks the OS for the process id every call
        self.transport: asyncio.Transport | None = None
        self.received = bytearray()  # what came since the current request was sent (the first bytes)
        self.received_count = 0
        self._buf = bytearray()
        self._waiter: asyncio.Future[bytes] | None = None
        self._tid = self._unit = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def expect(self, tid: int, unit: int) -> asyncio.Future[bytes]:
        """A future for the PDU of the answer with these ids; what came before is dropped."""
        self._tid, self._unit = tid, unit
        self.received.clear()
        self.received_count = 0
        self._waiter = self.loop.create_future()
        return self._waiter

    def data_received(self, data: bytes) -> None:
        if len(self.received) < _SHOWN:
            self.received.extend(data[: _SHOWN - len(self.received)])
        self.received_count += len(data)
        buf = self._buf
        buf.extend(data)
        while len(buf) >= _MBAP.size:
            tid, protocol, length, unit = _MBAP.unpack_from(buf)
            if protocol != 0 or not 2 <= length <= _MAX_LENGTH:
                buf.clear()
                self._fail(_FramingError(f"protocol id {protocol}, length {length}"))
                return
            end = 6 + length
            if len(buf) < end:
                return  # the rest of the answer is still on its way
            pdu = bytes(buf[_MBAP.size : end])
            del buf[:end]
            waiter = self._waiter
            if waiter is not None and not waiter.done() and tid == self._tid and unit == self._unit:
                waiter.set_result(pdu)
            # any other answer (a stale one, another unit's) is skipped: guide 3.1.3, the device echoes
            # the request's transaction id, so it does not answer the request now outstanding

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(ConnectionError(str(exc) if exc else "closed by the device"))

    def _fail(self, exc: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)


class TcpLink:
    """One TCP connection to one Modbus TCP device, opened on first use and after any failure."""

    def __init__(self, transport: ModbusTcpTransport) -> None:
        self._host, self._port = transport.host, transport.port
        self.description = f"tcp {transport.host}:{transport.port}"
        self._protocol: _MbapProtocol | None = None
        self._lock = asyncio.Lock()
        self._tid = 0

    async def read(self, request: Request, unit: int, timeout_s: float) -> list[int] | list[bool]:
        """Registers (or bits) of ``request`` from ``unit``; raise LinkError on any failure."""
        function = FC_NUMBER[request.function]
        pdu = _HEAD.pack(function, request.address, request.count)
        return await self._exchange(pdu, unit, timeout_s, lambda answer: _values(answer, request, function))

    async def write(self, address: int, words: list[int], unit: int, timeout_s: float) -> None:
        """Write ``words`` to the holding registers from ``address`` of ``unit`` (FC16); raise LinkError on
        any failure, an answer that is not the echo of the write included."""
        pdu = _WRITE.pack(_FC16, address, len(words), 2 * len(words)) + struct.pack(f">{len(words)}H", *words)
        await self._exchange(pdu, unit, timeout_s, lambda answer: _written(answer, address, len(words)))

    async def _exchange(self, pdu: bytes, unit: int, timeout_s: float, parse: Callable[[bytes], _T]) -> _T:
        """Send one request PDU to ``unit`` and ``parse`` the answer's PDU, every failure a LinkError."""
        async with self._lock:
            protocol = self._protocol
            if protocol is None or protocol.transport is None:
                protocol = await self._connect(timeout_s)
            assert protocol.transport is not None
            self._tid = self._tid % 0xFFFF + 1  # 1..65535: 0 is what a confused device sends
            answer = protocol.expect(self._tid, unit)
            protocol.transport.write(_MBAP.pack(self._tid, 0, 1 + len(pdu), unit) + pdu)
            # a timer failing the future, not asyncio.timeout: no timeout object and task bookkeeping
            # per request for a deadline that is almost never reached
            timer = protocol.loop.call_later(timeout_s, _expire, answer)
            try:
                try:
                    got = await answer
                finally:
                    timer.cancel()
                return parse(got)
            except LinkError as exc:
                if not exc.answered:  # an exception answer is a device alive and in step: keep the stream
                    self._drop()
                raise
            except (TimeoutError, _FramingError) as exc:
                self._drop()
                framing = str(exc) if isinstance(exc, _FramingError) else "framing or header"
                raise silence_error(
                    bytes(protocol.received), protocol.received_count, timeout_s, framing
                ) from None
            except ConnectionError as exc:
                self._drop()
                raise LinkError("connect", f"connection to {self.description} lost ({exc})") from None

    async def _connect(self, timeout_s: float) -> _MbapProtocol:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout_s + 1.0):
                _, protocol = await loop.create_connection(
                    lambda: _MbapProtocol(loop), self._host, self._port
                )
        except (OSError, TimeoutError) as exc:
            reason = "no answer to the connection" if isinstance(exc, TimeoutError) else exc.strerror or exc
            raise LinkError("connect", f"cannot connect to {self.description} ({reason})") from None
        self._protocol = protocol
        return protocol

    def _drop(self) -> None:
        """Close the connection after a read that left the stream in doubt, so that nothing of it is
        taken for the next answer; the next read reconnects."""
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None

    async def close(self) -> None:
        """Close the connection."""
        async with self._lock:
            self._drop()


def _expire(answer: asyncio.Future[bytes]) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())


def _exception(pdu: bytes, function: int) -> None:
    """Raise the LinkError of an exception answer (application protocol 7: function code + 0x80 and an
    exception code); return if ``pdu`` is not one."""
    if pdu[0] == function | 0x80 and len(pdu) == 2:
        meaning = EXCEPTION_MEANING.get(pdu[1], "unknown exception code")
        raise LinkError("exception", f"exception response {pdu[1]} ({meaning})", pdu[1])


def _written(pdu: bytes, address: int, count: int) -> None:
    """Check the answer to a write of ``count`` registers from ``address`` (application protocol 6.12: the
    function code, start address and quantity echoed)."""
    _exception(pdu, _FC16)
    if pdu != _HEAD.pack(_FC16, address, count):
        raise _FramingError(f"answer {pdu[:8].hex(' ')} is not the echo of a write of {count} from {address}")


def _values(pdu: bytes, request: Request, function: int) -> list[int] | list[bool]:
    """The registers or bits of an answer PDU, checked against the request (application protocol
    6.1-6.4: function code, byte count, data; 7: function code + 0x80 and an exception code).
    An exception answer raises LinkError; an answer that is not the one asked for, _FramingError."""
    if pdu[0] != function:
        _exception(pdu, function)  # checked only here: the poll's answer pays no call for it
        # an answer to another request (FC04 to our FC03): its registers are not the ones asked for
        raise _FramingError(f"function code {pdu[0]} to a request with FC{function:02d}")
    if len(pdu) < 2 or pdu[1] != len(pdu) - 2:
        raise _FramingError(
            f"byte count {pdu[1] if len(pdu) > 1 else 'missing'} for {len(pdu) - 2} data bytes"
        )
    data = pdu[2:]
    if request.function in _BITS:
        if len(data) != math.ceil(request.count / 8):
            raise _FramingError(f"{8 * len(data)} bits where {request.count} were asked for")
        return [bool(data[i // 8] >> (i % 8) & 1) for i in range(request.count)]
    if len(data) != 2 * request.count:
        raise _FramingError(f"{len(data) // 2} registers where {request.count} were asked for")
    return list(struct.unpack(f">{request.count}H", data))
