"""The tower cranes' judge: load against the chart, the hook's place against no-lift zones and the other
cranes, the tower's tilt, the wind where no anemometer serves the crane, the operator's licence."""

from __future__ import annotations

import math
from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.rules import CraneLoadRule, CraneTiltRule, CraneWindRule
from contract.config.site import SiteConfig
from contract.kinds.anemometer import AnemometerDevice
from contract.kinds.crane import CraneDevice
from contract.readings import Quality, Reading
from rules import crane_collision, crane_wind
from rules.crane_collision import CraneCollision, CraneView
from rules.crane_load import CraneLoad
from rules.crane_motion import Motion
from rules.crane_operator import CraneOperator
from rules.crane_tilt import CraneTilt, quiet_tilts
from rules.crane_wind import CraneWind, quiet_winds
from rules.crane_zone import CraneZone
from rules.kinds.base import LOADED_T, Judge, Shared, faulted, some
from rules.result import RuleResult
from rules.roster import reported_with
from rules.routes import Route

OPERATOR = "operator_id"


class _Crane:
    """What judging one crane's sample as a whole needs, looked up once."""

    __slots__ = ("device", "lifting", "load_cfg", "motion", "name", "spec", "stale_s", "state", "view_at")

    def __init__(self, dev: CraneDevice, name: str, load_cfg: CraneLoadRule, view_at: int) -> None:
        self.device, self.name, self.spec = dev.id, name, dev.crane
        self.state: dict[str, float] = {}  # its latest kinematics
        self.load_cfg = load_cfg
        self.lifting = (f"{name}吊装", f"lifting by {dev.id}")  # what the key people are told of
        self.view_at = view_at  # its view's index in the collision check's list
        # a sample older than three polls no longer tells where the crane is (nor how fast it moves)
        self.stale_s = 3 * dev.poll_interval_s
        spec = dev.crane
        self.motion = Motion(
            spec.max_slew_deg_s, self.stale_s, max(spec.jib_m, spec.counter_jib_m), spec.braking_time_s
        )


