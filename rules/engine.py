"""RuleEngine: runs every rule family over Readings, live or in replay, with no I/O and no clock
of its own (time is the readings' ts, or the ``now`` given to :meth:`RuleEngine.tick`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple, TypeVar

from contract.config.crane import CraneSpec
from contract.config.errors import ConfigError, ConfigIssue
from contract.config.formwork import FormworkPoint
from contract.config.loader import LoadedSite
from contract.config.pit import PitPoint
from contract.config.rules import (
    CraneLoadRule,
    CraneTiltRule,
    CraneWindRule,
    DeviceOfflineRule,
    FormworkRule,
    HoistLoadRule,
    HoistRule,
    PitRule,
    SensorFaultRule,
)
from contract.config.site import DeviceConfig
from contract.config.yamlsrc import Loc, format_loc
from contract.readings import DeviceStatus, Quality, Reading
from rules.crane_collision import CraneCollision, CraneView
from rules.crane_load import CraneLoad
from rules.crane_operator import CraneOperator
from rules.crane_tilt import CraneTilt, quiet_tilts
from rules.crane_wind import CraneWind, quiet_winds
from rules.crane_zone import CraneZone
from rules.device_offline import CLAUSE_CRANE, CLAUSE_PIT, WATCHED_KINDS, DeviceOffline, shorter_limit
from rules.formwork_limits import FormworkLimits
from rules.formwork_silent import POUR_METRIC, FormworkSilent
from rules.hoist_sample import HoistRules, HoistState
from rules.levels import memories_of
from rules.personnel_sample import PRESENCE_METRIC, PersonnelRules
from rules.pit_displacement import PitRules
from rules.pit_limits import check_thresholds, point_limits
from rules.pit_plan import PitPlan, pit_plan
from rules.result import RuleResult
from rules.roster import Roster, reported_with
from rules.routes import Judge, Route
from rules.safety_devices import FLAGS, SafetyDevices
from rules.sensor_fault import SensorFault

log = logging.getLogger(__name__)
T = TypeVar("T")

KINEMATICS = ("load_t", "radius_m", "height_m", "slew_deg")
LOADED_T = 0.1  # a crane hook or hoist cage carrying more than this is at work (personnel rules)
# an enum member looked up on its class costs more than a crane's kinematic reading costs to take
BACKFILL, FAULT = Quality.BACKFILL, Quality.FAULT
FRESH = (Quality.OK, BACKFILL)  # judged by the rules
ALIVE = frozenset((*FRESH, FAULT))  # proves the device answers (a faulty value is still an answer)
SAMPLE = attrgetter("device", "ts")  # readings of one device at one instant are one sample
TS = attrgetter("ts")  # a key without a Python call per reading (a lambda's frame cost more)
DEVICE = attrgetter("device")  # the samples of a batch of one instant, without a tuple per reading
QUALITY = attrgetter("quality")


class _Crane:
    """What judging one crane's sample as a whole needs (``RuleEngine._crane_motion``)."""

    __slots__ = ("device", "lifting", "load_cfg", "name", "spec", "state", "view_at")

    def __init__(
        self,
        device: str,
        name: str,
        spec: CraneSpec,
        state: dict[str, float],
        load_cfg: CraneLoadRule,
        lifting: tuple[str, str],
        view_at: int,
    ) -> None:
        self.device, self.name, self.spec = device, name, spec
        self.state = state  # its latest kinematics
        self.load_cfg = load_cfg
        self.lifting = lifting  # the work the personnel rules are told of while its hook is loaded
        self.view_at = view_at  # its view's index in the collision check's list


class _Plan:
    """What the dispatch needs of one device of the site file, looked up once per sample."""

    __slots__ = ("clause", "config", "crane", "kinematics", "name", "routes", "watched")

    def __init__(
        self,
        config: DeviceConfig,
        name: str,
        watched: bool,
        clause: str,
        kinematics: dict[str, float] | None,
        crane: _Crane | None,
    ) -> None:
        self.config, self.name = config, name
        self.watched, self.clause = watched, clause  # whether its silence is watched; its online clause
        # a crane's kinematics memory, for the kinematic readings that go straight to it
        self.kinematics = kinematics
        self.crane = crane
        # metric -> its Route, for the cases of _reading whose branch depends on the device and metric
        # alone (a float value assumed): filled as _reading first meets each, then taken straight,
        # without the walk through the cases before it and their section look-ups
        self.routes: dict[str, Route] = {}


