"""The welders' judge: each current reading asked of the site's hot-work rules (rules/hot_work.py), which
also judge the permits at each tick; the limit probes of the three hot-work rules."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import ClassVar

from contract.config.camera import HOT_WORK_PERSONS
from contract.config.device import DeviceConfig
from contract.hot_work import FireWatch, Operator, Permit
from contract.readings import Reading
from kinds.attendance.kind import PRESENCE
from kinds.welder.kind import CURRENT, WelderDevice
from rules.hot_work_permit_alert import SITE
from rules.hot_work_unpermitted import Welder
from rules.kinds.base import Judge
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route

# the probes' morning and their permits' fire watch (a person of the probe's own, on no roster)
PROBE_START = datetime.fromisoformat("2026-11-02T09:00:00+08:00")
PROBE_WATCH = "probe-fire-watch"


class WelderJudge(Judge):
    """Every welding machine of the site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {CURRENT: ("焊接电流", "welding current")}

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        if metric != CURRENT:
            return None
        assert isinstance(dev, WelderDevice)
        spec = dev.welder
        welder = Welder(dev.id, dev.display_name, spec.place, spec.idle_current_a, spec.idle_settle_s)
        hot_work = self.shared.hot_work

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            # the permits judged at the reading's stamp and, live, at the gateway's own clock
            return r, hot_work.current(welder, value, r.ts, backfill, self.shared.heard)

        # no quiet band: an idle reading that says nothing while an alert settles still counts its time
        return Route(judge)

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Welding above the idle current with no permit, until idle for the settle time; a permit in force
        whose fire watch left by the site's first gate, until they come back; a permit whose window ended
        an hour ago unclosed, which no passage ends; an open-air permit in force while the site's first
        weather station reads level 5 wind (8.0 m/s reached), until below its clearing band; people in a
        camera zone watching the welder's place (its 动火区) with no permit in force for the zone's settle
        time, until the zone has been seen empty as long."""
        assert isinstance(dev, WelderDevice)
        spec = dev.welder
        found = [
            Probe(
                "hot_work.unpermitted",
                dev.id,
                CURRENT,
                beyond=(math.nextafter(spec.idle_current_a, math.inf), spec.idle_current_a + 150.0),
                clear=spec.idle_current_a,  # 大于: at the idle current it is idle
                interval_s=dev.poll_interval_s,
                clear_after_s=spec.idle_settle_s,
            )
        ]
        return [*found, *self._permit_probes(spec.place), *self._zone_probes(spec.place)]

    def _zone_probes(self, place: str) -> list[Probe]:
        """hot_work.zone_unpermitted on each camera zone marked for hot work at ``place``: the camera's
        people-in-zone counts at its analysed rate (大于 0 is someone there), no permit in force."""
        vision = self.shared.config.vision
        return [
            Probe(
                "hot_work.zone_unpermitted",
                cam.name,
                HOT_WORK_PERSONS,
                point=zone.name,
                beyond=(1.0, 4.0),
                clear=0.0,
                interval_s=1 / cam.fps,
                fire_after_s=zone.hot_work_settle_s,  # 达到: at the settle time it fires
                clear_after_s=zone.hot_work_settle_s,  # seen empty as long: silence is no proof of that
            )
            for cam in (vision.cameras if vision is not None else [])
            for zone in cam.zones
            if place in zone.hot_work_at
        ]

    def _permit_probes(self, place: str) -> list[Probe]:
        """The permit rules' probes, on the site's first gate and first weather station."""
        devices = self.shared.config.devices
        gates = [d.id for d in devices if d.kind == "attendance"]
        stations = [d for d in devices if d.kind == "weather_station"]
        start, found = PROBE_START.timestamp(), list[Probe]()
        if stations:
            outdoor = probe_permit(
                "probe-outdoor", place, PROBE_START - timedelta(hours=1), timedelta(days=7), True
            )
            cfg = self.shared.weather.cfg
            limit, band = cfg.hot_work_ms, cfg.hysteresis_pct / 100
            found.append(
                Probe(
                    "hot_work.wind",
                    stations[0].id,
                    "wind_ms",
                    beyond=(limit, limit * 1.5),  # 含五级: the line itself stops it
                    hold=(limit * (1 - band / 2),),
                    clear=limit * (1 - band) * 0.9,
                    interval_s=stations[0].poll_interval_s,
                    fire_after_s=stations[0].poll_interval_s,  # the permits are judged at the next tick
                    alert=(SITE, outdoor.id),
                    start=start,
                    permits=(outdoor,),
                )
            )
        if not gates:
            return found
        in_force = probe_permit("probe-in-force", place, PROBE_START - timedelta(hours=1), timedelta(days=7))
        ended = probe_permit("probe-ended", place, PROBE_START - timedelta(hours=3), timedelta(hours=2))
        for rule, permit, beyond, clear, latched in (
            ("hot_work.fire_watch", in_force, 0.0, 1.0, False),  # left; back
            ("hot_work.unclosed", ended, 1.0, 0.0, True),  # any passage: no check is a passage
        ):
            found.append(
                Probe(
                    rule,
                    gates[0],
                    PRESENCE,
                    point=PROBE_WATCH,
                    beyond=(beyond,),
                    clear=clear,
                    interval_s=1.0,
                    alert=(SITE, permit.id),
                    start=start,
                    permits=(permit,),
                    latched=latched,
                )
            )
        return found


def probe_permit(pid: str, place: str, start: datetime, length: timedelta, outdoor: bool = False) -> Permit:
    """A permit of the probes, its watch ``PROBE_WATCH``."""
    return Permit(
        id=pid,
        place=place,
        outdoor=outdoor,
        start=start,
        end=start + length,
        operator=Operator(name="焊工", certificate_no="T000000", valid_until=date(2099, 12, 31)),
        fire_watch=FireWatch(name="监火人", person_id=PROBE_WATCH),
        extinguishers=2,
        extinguishers_checked=True,
        combustibles_cleared=True,
        signer="probe",
        signed_ts=start.timestamp(),
    )
