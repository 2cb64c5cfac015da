"""Serve device profiles as real pymodbus servers (TCP or serial), several unit ids per server.

Each unit is a profile plus a function returning its current values; on every read the
registers asked for are refreshed from that function through the same encoder the driver's
decoder inverts. Only the addresses the profile maps are served: reading anything else gets
exception 2 (ILLEGAL DATA ADDRESS), as from a strict black box. On a serial bus a unit id
nobody has stays silent, as on a real RS-485 line; over TCP it gets exception 11 (gateway
target failed to respond), as from a Modbus TCP gateway.

A server can report every read it answers (``served``): when, which unit, and the registers it sent,
so a test or an installer can set what a gateway stored against what the device served
(``sitegw simulate crane --served-log FILE`` writes them as JSON lines).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from pymodbus.constants import ExcCodes
from pymodbus.exceptions import NoSuchIdException
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.server.base import ModbusBaseServer
from pymodbus.simulator import DataType, SimData, SimDevice
from pymodbus.simulator.simcore import SimCore

from contract.config.profile import FunctionCode, ModbusMap
from drivers.simulators.record_store import RecordStore
from drivers.simulators.register_image import build_image, served_addresses

log = logging.getLogger(__name__)

ValueSource = Callable[[], Mapping[str, float | str]]

_FC_BLOCK = {
    1: FunctionCode.COILS,
    2: FunctionCode.DISCRETE_INPUTS,
    3: FunctionCode.HOLDING,
    4: FunctionCode.INPUT,
}
_BIT_FUNCTIONS = (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)


@dataclass
class SimUnit:
    """One simulated device on a server: its unit id, register map and value source, and for a data logger
    its record store (served in the registers of the map's ``history``)."""

    unit_id: int
    modbus: ModbusMap
    values: ValueSource
    records: RecordStore | None = None


class _SilentForUnknownIds(SimCore):
    """pymodbus's SimCore answers unknown ids with a device failure; a real bus stays silent. So do the units
    in ``dead`` (:meth:`ModbusSimulatorServer.kill`)."""

    def __init__(self, devices: list[SimDevice], dead: set[int]) -> None:
        super().__init__(devices)
        self.dead = dead

    async def async_getValues(
        self, device_id: int, func_code: int, address: int, count: int = 1
    ) -> list[int] | list[bool] | ExcCodes:
        if device_id not in self.devices or device_id in self.dead:
            raise NoSuchIdException(f"no unit {device_id} here")
        return await super().async_getValues(device_id, func_code, address, count)

    async def async_setValues(
        self, device_id: int, func_code: int, address: int, values: list[int] | list[bool]
    ) -> ExcCodes | None:
        if device_id not in self.devices or device_id in self.dead:
            raise NoSuchIdException(f"no unit {device_id} here")
        return await super().async_setValues(device_id, func_code, address, values)


@dataclass(frozen=True, slots=True)
class Served:
    """One read a simulated unit answered: its wall-clock time (taken as the answer is made, before it
    is sent), the unit, the function code, the first address asked for and the 16-bit words of the
    answer (for coils and discrete inputs: the words that hold the bits, 16 to a word)."""

    t: float
    unit: int
    function: int
    address: int
    count: int
    words: list[int]


ServedHook = Callable[[Served], None]


class ServedLog:
    """A :data:`ServedHook` writing each answered read to ``path`` as one JSON line, flushed at once
    (the file is read while the simulator runs)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] = path.open("a", encoding="utf-8")

    def __call__(self, served: Served) -> None:
        self._file.write(json.dumps(asdict(served), separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def _runs(addresses: list[int]) -> list[tuple[int, int]]:
    """Contiguous (start, length) runs of sorted addresses."""
    runs: list[tuple[int, int]] = []
    for a in addresses:
        if runs and runs[-1][0] + runs[-1][1] == a:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((a, 1))
    return runs


def _bit_words(bits: Mapping[int, int]) -> dict[int, int]:
    """Coil address -> 0/1 into 16-bit words as pymodbus stores them (word a // 16, bit a % 16)."""
    words: dict[int, int] = {}
    for address, bit in bits.items():
        words[address // 16] = words.get(address // 16, 0) | (bit & 1) << (address % 16)
    return words


def sim_device(unit: SimUnit, served: ServedHook | None = None) -> SimDevice:
    """A pymodbus SimDevice that serves ``unit``'s mapped addresses with fresh values on every read,
    each answered read reported to ``served``."""
    mapped = served_addresses(unit.modbus)
    store = unit.records
    if store is not None:
        for function, addresses in store.addresses().items():
            mapped[function] = sorted({*mapped[function], *addresses})
    blocks: list[list[SimData]] = []
    for function in FunctionCode:
        addresses = mapped[function]
        if function in _BIT_FUNCTIONS:
            addresses = sorted({a // 16 for a in addresses})
        datatype = DataType.BITS if function in _BIT_FUNCTIONS else DataType.REGISTERS
        block = [SimData(start, values=[0] * length, datatype=datatype) for start, length in _runs(addresses)]
        if not block:
            # pymodbus needs a non-empty block per function (and bit blocks must hold bits):
            # park one unused cell at the very top of the address space
            block = [
                SimData(4095, values=[0], datatype=DataType.BITS)
                if function in _BIT_FUNCTIONS
                else SimData(65535, datatype=DataType.INVALID)
            ]
        blocks.append(block)

    async def refresh(
        func_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        if set_values is not None:
            # the black boxes are read-only, but for a data logger's acknowledgement register
            written = (
                store is not None and func_code == 16 and store.write(address, [int(v) for v in set_values])
            )
            return None if written else ExcCodes.ILLEGAL_FUNCTION
        function = _FC_BLOCK[func_code]
        try:
            if store is not None and store.owns(function, address):
                cells = store.cells(function, address, count)
            else:
                cells = build_image(unit.modbus, unit.values())[function]
        except Exception:  # a model bug must show in the log, and the client gets a device failure
            log.exception("simulated unit %d: cannot build its registers", unit.unit_id)
            return ExcCodes.DEVICE_FAILURE
        if function in _BIT_FUNCTIONS:
            cells = _bit_words(cells)
        for cell, word in cells.items():
            registers[cell - start_address] = word
        if served is not None:
            first = (address // 16 if function in _BIT_FUNCTIONS else address) - start_address
            words = -(-count // 16) if function in _BIT_FUNCTIONS else count
            answer = registers[first : first + words]
            served(Served(time.time(), unit.unit_id, func_code, address, count, answer))
        return None

    return SimDevice(id=unit.unit_id, simdata=(blocks[0], blocks[1], blocks[2], blocks[3]), action=refresh)


@dataclass(frozen=True, slots=True)
class _SerialLine:
    """An RS-485 line's settings, as the serial server takes them."""

    baudrate: int
    bytesize: int
    parity: str
    stopbits: int


class ModbusSimulatorServer:
    """A pymodbus server for one or more :class:`SimUnit`, on TCP or on a serial port.

    Use ``async with ModbusSimulatorServer(units, tcp=("127.0.0.1", 5020)):`` or
    ``serial="/dev/pts/5"``; :meth:`stop` and :meth:`start` again simulate a device that goes
    away and comes back.
    """

    def __init__(
        self,
        units: list[SimUnit],
        *,
        tcp: tuple[str, int] | None = None,
        serial: str | None = None,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: int = 1,
        served: ServedHook | None = None,
    ) -> None:
        """``served``: called with every read answered (e.g. a :class:`ServedLog`)."""
        if (tcp is None) == (serial is None):
            raise ValueError("give exactly one of tcp=(host, port) or serial=PATH")
        self.units = units
        self.tcp = tcp
        self.serial = serial
        self._line = _SerialLine(baudrate, bytesize, parity, stopbits)
        self._served = served
        self._server: ModbusBaseServer | None = None
        self._dead: set[int] = set()

    @property
    def where(self) -> str:
        """``tcp HOST:PORT`` or ``serial PATH``."""
        return f"tcp {self.tcp[0]}:{self.tcp[1]}" if self.tcp else f"serial {self.serial}"

    async def start(self) -> None:
        """Listen (TCP) or open the port (serial)."""
        devices = [sim_device(u, self._served) for u in self.units]
        server: ModbusBaseServer
        if self.tcp:
            server = ModbusTcpServer(devices, address=self.tcp)
        else:
            server = ModbusSerialServer(
                devices,
                port=self.serial or "",
                ignore_missing_devices=True,
                baudrate=self._line.baudrate,
                bytesize=self._line.bytesize,
                parity=self._line.parity,
                stopbits=self._line.stopbits,
            )
        server.context = _SilentForUnknownIds(devices, self._dead)
        try:
            await server.serve_forever(background=True)
        except RuntimeError as exc:  # pymodbus says only "Could not start listen"
            raise OSError(
                f"cannot serve on {self.where}: the address is in use or not local, "
                "or the serial port cannot be opened"
            ) from exc
        self._server = server
        log.info("simulator serving units %s on %s", [u.unit_id for u in self.units], self.where)

    def kill(self, unit_id: int, dead: bool = True) -> None:
        """Unit ``unit_id`` stops answering, as a slave whose power or transceiver died while the bus and
        the other units on it go on (``dead=False``: it answers again). Callable from any thread."""
        if dead:
            self._dead.add(unit_id)
        else:
            self._dead.discard(unit_id)

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]  # pymodbus leaves it unannotated
            self._server = None
            await asyncio.sleep(0)  # let the transports close before a restart binds again

    async def __aenter__(self) -> ModbusSimulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
