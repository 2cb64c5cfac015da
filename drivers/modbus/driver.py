"""The Modbus driver: every Modbus TCP and RTU device of a site, each polled on its own schedule, and the
record store of each data logger among them uploaded beside its polling (drivers/modbus/history.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from contract.bus import Bus
from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from drivers.base import DeviceStats
from drivers.modbus.history import HistoryReader
from drivers.modbus.link import Link, quiet_pymodbus_client_errors
from drivers.modbus.poller import DevicePoller
from drivers.modbus.rtu_link import RtuLink
from drivers.modbus.tcp_link import TcpLink

log = logging.getLogger(__name__)


def is_modbus(device: DeviceConfig) -> bool:
    """True for devices reached over Modbus TCP or RTU."""
    return isinstance(device.transport, ModbusTcpTransport | ModbusRtuTransport)


class ModbusDriver:
    """Polls the site's Modbus devices (implements :class:`drivers.base.Driver`).

    TCP devices get one connection each (drivers/modbus/tcp_link.py, framed without pymodbus).
    RTU devices on the same serial port share one pymodbus client
    (the bus is half-duplex: one request at a time) but keep their own schedules, timeouts and
    backoff, so a dead slave only costs the bus its own, shrinking, probe time.
    """

    def __init__(
        self,
        site: LoadedSite,
        bus: Bus,
        devices: list[DeviceConfig] | None = None,
        *,
        may_take: Callable[[], bool] = lambda: True,
        committed: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        """``may_take`` and ``committed`` are for the devices whose profile has a record store
        (``modbus.history``): whether the gateway has room for more readings, and a wait until what was
        published is committed to the local store (True) or not (False); a record is acknowledged to the
        logger only after ``committed`` said True. A driver without ``committed`` uploads no record store."""
        chosen = [d for d in site.config.devices if is_modbus(d)] if devices is None else devices
        wrong = [d.id for d in chosen if not is_modbus(d)]
        if wrong:
            raise ValueError(
                f"devices {', '.join(wrong)} are not Modbus devices (transport is not "
                "modbus_tcp or modbus_rtu): give them to the MQTT driver"
            )
        self._bus = bus
        self._links: dict[str, Link] = {}
        self.pollers: list[DevicePoller] = []
        self.histories: list[HistoryReader] = []
        serial_timeouts: dict[str, float] = {}
        for d in chosen:
            if isinstance(d.transport, ModbusRtuTransport):
                port = d.transport.port
                serial_timeouts[port] = max(serial_timeouts.get(port, 0.0), d.timeout_s)
        for d in chosen:
            t = d.transport
            link: Link
            if isinstance(t, ModbusTcpTransport):
                link = self._links[f"tcp:{d.id}"] = TcpLink(t)
            else:
                assert isinstance(t, ModbusRtuTransport)
                key = f"rtu:{t.port}"
                if key not in self._links:
                    self._links[key] = RtuLink(t, serial_timeouts[t.port])
                link = self._links[key]
            if d.profile not in site.profiles:
                raise ValueError(
                    f"device {d.id}: profile {d.profile!r} is not among the site's loaded profiles "
                    f"({', '.join(sorted(site.profiles))})"
                )
            poller = DevicePoller(d, site.profiles[d.profile], link, bus, site.config.project.code)
            self.pollers.append(poller)
            mmap = poller.profile.modbus
            if mmap is not None and mmap.history is not None:
                if committed is None:
                    log.warning(
                        "modbus device %s: its record store (profile %s, modbus.history) is not uploaded: "
                        "this driver runs without the gateway's local store to acknowledge it to",
                        d.id,
                        d.profile,
                    )
                    continue
                self.histories.append(
                    HistoryReader(
                        d,
                        mmap,
                        link,
                        poller.unit,
                        bus,
                        site.config.project.code,
                        poller.stats,
                        may_take,
                        committed,
                    )
                )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start one polling task per device."""
        quiet_pymodbus_client_errors()
        for p in self.pollers:
            self._tasks.append(asyncio.create_task(p.run(), name=f"modbus-poll-{p.device.id}"))
        for h in self.histories:
            self._tasks.append(asyncio.create_task(h.run(), name=f"modbus-history-{h.device.id}"))
        log.info("modbus: polling %d device(s) over %d link(s)", len(self.pollers), len(self._links))

    async def stop(self) -> None:
        """Cancel the polling tasks and close every connection."""
        for p in self.pollers:
            p.request_stop()
        for h in self.histories:
            h.request_stop()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for link in self._links.values():
            await link.close()

    def stats(self) -> dict[str, DeviceStats]:
        """Counters by device id."""
        return {p.device.id: p.stats for p in self.pollers}
