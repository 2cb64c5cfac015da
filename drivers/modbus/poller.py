"""Poll one Modbus device on its own schedule and publish what it answers.

Each device gets one task. The schedule is anchored (poll k is due at t0 + k * interval) so it
does not drift by the poll's own duration; a late poll skips the slots it missed instead of
bursting. A device that fails ``retries`` polls in a row is published offline and then probed
with exponential backoff, capped at ``backoff_max_s``, so a dead slave costs its RS-485 bus
less and less time. No exception leaves the task: a bug in one poll is logged and counted,
and the next poll runs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import cast

from contract.bus import Bus
from contract.config.device import DeviceConfig
from contract.config.profile import Profile
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from contract.readings import DeviceStatus, Quality, Reading
from drivers.base import DeviceStats
from drivers.modbus.decode import DecodeError, RequestDecoder
from drivers.modbus.errlog import OncePerKind
from drivers.modbus.link import Link, LinkError
from drivers.modbus.plan import Request, plan_requests

log = logging.getLogger(__name__)

_LINK_KINDS = ("connect", "timeout", "garbage")


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class DevicePoller:
    """The polling loop, link state and counters of one Modbus device."""

    def __init__(self, device: DeviceConfig, profile: Profile, link: Link, bus: Bus, project: str) -> None:
        if profile.modbus is None:
            raise ValueError(f"device {device.id}: profile {profile.name} has no modbus: register map")
        self.device = device
        self.profile = profile
        self.link = link
        self.bus = bus
        self.project = project
        if not isinstance(device.transport, ModbusTcpTransport | ModbusRtuTransport):
            raise ValueError(f"device {device.id}: a Modbus poller needs a Modbus transport")
        self.unit: int = device.transport.unit_id
        self.requests: list[Request] = plan_requests(profile.modbus)
        self._decoders = [RequestDecoder(profile.modbus, r) for r in self.requests]  # one per request
        self.stats = DeviceStats(device=device.id)
        self._online: bool | None = None  # None until the first poll settles it
        self._failures = 0
        self._stopping = asyncio.Event()
        self._wake: asyncio.Future[None] | None = None  # resolved to end the pause under way
        self._errors = OncePerKind(log, f"modbus device {device.id} ({link.description} unit {self.unit})")

    @property
    def offline_after(self) -> int:
        """Failed polls in a row that make the device offline (``retries``, at least one)."""
        return max(1, self.device.retries)

    def backoff_s(self) -> float:
        """Wait before the next probe of an offline device: twice the poll interval, doubling with
        every failed probe, capped at ``backoff_max_s``."""
        # the exponent is bounded: weeks offline must not overflow into an exception
        doublings = min(30, 1 + max(0, self._failures - self.offline_after))
        return min(self.device.backoff_max_s, self.device.poll_interval_s * 2.0**doublings)

    def request_stop(self) -> None:
        """Make :meth:`run` return at its next step.

        Cancelling the task alone is not enough on Python 3.11: ``asyncio.wait_for`` inside
        pymodbus swallows a cancel that lands as the answer arrives, and the task polls on.
        """
        self._stopping.set()
        if self._wake is not None:
            _resolve(self._wake)

    async def _pause(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        """Sleep ``seconds``, or until :meth:`request_stop`.

        A timer that resolves a future, rather than ``asyncio.timeout`` around the stop event: that
        ended every pause of every poll by cancelling the task and raising through it, most of the
        pause's cost at ten polls a second per device. ``loop`` is the running loop, passed in:
        asyncio.get_running_loop() asks the OS for the process id on every call.
        """
        if self._stopping.is_set():
            return
        self._wake = wake = loop.create_future()
        timer = loop.call_later(seconds, _resolve, wake)
        try:
            await wake
        finally:
            timer.cancel()
            self._wake = None

    async def run(self) -> None:
        """Poll until cancelled or :meth:`request_stop`."""
        self._stopping.clear()
        loop = asyncio.get_running_loop()
        interval = self.device.poll_interval_s
        anchor, slot = loop.time(), 0
        while not self._stopping.is_set():
            try:
                answered = await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug in one poll must not end the device's polling for good
                log.exception(
                    "modbus device %s: unexpected error while polling (polling continues)", self.device.id
                )
                self.stats.errors += 1
                answered = False
            now = loop.time()
            if not answered and self._online is False:
                # offline: probe with exponential backoff, then restart the schedule on recovery
                await self._pause(loop, self.backoff_s())
                anchor, slot = loop.time(), 0
                continue
            slot = max(slot + 1, math.ceil((now - anchor) / interval))
            await self._pause(loop, max(0.0, anchor + slot * interval - loop.time()))

    async def poll_once(self) -> bool:
        """Read every request once, publish the Readings; True if the device answered."""
        ts = time.time()
        readings: list[Reading] = []
        for request, decoder in zip(self.requests, self._decoders, strict=True):
            if self._stopping.is_set():
                break
            self.stats.requests += 1
            try:
                data = await self.link.read(request, self.unit, self.device.timeout_s)
            except LinkError as err:
                self._request_failed(request, err)
                if not err.answered:
                    self._set_failed(str(err))
                    self._publish(readings)
                    return False
                continue
            self._request_ok(request)
            self.stats.registers += request.count
            readings.extend(self._decode(decoder, data, ts))
        self._publish(readings)
        self._set_answered()
        return True

    def _decode(self, decoder: RequestDecoder, data: list[int] | list[bool], ts: float) -> list[Reading]:
        values, failed = decoder.decode(data)
        project, device = self.project, self.device.id
        if not failed and not self._errors:
            # the usual poll: every value decoded and no error to clear, so nothing to check per value
            return [
                Reading(ts, project, device, rv.metric, value, rv.unit, Quality.OK, rv.point)
                for rv, value in zip(decoder.values, cast(list[float | str], values), strict=True)
            ]
        out = []
        for rv, value in zip(decoder.values, values, strict=True):
            if isinstance(value, DecodeError):
                self.stats.errors += 1
                self.stats.last_error = f"{rv.metric} at {rv.function.value} {rv.address}: {value}"
                self._errors.error(
                    ("decode", None, rv.metric, rv.point),
                    f"unit {self.unit} {rv.function.value} register {rv.address} "
                    f"({rv.metric}, {rv.type.value}): value out of range for its type: "
                    f"{value}; the value is skipped",
                )
                continue
            if self._errors:  # most polls have no error to clear: skip building the message
                self._errors.clear(
                    ("decode", None, rv.metric, rv.point), f"{rv.metric} at {rv.function.value} {rv.address}"
                )
            out.append(Reading(ts, project, device, rv.metric, value, rv.unit, Quality.OK, rv.point))
        return out

    def _request_failed(self, request: Request, err: LinkError) -> None:
        self.stats.errors += 1
        where = f"unit {self.unit} {request.describe()}"
        self.stats.last_error = f"{where}: {err}"
        hint = ""
        if err.kind == "exception" and err.code == 2:
            hint = f"; check the addresses in profile {self.profile.name}" + (
                " or lower its max_gap (the gap between values may not be served)"
                if len(request.values) > 1
                else ""
            )
        elif err.kind == "timeout":
            hint = f"; check power, wiring, unit id {self.unit} and the line settings"
        self._errors.error((err.kind, err.code, request.function, request.address), f"{where}: {err}{hint}")

    def _request_ok(self, request: Request) -> None:
        for key in self._errors.ongoing():
            kind, _code, function, address = key
            if kind in _LINK_KINDS or (function is request.function and address == request.address):
                self._errors.clear(key, f"unit {self.unit} {request.describe()}")

    def _publish(self, readings: list[Reading]) -> None:
        if not readings:
            return
        self.stats.readings += len(readings)
        self.stats.last_reading_ts = readings[0].ts
        for r in readings:
            self.stats.per_metric[r.metric] = self.stats.per_metric.get(r.metric, 0) + 1
        self.bus.publish(readings)

    def _set_answered(self) -> None:
        failed, self._failures = self._failures, 0
        if self._online is not True:
            reason = "answering" if self._online is None else f"answering again after {failed} failed polls"
            self._set_online(True, reason)

    def _set_failed(self, reason: str) -> None:
        self._failures += 1
        if self._online is not False and self._failures >= self.offline_after:
            self._set_online(False, f"{self._failures} failed polls in a row: {reason}")

    def _set_online(self, online: bool, reason: str) -> None:
        self._online = online
        self.stats.online = online
        # the link and unit in the line: a site electrician goes to that host or serial port
        (log.info if online else log.warning)(
            "modbus device %s (%s unit %d) is %s: %s",
            self.device.id,
            self.link.description,
            self.unit,
            "online" if online else "offline",
            reason,
        )
        self.bus.publish_status(DeviceStatus(time.time(), self.device.id, online, reason))