class _Timed(NamedTuple):
    """A device tick() looks at: its offline limits if watched, its points' silence limit if formwork."""

    device: str
    name: str
    interval_s: float
    clause: str  # of its device.offline verdicts
    offline: DeviceOfflineRule | None
    codes: list[str] | None  # formwork: its points' codes
    silent_s: float


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one batch: the readings (those judged broken marked fault) and the verdicts."""

    readings: list[Reading]
    results: list[RuleResult]


class RuleEngine:
    """All safety rules of one site. Feed it batches in time order; it keeps each rule's state."""

    def __init__(self, site: LoadedSite) -> None:
        self._cfg = site.config
        self._rules = site.config.rules
        self._devices = {d.id: d for d in site.config.devices}
        _check(site)
        self._points: dict[tuple[str, str], PitPoint] = {
            (d.id, p.code): p for d in site.config.devices if d.pit for p in d.pit.points
        }
        self._pit_plans: dict[tuple[str, str, str], PitPlan] = {}
        self._names = {d.id: _name(d) for d in site.config.devices}
        # the sections of the rules that apply to each device, looked up once (the config does not change)
        self._sections: dict[tuple[str, str], object] = {}
        self._cranes: dict[str, dict[str, float]] = {d.id: {} for d in site.config.devices if d.crane}
        # every crane as the collision check sees it, in site order, in one list the collision check
        # works its pairs out for once; a sample replaces its own crane's view at its index
        self._views: list[CraneView] = [
            CraneView(d.id, _name(d), d.crane, None, None, None)
            for d in site.config.devices
            if d.crane is not None
        ]
        view_at = {v.device: i for i, v in enumerate(self._views)}
        # what the dispatch needs of each device, looked up once per sample instead of piece by piece
        self._plans = {d.id: self._plan(d, view_at.get(d.id, -1)) for d in site.config.devices}
        self._load, self._wind, self._tilt = CraneLoad(), CraneWind(), CraneTilt()
        self._collision, self._zone = CraneCollision(), CraneZone(site.config.no_lift_zones)
        self._operator = CraneOperator(
            site.config.operators,
            self._rules.licence_utc_offset_h,
            reported_with(site, "operator_id", "load_t"),
        )
        self._pit, self._fault, self._offline = PitRules(), SensorFault(), DeviceOffline()
        offset = self._rules.licence_utc_offset_h
        self._hoist = HoistRules(
            Roster(site.config.operators, offset), offset, reported_with(site, "driver_id", "speed_ms")
        )
        self._hoists: dict[str, HoistState] = {d.id: HoistState() for d in site.config.devices if d.hoist}
        self._formwork, self._silent = FormworkLimits(), FormworkSilent()
        self._safety = SafetyDevices()
        self._formwork_points: dict[tuple[str, str], FormworkPoint] = {
            (d.id, p.code): p for d in site.config.devices if d.formwork for p in d.formwork.points
        }
        gates = [d.id for d in site.config.devices if d.kind == "attendance"]
        self._personnel = (
            PersonnelRules(gates[0], site.config.key_personnel, self._rules.personnel, offset)
            if gates and site.config.key_personnel
            else None
        )
        self._unknown: set[tuple[str, str]] = set()
        self._zone_cfg, self._collision_cfg = self._rules.crane_zone, self._rules.crane_collision
        # what tick() looks at, in site order, with its rule sections: watched devices' offline
        # limits, and formwork with its points' codes and silence limit
        self._timed = [
            _Timed(
                d.id,
                _name(d),
                d.poll_interval_s,
                _offline_clause(d),
                self._section(d.id, "device_offline", DeviceOfflineRule) if d.kind in WATCHED_KINDS else None,
                [p.code for p in d.formwork.points] if d.formwork else None,
                self._section(d.id, "formwork", FormworkRule).silent_s if d.formwork else 0.0,
            )
            for d in site.config.devices
            if d.kind in WATCHED_KINDS or d.formwork is not None
        ]
        self._timed_formwork = [t for t in self._timed if t.codes is not None]
        # each watched device's shorter offline limit, and the instant before which no device can
        # reach one (DeviceOffline.calm_until) as long as the offline family's version is this one
        self._offline_limits = [
            (t.device, shorter_limit(t.offline, t.interval_s)) for t in self._timed if t.offline is not None
        ]
        self._calm_until, self._calm_version = -math.inf, -1
        # a crane's black box often repeats the wind of the anemometer that serves it: one wind
        # source of record per crane, or a gust would raise the same hazard three times
        self._cameras = {c.name for c in site.config.vision.cameras} if site.config.vision else set()
        self._wind_from_anemometer = {
            c for d in site.config.devices if d.kind == "anemometer" for c in d.serves
        }

    def process(self, batch: Sequence[Reading]) -> list[RuleResult]:
        """Verdicts for one batch of readings (see :meth:`evaluate` for the marked readings too)."""
        return self._judge(batch)[1]

    def evaluate(self, batch: Iterable[Reading]) -> Evaluation:
        """Judge a batch; readings of one device with the same ts are taken as one sample."""
        return Evaluation(*self._judge(batch))

    def _judge(
        self, batch: Iterable[Reading], sample: Callable[[Reading], object] = SAMPLE
    ) -> tuple[list[Reading], list[RuleResult]]:
        # evaluate's work, returned as a tuple: the frozen Evaluation costs more to make than a
        # crane's tilt reading costs to judge, and process drops it at once. ``sample`` is the key
        # whose runs are samples: device and ts, or the device alone for a batch of one instant
        readings: list[Reading] = []
        results: list[RuleResult] = []
        isfinite = math.isfinite
        plans = self._plans
        for _, group_iter in groupby(batch, key=sample):
            group = list(group_iter)
            device, ts = group[0].device, group[0].ts
            plan = plans.get(device)
            if plan is None:
                if device not in self._cameras:
                    self._warn_once(
                        device, "", "readings from a device that is not in the site file are not judged"
                    )
                readings.extend(group)  # camera counts: vision judged them in its own worker
                continue
            dev = plan.config
            qualities = set(map(QUALITY, group))
            backfill = BACKFILL in qualities
            if plan.watched and not ALIVE.isdisjoint(qualities):
                online = self._offline.seen(device, ts, plan.name, plan.clause, backfill)
                if online is not None:
                    results.append(online)
            moved = False
            hoist_changed: set[str] = set()
            kinematics, routes = plan.kinematics, plan.routes
            for r in group:
                if r.quality not in FRESH:
                    readings.append(r)  # stale or already faulted upstream: no hazard from it
                    continue
                value = r.value
                if type(value) is float:
                    if not isfinite(value):
                        self._not_finite(r)
                        readings.append(_faulted(r))
                        continue
                    if kinematics is not None and r.metric in KINEMATICS:
                        kinematics[r.metric] = value  # judged with the whole sample (_crane_motion)
                        readings.append(r)
                        moved = True
                        continue
                    route = routes.get(r.metric)
                    if route is not None:
                        if route.lo <= value < route.hi:
                            readings.append(r)  # quiet and within its quiet band: nothing would change
                            continue
                        judged, found = route.judge(r, value, r.quality is BACKFILL)
                        readings.append(judged)
                        if found or judged is not r:
                            results.extend(found)
                            route.close()
                        else:
                            route.lo, route.hi = route.band  # no verdict, not broken: its rules are quiet
                        continue
                elif isinstance(value, float) and not isfinite(value):  # a float of another type
                    self._not_finite(r)
                    readings.append(_faulted(r))
                    continue
                if dev.hoist is not None and self._hoists[device].set(r.metric, r.value):
                    hoist_changed.add(r.metric)
                judged, found = self._reading(dev, r)
                readings.append(judged)
                results.extend(found)
                moved = moved or (dev.crane is not None and r.metric in KINEMATICS and judged is r)
            if moved and plan.crane is not None:
                results.extend(self._crane_motion(plan.crane, ts, backfill))
            if hoist_changed:
                results.extend(self._hoist_sample(dev, hoist_changed, ts, backfill))
        return readings, results

    def _not_finite(self, r: Reading) -> None:
        # NaN is below and above every threshold at once: judged, it would clear a critical alarm
        # (and infinity raise one); kept as a fault, judged never
        self._warn_once(r.device, f"{r.metric}/finite", f"{r.metric} {r.value}: kept as fault, not judged")

    def on_status(self, status: DeviceStatus) -> list[RuleResult]:
        """A driver's link-state change: an offline device gets at least a warning at once."""
        dev = self._devices.get(status.device)
        if dev is None or dev.kind not in WATCHED_KINDS:
            return []
        return _some(
            self._offline.driver_status(
                status.device,
                status.online,
                status.reason,
                status.ts,
                self._names[dev.id],
                dev.poll_interval_s,
                _offline_clause(dev),
            )
        )

    def tick(self, now: float) -> list[RuleResult]:
        """Offline verdicts reached by ``now`` (call every second live; before each sample in replay)."""
        out: list[RuleResult] = []
        if now >= self._calm_until or self._offline.version != self._calm_version:
            # the devices seen since the bound was worked out put it off: at 1 Hz with a 3 s limit,
            # by two seconds at each look
            self._calm_version = self._offline.version
            self._calm_until = self._offline.calm_until(self._offline_limits)
        if now < self._calm_until:
            # no watched device can be past a time limit: only the pours' silences to judge
            for t in self._timed_formwork:
                out.extend(self._silent.tick(now, t.device, t.name, t.codes or [], t.silent_s))
        else:
            for t in self._timed:
                if t.offline is not None:
                    out.extend(self._offline.tick(now, t.device, t.name, t.interval_s, t.offline, t.clause))
                if t.codes is not None:
                    out.extend(self._silent.tick(now, t.device, t.name, t.codes, t.silent_s))
        if self._personnel is not None:
            out.extend(self._personnel.tick(now))
        return out

    def on_site(self) -> list[tuple[str, float]]:
        """Everyone the access gates last saw enter and not leave: (person id, entry ts)."""
        if self._personnel is None:
            return []
        return [(s.person, s.ts) for s in self._personnel.on_site()]

    def pouring(self) -> list[str]:
        """The formwork devices with a pour under way."""
        return [d for d in self._devices if self._silent.pouring(d)]

    def replay(self, ordered: Iterable[Reading]) -> Iterator[tuple[float, list[Reading], list[RuleResult]]]:
        """Judge readings already in ts order one instant at a time, as the live gateway did: the
        offline verdicts reached by that instant, then its readings' (``sitegw replay`` and the
        warm-up at start both go through here)."""
        for ts, group in groupby(ordered, key=TS):
            batch = list(group)
            yield ts, batch, self.tick(ts) + self._judge(batch, DEVICE)[1]

    def resume(self, now: float) -> None:
        """End of a warm-up whose verdicts were dropped: the next verdict of every alert is reported
        (the alert manager reconciles it with what it persisted), and the offline time limits
        restart at ``now``, since the gateway's own downtime is not the devices' silence."""
        for family in (
            self._load,
            self._wind,
            self._tilt,
            self._collision,
            self._zone,
            self._operator,
            self._pit,
            self._fault,
            self._offline,
            *vars(self._hoist).values(),
            self._formwork,
            self._silent,
            self._safety,
            *(self._personnel.families() if self._personnel else ()),
        ):
            for memory in memories_of(family):
                memory.rearm()
        for plan in self._plans.values():
            for route in plan.routes.values():
                route.close()  # its rules owe a report now: their next reading is judged in full
        self._offline.resume(now)
        if self._personnel is not None:
            self._personnel.resume(now)

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The live wall clock jumped by ``step_s`` seconds (more than its running explains) and reads
        ``now``: silences and time worked are measured across the step, so an hour skipped by NTP raises
        no device.offline or formwork.silent alarm; alerts already open stay as they are."""
        self._offline.clock_stepped(step_s, now)
        self._silent.clock_stepped(step_s, now)
        if self._personnel is not None:
            self._personnel.clock_stepped(step_s, now)

    def _reading(self, dev: DeviceConfig, r: Reading) -> tuple[Reading, list[RuleResult]]:
        value, name, backfill = r.value, self._names[dev.id], r.quality is BACKFILL
        if r.metric in FLAGS and not isinstance(value, str):
            return r, _some(
                self._safety.evaluate(dev.kind, dev.id, name, r.metric, float(value), r.ts, backfill)
            )
        if dev.hoist is not None and r.metric in ("driver_id", "wind_ms"):
            return r, []  # judged with the whole sample (hoist_sample): a hoist's wind is its own
        if dev.kind == "attendance" and r.metric == PRESENCE_METRIC and not isinstance(value, str):
            if self._personnel is not None:
                self._personnel.passage(r.point, float(value), r.ts)
            return r, []
        if dev.formwork is not None and r.metric == POUR_METRIC and not isinstance(value, str):
            return r, self._pour(dev, float(value) >= 0.5, r.ts)
        if r.metric == "operator_id" and dev.crane is not None:
            # black boxes read over Modbus report card numbers as numbers: 1001.0 is card "1001"
            text = f"{value:.0f}" if isinstance(value, float) and value.is_integer() else str(value)
            loaded = _loaded(self._cranes[dev.id])
            return r, _some(self._operator.evaluate(dev.id, name, text, r.ts, backfill, loaded))
        if isinstance(value, str):
            self._warn_once(dev.id, r.metric, f"text value for numeric metric {r.metric}: not judged")
            return r, []
        if r.metric == "wind_ms":
            if dev.id in self._wind_from_anemometer:
                return r, []  # kept, not judged: the serving anemometer's alert names this crane
            return self._route(dev, r.metric, self._wind_route(dev))(r, float(value), backfill)
        if dev.crane is not None:
            if r.metric in KINEMATICS:
                self._cranes[dev.id][r.metric] = float(value)
            elif r.metric == "tilt_deg":
                return self._route(dev, r.metric, self._tilt_route(dev))(r, float(value), backfill)
            return r, []
        if dev.pit is not None:
            return self._route(dev, r.metric, Route(partial(self._pit_reading, dev)))(
                r, float(value), backfill
            )
        if dev.formwork is not None:
            return self._route(dev, r.metric, Route(partial(self._formwork_reading, dev)))(
                r, float(value), backfill
            )
        return r, []

    def _hoist_sample(
        self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool
    ) -> list[RuleResult]:
        assert dev.hoist is not None
        state = self._hoists[dev.id]
        cfg = self._section(dev.id, "hoist", HoistRule)
        if self._personnel is not None and (
            abs(state.numbers.get("speed_ms", 0.0)) > cfg.moving_ms
            or state.numbers.get("load_t", 0.0) > LOADED_T
        ):
            self._personnel.work_seen((f"{self._names[dev.id]}运行", f"{dev.id} running"), ts)
        load_cfg = self._section(dev.id, "hoist_load", HoistLoadRule)
        return self._hoist.evaluate(
            dev.id, self._names[dev.id], dev.hoist, load_cfg, cfg, state, changed, ts, backfill
        )

    def _pour(self, dev: DeviceConfig, active: bool, ts: float) -> list[RuleResult]:
        assert dev.formwork is not None
        if self._personnel is not None:
            self._personnel.pour(dev.id, active, ts)
        codes = [p.code for p in dev.formwork.points]
        return self._silent.set_pour(dev.id, self._names[dev.id], codes, active, ts)

    def _formwork_reading(
        self, dev: DeviceConfig, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        point = self._formwork_points.get((dev.id, r.point))
        if point is None:
            self._warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        faults = self._section(dev.id, "sensor_fault", SensorFaultRule)
        reason = self._fault.judge(
            dev.id,
            point.code,
            r.metric,
            value,
            r.ts,
            valid_range=faults.ranges.get(r.metric),
            step=None,
            step_limit=None,
            stuck_s=None,
        )
        results = _some(
            self._fault.report(
                dev.id, point.code, r.metric, reason, value, self._names[dev.id], r.ts, backfill
            )
        )
        results.extend(_some(self._silent.seen(dev.id, self._names[dev.id], point.code, r.ts)))
        if reason:
            return _faulted(r), results
        cfg = self._section(dev.id, "formwork", FormworkRule)
        pouring = self._silent.pouring(dev.id)
        found = self._formwork.evaluate(
            dev.id, self._names[dev.id], point, r.metric, value, cfg, pouring, r.ts, backfill
        )
        return r, results + _some(found)

    def _route(self, dev: DeviceConfig, metric: str, route: Route) -> Judge:
        """``route``, kept as the way ``dev``'s float readings of ``metric`` are judged from now on
        (never a hoist's, whose readings change its sample's state first: a hoist's wind is judged with
        its sample, only cranes have a tilt, and a hoist is neither a pit nor a formwork)."""
        self._plans[dev.id].routes[metric] = route
        return route.judge

    def _tilt_route(self, dev: DeviceConfig) -> Route:
        assert dev.crane is not None
        device, name, limit = dev.id, self._names[dev.id], dev.crane.tilt_limit_per_mille
        cfg, tilt = self._section(dev.id, "crane_tilt", CraneTiltRule), self._tilt

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            found = tilt.evaluate(device, name, limit, cfg, value, r.ts, backfill)
            return r, [] if found is None else [found]

        return Route(judge, quiet_tilts(limit, cfg))

    def _wind_route(self, dev: DeviceConfig) -> Route:
        device, name = dev.id, self._names[dev.id]
        valid_range = self._section(dev.id, "sensor_fault", SensorFaultRule).ranges.get("wind_ms")
        serves = dev.serves or [dev.id]
        names = [self._names[c] for c in serves]
        cfg, fault, wind_rule = self._section(dev.id, "crane_wind", CraneWindRule), self._fault, self._wind

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
            results = _some(fault.report(device, "", "wind_ms", reason, wind, name, r.ts, backfill))
            if reason:
                return _faulted(r), results
            found = wind_rule.evaluate(device, name, serves, names, cfg, wind, r.ts, backfill)
            if found is not None:
                results.append(found)
            return r, results

        # valid (the range's upper end judged in full: the band's end is open) and below every threshold
        low, high = valid_range if valid_range is not None else (-math.inf, math.inf)
        return Route(judge, (low, min(high, quiet_winds(cfg))))

    def _pit_reading(
        self, dev: DeviceConfig, r: Reading, raw: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        plan = self._pit_plan(dev, r.point, r.metric)
        if plan is None:
            self._warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        point, limits, series = plan.point, plan.limits, plan.series
        if series.last_ts is not None and r.ts <= series.last_ts:
            # late (backfilled) or repeated readings would corrupt the rate and jump history
            self._warn_once(
                dev.id,
                f"{point.code}/{r.metric}/order",
                "readings older than the last one judged are kept but not judged",
            )
            return r, []
        series.last_ts = r.ts
        value = limits.to_table_units(raw, series.baseline) if limits else raw
        reason = self._fault.judge(
            dev.id,
            point.code,
            r.metric,
            raw,
            r.ts,
            valid_range=plan.valid_range,
            step=series.step(value),
            step_limit=plan.step_limit,
            stuck_s=plan.stuck_s,
        )
        name = self._names[dev.id]
        results = _some(self._fault.report(dev.id, point.code, r.metric, reason, raw, name, r.ts, backfill))
        if reason:
            self._pit.mark_fault(dev.id, point.code, r.metric)
            return _faulted(r), results
        if limits is None:
            return r, results
        if series.baseline is None and limits.metric == "water_level_m":
            series.baseline = limits.baseline if limits.baseline is not None else raw
            value = limits.to_table_units(raw, series.baseline)
        found = self._pit.evaluate(
            dev.id, name, point.code, limits, plan.rule, value, r.ts, point.interval_s, backfill
        )
        if not results:
            return r, found
        results.extend(found)
        return r, results

    def _crane_motion(self, crane: _Crane, ts: float, backfill: bool) -> list[RuleResult]:
        state, device, name = crane.state, crane.device, crane.name
        out: list[RuleResult] = []
        load = state.get("load_t")
        if self._personnel is not None and load is not None and load > LOADED_T:
            self._personnel.work_seen(crane.lifting, ts)
        radius = state.get("radius_m")
        if radius is not None and load is not None:
            found = self._load.evaluate(
                device, name, crane.spec.load_chart, crane.load_cfg, load, radius, ts, backfill
            )
            if found is not None:
                out.append(found)
        view = self._views[crane.view_at] = CraneView(
            device, name, crane.spec, state.get("slew_deg"), radius, state.get("height_m")
        )
        if view.hook is not None:  # slew and radius known
            found = self._zone.evaluate(device, name, view.hook, self._zone_cfg, ts, backfill)
            if found is not None:
                out.append(found)
        if len(self._views) > 1:
            out.extend(self._collision.evaluate(self._views, self._collision_cfg, ts, backfill, moved=device))
        found = self._operator.at_work(device, name, _loaded(state), ts, backfill)
        if found is not None:
            out.append(found)
        return out

    def _pit_plan(self, dev: DeviceConfig, code: str, metric: str) -> PitPlan | None:
        key = (dev.id, code, metric)
        plan = self._pit_plans.get(key)
        if plan is None:
            point = self._points.get((dev.id, code))
            if point is None:
                return None
            assert dev.pit is not None
            plan = self._pit_plans[key] = pit_plan(
                point,
                metric,
                point_limits(dev.pit, point, metric),
                self._section(dev.id, "sensor_fault", SensorFaultRule),
                self._section(dev.id, "pit", PitRule),
                self._pit.series(dev.id, code, metric),
            )
        return plan

    def _plan(self, dev: DeviceConfig, view_at: int) -> _Plan:
        """What the dispatch needs of ``dev`` (``view_at``: a crane's index in the collision views)."""
        name = self._names[dev.id]
        crane = None
        if dev.crane is not None:
            crane = _Crane(
                dev.id,
                name,
                dev.crane,
                self._cranes[dev.id],
                self._section(dev.id, "crane_load", CraneLoadRule),
                (f"{name}吊装", f"lifting by {dev.id}"),
                view_at,
            )
        # a crane's kinematic readings go straight to its memory, judged with the whole sample
        # (_crane_motion), without the walk through _reading's other cases (none of which they meet)
        plain_crane = dev.crane and dev.hoist is None and dev.formwork is None and dev.kind != "attendance"
        return _Plan(
            dev,
            name,
            dev.kind in WATCHED_KINDS,
            _offline_clause(dev),
            self._cranes[dev.id] if plain_crane else None,
            crane,
        )

    def _section(self, device: str, section: str, kind: type[T]) -> T:
        found = self._sections.get((device, section))
        if found is None:
            found = self._sections[(device, section)] = self._rules.for_device(device, section)
        assert isinstance(found, kind)
        return found

    def _warn_once(self, device: str, what: str, message: str) -> None:
        if (device, what) not in self._unknown:
            self._unknown.add((device, what))
            log.warning("rules: device %s %s: %s", device, what, message)


def _check(site: LoadedSite) -> None:
    """What the config models cannot see alone: rules for unknown devices, pit threshold keys."""
    found: list[tuple[Loc, str, str]] = []
    known = {d.id for d in site.config.devices}
    for device in site.config.rules.devices:
        if device not in known:
            found.append(
                (
                    ("rules", "devices", device),
                    f"rules for device {device!r}, which is not in devices",
                    f"known devices: {', '.join(sorted(known))}",
                )
            )
    for i, d in enumerate(site.config.devices):
        if d.pit is not None:
            found.extend(check_thresholds(i, d.pit))
    if found:
        raise ConfigError(
            [
                ConfigIssue(site.path, site.line_of(loc), format_loc(loc), message, hint)
                for loc, message, hint in found
            ]
        )


def _faulted(r: Reading) -> Reading:
    """``r`` marked fault (built directly: dataclasses.replace costs ten times more per reading)."""
    return Reading(r.ts, r.project, r.device, r.metric, r.value, r.unit, FAULT, r.point)


def _loaded(kinematics: dict[str, float]) -> bool | None:
    """Whether a crane's hook carries a load (None: its load not reported yet)."""
    load = kinematics.get("load_t")
    return None if load is None else load > LOADED_T


def _name(dev: DeviceConfig) -> str:
    return dev.name or dev.id


def _offline_clause(dev: DeviceConfig) -> str:
    return CLAUSE_PIT if dev.kind == "pit" else CLAUSE_CRANE


def _some(result: RuleResult | list[RuleResult] | None) -> list[RuleResult]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]
