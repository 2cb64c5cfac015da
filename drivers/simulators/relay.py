"""A Modbus relay board, as the site's audible/visual alarms (声光报警器) are wired: coils 0-63 on one
unit id, all off at power-up, served by pymodbus over TCP or a serial port.

The demo drives its siren through one; the siren tests read it back over the wire.
"""

from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.server.base import ModbusBaseServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.ports import free_tcp_port

COIL_WORDS = 4  # 4 words of 16 coils: coils 0-63
READ_COILS = 1  # Modbus function code of the coils' data block


class RelaySimulator:
    """A relay board on 127.0.0.1:``port`` (a free port when not given) or on the serial port ``serial``."""

    def __init__(self, *, port: int | None = None, serial: str | None = None, unit: int = 1) -> None:
        self.port = port or free_tcp_port()
        self.serial = serial
        self.unit = unit
        self.server: ModbusBaseServer | None = None

    @property
    def where(self) -> str:
        """Where the relay answers, for logs and the demo's banner."""
        return f"{self.serial} unit {self.unit}" if self.serial else f"127.0.0.1:{self.port} unit {self.unit}"

    def _device(self) -> SimDevice:
        coils = [SimData(0, values=[0] * COIL_WORDS, datatype=DataType.BITS)]
        spare_bits = [SimData(0, values=[0], datatype=DataType.BITS)]
        spare_regs = [SimData(0, values=[0], datatype=DataType.REGISTERS)]
        return SimDevice(id=self.unit, simdata=(coils, spare_bits, spare_regs, spare_regs))

    async def start(self) -> None:
        """Power up: every coil off."""
        if self.serial:
            self.server = ModbusSerialServer(self._device(), port=self.serial, baudrate=9600)
        else:
            self.server = ModbusTcpServer(self._device(), address=("127.0.0.1", self.port))
        await self.server.serve_forever(background=True)

    async def stop(self) -> None:
        """Power down."""
        if self.server is not None:
            await self.server.shutdown()  # type: ignore[no-untyped-call]  # pymodbus leaves it unannotated
            self.server = None
            await asyncio.sleep(0)

    async def reboot(self) -> None:
        """Power cycle: it comes back with every coil off."""
        await self.stop()
        await self.start()

    async def coils(self, count: int = 2) -> list[bool]:
        """Coils 0.. read back over the wire with a client of its own (TCP relays only)."""
        if self.serial:
            raise ValueError("a serial relay's line is held by its master: read memory_coils() instead")
        client = AsyncModbusTcpClient("127.0.0.1", port=self.port, timeout=2, retries=0)
        try:
            if not await client.connect():
                raise OSError(f"the relay at {self.where} does not accept connections")
            response = await client.read_coils(0, count=count, device_id=self.unit)
            if response.isError():
                raise OSError(f"the relay at {self.where} answered {response}")
            return list(response.bits[:count])
        finally:
            client.close()

    async def memory_coils(self, count: int = 2) -> list[bool]:
        """Coils 0.. as the relay holds them, read from its memory, not the wire."""
        if self.server is None:
            raise RuntimeError(f"the relay at {self.where} is not running")
        values = await self.server.context.async_getValues(self.unit, READ_COILS, 0, count)
        if not isinstance(values, list):
            raise OSError(f"the relay at {self.where} holds no coils 0-{count - 1}: {values}")
        return [bool(v) for v in values]
