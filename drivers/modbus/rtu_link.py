"""One RS-485 bus (a serial port shared by its slaves), read with pymodbus's RTU client.

RTU framing is timing-bound (silent intervals between frames), which pymodbus's serial client
handles well, so the serial path keeps it; Modbus TCP devices use the leaner drivers/modbus/tcp_link.py.
The client's own retries and reconnects are switched off: the poller decides when to retry and how
long to back off, per device, so that one dead slave never holds the bus for the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pymodbus.client import AsyncModbusSerialClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException

from contract.config.profile import FunctionCode
from contract.config.transport import ModbusRtuTransport
from drivers.modbus.link import EXCEPTION_MEANING, LinkError, silence_error
from drivers.modbus.plan import FC_NUMBER, Request

_Reader = Callable[..., Awaitable[Any]]
_READERS: dict[FunctionCode, Callable[[ModbusBaseClient], _Reader]] = {
    FunctionCode.COILS: lambda c: c.read_coils,
    FunctionCode.DISCRETE_INPUTS: lambda c: c.read_discrete_inputs,
    FunctionCode.HOLDING: lambda c: c.read_holding_registers,
    FunctionCode.INPUT: lambda c: c.read_input_registers,
}


# pymodbus's own timeout sits behind ours, so that every silence is reported by read() as a timeout
_CLIENT_TIMEOUT_MARGIN_S = 1.0


class RtuLink:
    """A pymodbus serial client plus a lock, shared by every slave on one RS-485 bus.

    The client is made on first use, inside the event loop (pymodbus needs a running loop), so a
    driver can be built, and its counters read, before it starts. A timed-out or garbled read
    leaves the port open for the bus's other slaves.
    """

    def __init__(self, transport: ModbusRtuTransport, timeout_s: float) -> None:
        """``timeout_s``: the longest of the bus's slaves' timeouts."""
        self._transport = transport
        self._timeout_s = timeout_s
        self._client: ModbusBaseClient | None = None
        settings = f"{transport.baudrate} {transport.bytesize}{transport.parity}{transport.stopbits}"
        self.description = f"rtu {transport.port} {settings}"
        self._lock = asyncio.Lock()
        self._received = bytearray()

    def _client_now(self) -> ModbusBaseClient:
        if self._client is None:
            t = self._transport
            self._client = AsyncModbusSerialClient(
                t.port,
                baudrate=t.baudrate,
                bytesize=t.bytesize,
                parity=t.parity,
                stopbits=t.stopbits,
                timeout=self._timeout_s + _CLIENT_TIMEOUT_MARGIN_S,
                retries=0,
                reconnect_delay=0,
                trace_packet=self._trace,
            )
            self._guard_framer(self._client)
        return self._client

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            self._received.extend(data)
        return data

    @staticmethod
    def _guard_framer(client: ModbusBaseClient) -> None:
        """Undecodable bytes must not raise inside asyncio's data_received (a traceback, a dead port).

        They are discarded here; the read then times out and is reported as garbage with the bytes
        seen. (RTU frames carry no transaction id: ``exp_tid`` is 0 and every frame is the answer.)
        """
        framer = client.ctx.framer
        original = framer.handleFrame

        def guarded(data: bytes, exp_devid: int, exp_tid: int) -> tuple[int, Any]:
            try:
                return original(data, exp_devid, exp_tid)
            except ModbusIOException:
                return len(data), None

        # pymodbus offers no hook for a frame it cannot parse, so its method is wrapped on this one instance
        framer.handleFrame = guarded  # type: ignore[method-assign]

    async def read(self, request: Request, unit: int, timeout_s: float) -> list[int] | list[bool]:
        """Registers (or bits) of ``request`` from ``unit``; raise LinkError on any failure."""
        function = FC_NUMBER[request.function]
        response = await self._exchange(
            lambda c: _READERS[request.function](c)(request.address, count=request.count, device_id=unit),
            function,
            timeout_s,
        )
        is_bits = request.function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
        data = list(response.bits[: request.count]) if is_bits else list(response.registers)
        if len(data) != request.count:
            raise LinkError("garbage", f"answered {len(data)} values where {request.count} were asked for")
        return data

    async def write(self, address: int, words: list[int], unit: int, timeout_s: float) -> None:
        """Write ``words`` to the holding registers from ``address`` of ``unit`` (FC16); raise LinkError on
        any failure."""
        await self._exchange(lambda c: c.write_registers(address, words, device_id=unit), 16, timeout_s)

    async def _exchange(
        self, call: Callable[[ModbusBaseClient], Awaitable[Any]], function: int, timeout_s: float
    ) -> Any:
        """The answer to ``call`` (a request with function code ``function``), or a LinkError for a silence,
        a lost port, garbage, another function's answer or an exception answer."""
        async with self._lock:
            client = self._client_now()
            await self._ensure_connected(client, timeout_s)
            self._received.clear()
            try:
                async with asyncio.timeout(timeout_s):
                    response = await call(client)
            except TimeoutError:
                raise silence_error(
                    bytes(self._received), len(self._received), timeout_s, "bad CRC, framing or header"
                ) from None
            except (ConnectionException, ModbusIOException) as exc:
                raise LinkError("connect", f"connection to {self.description} lost ({exc})") from None
            except ModbusException as exc:
                raise LinkError("garbage", f"unusable answer: {exc}") from None
            if response.function_code & 0x7F != function:
                # an answer to another request (FC04 to our FC03): its registers are not the ones asked for
                raise LinkError(
                    "garbage",
                    f"answered function code {response.function_code} to a request with FC{function:02d}",
                )
            if response.isError():
                code = int(getattr(response, "exception_code", 0))
                meaning = EXCEPTION_MEANING.get(code, "unknown exception code")
                raise LinkError("exception", f"exception response {code} ({meaning})", code)
            return response

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

    async def close(self) -> None:
        """Close the serial port."""
        async with self._lock:
            if self._client is not None:
                self._client.close()
