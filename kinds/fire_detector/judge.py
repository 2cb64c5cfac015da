"""The smoke/heat detectors' judge: each fresh reading of a detector's alarm state through
fire_detector.alarm (kinds/fire_detector/alarm.py), against the hot-work permits the site keeps for its place
(``Shared.hot_work``); a value outside 0–1, no state of a detector, is a sensor.fault, which changes no alarm."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.hot_work import Permit
from contract.readings import Reading
from kinds.fire_detector.after_work import NONE, Cause, cause_of
from kinds.fire_detector.alarm import FireDetectorAlarm
from kinds.fire_detector.kind import ALARM, FIRE, NORMAL, RULE, SECTION, FireDetectorDevice
from kinds.fire_detector.thresholds import FireDetectorRule
from kinds.welder.judge import PROBE_START, probe_permit
from rules.kinds.base import Judge, Shared, faulted, some
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route

QUIET = (0.0, math.nextafter(0.0, math.inf))
"""The quiet band: a 0 read while the alarm is clear changes nothing (any other value is judged in full)."""
LOW, HIGH = float(NORMAL), float(FIRE)
"""The detector's range: outside it a value is no state (a vendor's fault code, 0xFFFF), a fault. Inside it only
exactly 0 is normal: a fraction can only be a mis-scaled 1, never read as the fire being out."""


class FireDetectorJudge(Judge):
    """Every smoke/heat detector of the site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {ALARM: ("火灾报警状态", "fire alarm state")}

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._alarm = FireDetectorAlarm(shared.utc_offset_h)

    def families(self) -> Iterable[object]:
        return (self._alarm,)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        if metric != ALARM:
            return None  # its temperature is shown, not judged: the detector's own alarm is its verdict
        assert isinstance(dev, FireDetectorDevice)
        shared, alarm, fault = self.shared, self._alarm, self.shared.fault
        place, name = dev.fire_detector.place, shared.names[dev.id]
        watch_min = shared.section(dev.id, SECTION, FireDetectorRule).watch_min
        hot_work = shared.hot_work

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            reason = None if LOW <= value <= HIGH else "range"
            found = some(fault.report(dev.id, "", ALARM, reason, value, name, r.ts, backfill))
            if reason:
                return faulted(r), found  # no state of a detector: its alarm neither starts nor ends

            def find() -> Cause:
                if place is None:
                    return NONE  # it watches no hot-work place: no permit is its
                return cause_of(place, hot_work.permits, r.ts, hot_work.scheme, watch_min * 60)

            verdict = alarm.evaluate(dev.id, name, place, value > LOW, find, watch_min, r.ts, backfill)
            return r, found + some(verdict)

        return Route(judge, QUIET)

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The alarm on the detector's own readings, with no permit and (at a hot-work place) ten minutes after
        a permit there closed: 1 fires it, only a fresh 0 ends it (at once: the detector's reset is its word); a value
        that is no state of a detector (2, -1) is a sensor.fault until it reads a state again."""
        assert isinstance(dev, FireDetectorDevice)
        every, place, faults = dev.poll_interval_s, dev.fire_detector.place, (2.0, -1.0)
        probes = [
            Probe(RULE, dev.id, ALARM, beyond=(1.0,), clear=0.0, interval_s=every, faults=faults),
            Probe("sensor.fault", dev.id, ALARM, beyond=faults, clear=0.0, interval_s=every),
        ]
        if place is not None:
            probes.append(
                Probe(
                    RULE,
                    dev.id,
                    ALARM,
                    beyond=(1.0,),
                    clear=0.0,
                    interval_s=every,
                    faults=faults,
                    start=PROBE_START.timestamp(),
                    permits=(_closed_permit(place),),
                )
            )
        return probes


def _closed_permit(place: str) -> Permit:
    """A permit at ``place`` for the hour before the probes' morning (the welder's probes' own), closed with its
    check ten minutes before it."""
    permit = probe_permit("probe-closed", place, PROBE_START - timedelta(hours=1), timedelta(hours=1))
    closed = (PROBE_START - timedelta(minutes=10)).timestamp()
    return permit.model_copy(update={"closed_ts": closed, "closed_by": "probe"})