class CraneJudge(Judge):
    """Every tower crane of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        cfg = shared.config
        cranes = [d for d in devices if isinstance(d, CraneDevice)]
        # every crane as the collision check sees it, in site order, in one list the collision check
        # works its pairs out for once; a sample replaces its own crane's view at its index
        self._views = [CraneView(d.id, shared.names[d.id], d.crane, None, None, None) for d in cranes]
        self._cranes = {
            d.id: _Crane(d, shared.names[d.id], shared.section(d.id, "crane_load", CraneLoadRule), i)
            for i, d in enumerate(cranes)
        }
        self._load, self._wind, self._tilt = CraneLoad(), CraneWind(), CraneTilt()
        self._collision, self._zone = CraneCollision(), CraneZone(cfg.no_lift_zones)
        self._operator = CraneOperator(
            cfg.operators, cfg.rules.licence_utc_offset_h, reported_with(shared.site, "operator_id", "load_t")
        )
        self._zone_cfg, self._collision_cfg = cfg.rules.crane_zone, cfg.rules.crane_collision
        # a crane's black box often repeats the wind of the anemometer that serves it: one wind
        # source of record per crane, or a gust would raise the same hazard three times
        self._wind_elsewhere = {c for d in cfg.devices if isinstance(d, AnemometerDevice) for c in d.serves}

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The motion rules' latest kinematics and levels, and the wind's run of samples."""
        return max(crane_collision.history_s(site), crane_wind.history_s(site))

    def families(self) -> Iterable[object]:
        return (self._load, self._wind, self._tilt, self._collision, self._zone, self._operator)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, CraneDevice)
        if metric == "tilt_deg":
            return self._tilt_route(dev)
        if metric == "wind_ms":
            if dev.id in self._wind_elsewhere:
                return None  # kept, not judged: the serving anemometer's alert names this crane
            return wind_route(self.shared, self._wind, dev.id, [dev.id])
        if metric == OPERATOR:  # a Modbus box reports card numbers as numbers: 1001.0 is card "1001"
            return Route(self._operator_reading)
        return None

    def text(self, dev: DeviceConfig, r: Reading) -> list[RuleResult]:
        if r.metric == OPERATOR:
            return self._operator_reading(r, r.value, r.quality is Quality.BACKFILL)[1]
        return super().text(dev, r)

    def _operator_reading(
        self, r: Reading, value: float | str, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        # black boxes read over Modbus report card numbers as numbers: 1001.0 is card "1001"
        text = f"{value:.0f}" if isinstance(value, float) and value.is_integer() else str(value)
        loaded = _loaded(self._cranes[r.device].state)
        return r, some(
            self._operator.evaluate(r.device, self.shared.names[r.device], text, r.ts, backfill, loaded)
        )

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._cranes[dev.id].state

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        crane = self._cranes[dev.id]
        memory = crane.state
        device, name = crane.device, crane.name
        out: list[RuleResult] = []
        load = memory.get("load_t")
        if load is not None and load > LOADED_T:
            self.shared.work_seen(device, crane.lifting, ts)
        radius = memory.get("radius_m")
        if radius is not None and load is not None:
            chart = crane.spec.chart_for(memory.get("reeving"))
            found = self._load.evaluate(
                device, name, chart, crane.load_cfg, load, radius, ts, backfill, memory.get("moment_pct")
            )
            if found is not None:
                out.append(found)
        slew, height, motion = memory.get("slew_deg"), memory.get("height_m"), crane.motion
        motion.update(ts, slew, radius, height)
        speeds = (motion.slew_deg_s, motion.radius_ms, motion.height_ms)
        view = self._views[crane.view_at] = CraneView(
            device, name, crane.spec, slew, radius, height, ts, speeds, crane.stale_s, motion.travel_m
        )
        if view.hook is not None:  # slew and radius known
            found = self._zone.evaluate(device, name, view.hook, self._zone_cfg, ts, backfill)
            if found is not None:
                out.append(found)
        if len(self._views) > 1:
            out.extend(self._collision.evaluate(self._views, self._collision_cfg, ts, backfill, moved=device))
        found = self._operator.at_work(device, name, _loaded(memory), ts, backfill)
        if found is not None:
            out.append(found)
        return out

    def _tilt_route(self, dev: CraneDevice) -> Route:
        device, name, limit = dev.id, self.shared.names[dev.id], dev.crane.tilt_limit_per_mille
        cfg, tilt = self.shared.section(dev.id, "crane_tilt", CraneTiltRule), self._tilt

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            found = tilt.evaluate(device, name, limit, cfg, value, r.ts, backfill)
            return r, [] if found is None else [found]

        return Route(judge, quiet_tilts(limit, cfg))


def _loaded(kinematics: dict[str, float]) -> bool | None:
    """Whether a crane's hook carries a load (None: its load not reported yet)."""
    load = kinematics.get("load_t")
    return None if load is None else load > LOADED_T


def wind_route(shared: Shared, wind_rule: CraneWind, device: str, serves: list[str]) -> Route:
    """How a wind reading of ``device`` is judged for the cranes it ``serves``: a broken sensor is a
    sensor.fault, a valid speed the crane.wind rule of those cranes."""
    name = shared.names[device]
    valid_range = shared.faults(device).ranges.get("wind_ms")
    names = [shared.names[c] for c in serves]
    cfg, fault = shared.section(device, "crane_wind", CraneWindRule), shared.fault

    def judge(r: Reading, wind: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        reason = fault.judge(
            device,
            "",
            "wind_ms",
            wind,
            r.ts,
            valid_range=valid_range,
            step=None,
            step_limit=None,
            stuck_s=None,
        )
        results = some(fault.report(device, "", "wind_ms", reason, wind, name, r.ts, backfill))
        if reason:
            return faulted(r), results
        found = wind_rule.evaluate(device, name, serves, names, cfg, wind, r.ts, backfill)
        if found is not None:
            results.append(found)
        return r, results

    # valid (the range's upper end judged in full: the band's end is open) and below every threshold
    low, high = valid_range if valid_range is not None else (-math.inf, math.inf)
    return Route(judge, (low, min(high, quiet_winds(cfg))))
