"""What every Modbus link gives the poller: registers or a :class:`LinkError` (and writes, for the
acknowledgements of a data logger's record store).

A link is one connection: a TCP socket to a device (drivers/modbus/tcp_link.py) or a serial port
shared by an RS-485 bus (drivers/modbus/rtu_link.py). It turns every way a read can fail into a
LinkError with a kind (for counting and log-once) and a sentence a site electrician can act on.
"""

from __future__ import annotations

import logging
from typing import Protocol

from drivers.modbus.plan import Request

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


class Link(Protocol):
    """One connection the poller reads through (one TCP device, or one serial bus)."""

    description: str

    async def read(self, request: Request, unit: int, timeout_s: float) -> list[int] | list[bool]:
        """Registers (or bits) of ``request`` from ``unit``; raise LinkError on any failure."""
        ...

    async def write(self, address: int, words: list[int], unit: int, timeout_s: float) -> None:
        """Write ``words`` to the holding registers from ``address`` of ``unit`` (FC16, a data logger's
        acknowledgement); raise LinkError on any failure."""
        ...

    async def close(self) -> None:
        """Close the connection (or serial port)."""
        ...


def silence_error(received: bytes, total: int, timeout_s: float, framing: str) -> LinkError:
    """The error of a read that got no usable answer: garbage when ``total`` bytes came that framed no
    answer (the first of them, ``received``, shown so an installer sees what the device sends),
    else a timeout."""
    if total:
        more = " ..." if total > 32 else ""
        return LinkError(
            "garbage",
            f"answered {total} bytes that are not a valid Modbus frame ({framing}): "
            f"{received[:32].hex(' ')}{more}",
        )
    return LinkError("timeout", f"no answer within {timeout_s:g} s")


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
