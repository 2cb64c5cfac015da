"""One Modbus connection (a TCP socket to a device, or a serial port shared by an RS-485 bus).

A link turns every way a read can fail into a :class:`LinkError` with a kind (for counting and
log-once) and a sentence a site electrician can act on. The pymodbus client is used with its
own retries and reconnects switched off: the poller decides when to retry and how long to back
off, per device, so that one dead slave never holds the bus for the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException

from contract.config.profile import FunctionCode
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from drivers.modbus.plan import FC_NUMBER, Request

# Modbus application protocol 1.1b3, section 7: what each exception code tells the installer
EXCEPTION_MEANING = {
    1: "ILLEGAL FUNCTION: the device does not support this function code",
    2: "ILLEGAL DATA ADDRESS: the device does not serve these addresses",
    3: "ILLEGAL DATA VALUE: the device refuses this register count",
    4: "SERVER DEVICE FAILURE: the device failed while answering",
    5: "ACKNOWLEDGE: the device accepted a long-running request",
    6: "SERVER DEVICE BUSY: the device is busy, try again later",
    8: "MEMORY PARITY ERROR: the device's memory is faulty",
    10: "GATEWAY PATH UNAVAILABLE: the Modbus gateway has no route to this unit id",
    11: "GATEWAY TARGET DEVICE FAILED TO RESPOND: the unit behind the Modbus gateway is silent",
}

# pymodbus's own timeout sits behind ours, so that every silence is reported by read() as a timeout
_CLIENT_TIMEOUT_MARGIN_S = 1.0

_Reader = Callable[..., Awaitable[Any]]
_READERS: dict[FunctionCode, Callable[[ModbusBaseClient], _Reader]] = {
    FunctionCode.COILS: lambda c: c.read_coils,
    FunctionCode.DISCRETE_INPUTS: lambda c: c.read_discrete_inputs,
    FunctionCode.HOLDING: lambda c: c.read_holding_registers,
    FunctionCode.INPUT: lambda c: c.read_input_registers,
}


class LinkError(Exception):
    """A read that gave no usable answer.

    ``kind`` is one of ``connect``, ``timeout``, ``garbage``, ``exception``; ``answered`` says
    whether the device itself responded (an exception response proves it is alive).
    """

    def __init__(self, kind: str, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code

    @property
    def answered(self) -> bool:
        """True when the device answered (with an exception response)."""
        return self.kind == "exception"


ClientFactory = Callable[[Callable[[bool, bytes], bytes]], ModbusBaseClient]


class ModbusLink:
    """A pymodbus async client plus a lock, shared by every device reached through it.

    The client is made on first use, inside the event loop (pymodbus needs a running loop), so a
    driver can be built, and its counters read, before it starts.
    """

    def __init__(self, factory: ClientFactory, description: str, drop_on_failure: bool) -> None:
        self._factory = factory
        self._client: ModbusBaseClient | None = None
        self.description = description
        # TCP: a timed-out or garbled stream is reopened; RS-485: the port stays open for the others
        self._drop_on_failure = drop_on_failure
        self._lock = asyncio.Lock()
        self._received = bytearray()

    @classmethod
    def tcp(cls, transport: ModbusTcpTransport, timeout_s: float) -> ModbusLink:
        """A link of its own to one Modbus TCP device whose answers take at most ``timeout_s``."""
        return cls(
            lambda trace: AsyncModbusTcpClient(
                transport.host,
                port=transport.port,
                timeout=timeout_s + _CLIENT_TIMEOUT_MARGIN_S,
                retries=0,
                reconnect_delay=0,
                trace_packet=trace,
            ),
            f"tcp {transport.host}:{transport.port}",
            drop_on_failure=True,
        )

    @classmethod
    def rtu(cls, transport: ModbusRtuTransport, timeout_s: float) -> ModbusLink:
        """The link of one serial port, shared by every slave on that RS-485 bus (``timeout_s``: the
        longest of their timeouts)."""
        settings = f"{transport.baudrate} {transport.bytesize}{transport.parity}{transport.stopbits}"
        return cls(
            lambda trace: AsyncModbusSerialClient(
                transport.port,
                baudrate=transport.baudrate,
                bytesize=transport.bytesize,
                parity=transport.parity,
                stopbits=transport.stopbits,
                timeout=timeout_s + _CLIENT_TIMEOUT_MARGIN_S,
                retries=0,
                reconnect_delay=0,
                trace_packet=trace,
            ),
            f"rtu {transport.port} {settings}",
            drop_on_failure=False,
        )

    def _client_now(self) -> ModbusBaseClient:
        if self._client is None:
            self._client = self._factory(self._trace)
            self._guard_framer(self._client)
        return self._client

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            self._received.extend(data)
        return data

    @staticmethod
    def _guard_framer(client: ModbusBaseClient) -> None:
        """Undecodable bytes must not raise inside asyncio's data_received (a traceback, a dead socket),
        and an answer must carry the request's own transaction id.

        Undecodable bytes are discarded here; the read then times out and is reported as garbage with
        the bytes seen. pymodbus takes a transaction id of 0 for "any request", so a stale answer with
        id 0 (the first one after a reconnect) would pass as the answer to the next request: Modbus/TCP
        echoes the request's id exactly (Messaging on TCP/IP guide 3.1.3), so any other id is skipped.
        """
        framer = client.ctx.framer
        original = framer.handleFrame

        def guarded(data: bytes, exp_devid: int, exp_tid: int) -> tuple[int, Any]:
            used = 0
            while True:
                try:
                    n, pdu = original(data[used:], exp_devid, exp_tid)
                except ModbusIOException:
                    return len(data), None
                used += n
                if pdu is None or not exp_tid or pdu.transaction_id == exp_tid or n == 0:
                    return used, pdu

        # pymodbus offers no hook for a frame it cannot parse, so its method is wrapped on this one instance
        framer.handleFrame = guarded  # type: ignore[method-assign]

    async def read(self, request: Request, unit: int, timeout_s: float) -> list[int] | list[bool]:
        """Registers (or bits) of ``request`` from ``unit``; raise LinkError on any failure."""
        async with self._lock:
            client = self._client_now()
            await self._ensure_connected(client, timeout_s)
            self._received.clear()
            try:
                async with asyncio.timeout(timeout_s):
                    response = await _READERS[request.function](client)(
                        request.address, count=request.count, device_id=unit
                    )
            except TimeoutError:
                raise self._failed(self._silence_error(timeout_s)) from None
            except (ConnectionException, ModbusIOException) as exc:
                raise self._failed(
                    LinkError("connect", f"connection to {self.description} lost ({exc})")
                ) from None
            except ModbusException as exc:
                raise self._failed(LinkError("garbage", f"unusable answer: {exc}")) from None
            function = FC_NUMBER[request.function]
            if response.function_code & 0x7F != function:
                # an answer to another request (FC04 to our FC03): its registers are not the ones asked for
                raise self._failed(
                    LinkError(
                        "garbage",
                        f"answered function code {response.function_code} to a request with FC{function:02d}",
                    )
                )
            if response.isError():
                code = int(getattr(response, "exception_code", 0))
                meaning = EXCEPTION_MEANING.get(code, "unknown exception code")
                raise LinkError("exception", f"exception response {code} ({meaning})", code)
            is_bits = request.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
            data = list(response.bits[: request.count]) if is_bits else list(response.registers)
            if len(data) != request.count:
                raise self._failed(
                    LinkError("garbage", f"answered {len(data)} values where {request.count} were asked for")
                )
            return data

    async def _ensure_connected(self, client: ModbusBaseClient, timeout_s: float) -> None:
        if client.connected:
            return
        try:
            async with asyncio.timeout(timeout_s + 1.0):
                ok = await client.connect()
        except TimeoutError:
            ok = False
        if not ok:
            raise LinkError("connect", f"cannot connect to {self.description}")

    def _silence_error(self, timeout_s: float) -> LinkError:
        if self._received:
            shown = bytes(self._received[:32]).hex(" ")
            more = " ..." if len(self._received) > 32 else ""
            return LinkError(
                "garbage",
                f"answered {len(self._received)} bytes that are not a valid Modbus "
                f"frame (bad CRC, framing or header): {shown}{more}",
            )
        return LinkError("timeout", f"no answer within {timeout_s:g} s")

    def _failed(self, error: LinkError) -> LinkError:
        if self._drop_on_failure and self._client is not None:
            self._client.close()
        return error

    async def close(self) -> None:
        """Close the connection (or serial port)."""
        async with self._lock:
            if self._client is not None:
                self._client.close()


class _PymodbusNoise(logging.Filter):
    """Drops pymodbus's own warnings and errors: the driver reports each failure itself, once,
    with the device, unit and register, instead of pymodbus's line per failed request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING


def quiet_pymodbus_client_errors() -> None:
    """Install the filter once (idempotent)."""
    logger = logging.getLogger("pymodbus.logging")
    if not any(isinstance(f, _PymodbusNoise) for f in logger.filters):
        logger.addFilter(_PymodbusNoise())
