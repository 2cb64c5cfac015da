"""The tower cranes' judge: load against the chart, the hook's place against no-lift zones and the other
cranes, the tower's tilt, the wind where no anemometer serves the crane, the operator's licence."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Final

from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.config.papers import INSTALL
from contract.config.site import SiteConfig
from contract.readings import Quality, Reading
from kinds.anemometer.kind import AnemometerDevice
from kinds.crane import collision as crane_collision
from kinds.crane import jacking_wind as crane_jacking_wind
from kinds.crane import wind as crane_wind
from kinds.crane.collision import CraneCollision, CraneView, Frame
from kinds.crane.jacking_balance import JackingBalanceCheck
from kinds.crane.jacking_motion import JackingMotion
from kinds.crane.jacking_night import JackingNight
from kinds.crane.jacking_tilt import JackingTilt
from kinds.crane.jacking_wind import JackingWind
from kinds.crane.jacking_window import JackingWindows
from kinds.crane.kind import JACKING, JIB_HEIGHT, LIMITERS, TIES_ADDED, CraneDevice
from kinds.crane.load import CraneLoad
from kinds.crane.motion import Motion
from kinds.crane.operator import CraneOperator
from kinds.crane.recalibration import Recalibration, recalibration_probe
from kinds.crane.standing import METRICS, STILL_GAP, Standing, noise_of
from kinds.crane.thresholds import (
    CraneCollisionRule,
    CraneJackingRule,
    CraneLoadRule,
    CraneTiltRule,
    CraneWindRule,
    CraneZoneRule,
)
from kinds.crane.tilt import CraneTilt, quiet_tilts
from kinds.crane.wind import CraneWind, quiet_winds
from kinds.crane.zone import CraneZone
from rules.install_window import install_rules
from rules.kinds.base import LOADED_T, Judge, Shared, faulted, some
from rules.probes import Probe, Sample
from rules.result import RuleResult
from rules.roster import reported_with
from rules.routes import EMPTY, Band, Route
from rules.sample_ranges import SampleRanges

OPERATOR: Final = "operator_id"
ALL_MOTIONS = frozenset(METRICS)


class _Crane:
    """What judging one crane's sample as a whole needs, looked up once."""

    __slots__ = (
        "chart",
        "device",
        "frame",
        "interval_s",
        "lifting",
        "load_cfg",
        "motion",
        "name",
        "noise",
        "spec",
        "stale_s",
        "standing",
        "state",
        "still_gap_s",
        "view_at",
        "working",
    )

    def __init__(
        self, dev: CraneDevice, name: str, load_cfg: CraneLoadRule, jacking: CraneJackingRule, view_at: int
    ) -> None:
        self.device, self.name = dev.id, name
        self.spec, self.frame, self.chart = dev.crane, Frame(dev.crane), dev.crane.load_chart
        self.interval_s = dev.poll_interval_s
        self.state: dict[str, float] = {}  # its latest kinematics
        self.load_cfg = load_cfg
        self.lifting = (f"{name}吊装", f"lifting by {dev.id}")  # what the key people are told of
        self.view_at = view_at  # its view's index in the collision check's list
        # a sample older than three polls no longer tells where the crane is (nor how fast it moves)
        self.stale_s = 3 * dev.poll_interval_s
        frame = self.frame
        self.motion = Motion(dev.crane.max_slew_deg_s, self.stale_s, frame.swing_m, frame.braking_s)
        # where it stands: any slewing, trolley travel or hoisting beyond its noise from there is work,
        # loaded or not (weather.work's 冒险作业), however slowly it goes
        self.standing, self.noise = Standing(), noise_of(jacking)
        self.working = (f"{name}回转、变幅或起升", f"slewing, trolley travel or hoisting by {dev.id}")
        self.still_gap_s = dev.poll_interval_s * STILL_GAP

    def moving(self, changed: set[str], ts: float) -> bool:
        """Whether a sample moved the crane from where it stood (its work: ``self.working``)."""
        state = self.state
        # a box reports every motion in every sample: the common case without the generator
        complete = changed >= ALL_MOTIONS or all(m in changed for m in METRICS if m in state)
        return self.standing.see(state, complete, self.noise, 1.0, self.still_gap_s, ts)

    def view(self, ts: float) -> CraneView:
        """The crane as the collision check sees it at its sample of ``ts``: its spec (its height as the
        last jacking window left it), its latest kinematics and the speeds they give."""
        state, motion = self.state, self.motion
        speeds = (motion.slew_deg_s, motion.radius_ms, motion.height_ms)
        return CraneView(
            self.device,
            self.name,
            self.spec,
            state.get("slew_deg"),
            state.get("radius_m"),
            state.get("height_m"),
            ts,
            speeds,
            self.stale_s,
            motion.travel_m,
            self.frame,
        )

    def set_height(self, jib_height_m: float) -> None:
        """The jib's new height (a jacking window closed): the collision check's geometry from now."""
        self.spec = self.spec.model_copy(update={"jib_height_m": jib_height_m})
        self.frame = Frame(self.spec)


# the load rule's figures as the regulator interface's fields can carry them (docs/standards.md §1 realistic
# ranges): outside, a sensor.fault (the radius is the motion rules' input too, judged as it comes)
RANGES = {"load_t": (0.0, 99.99), "moment_pct": (0.0, 655.0)}


class CraneJudge(Judge):
    """Every tower crane of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        cfg = shared.config
        self._jacking, self._jacking_wind = jacking_of(shared)
        cranes = [d for d in devices if isinstance(d, CraneDevice)]
        # every crane as the collision check sees it, in site order, in one list the collision check
        # works its pairs out for once; a sample replaces its own crane's view at its index
        self._views = [CraneView(d.id, shared.names[d.id], d.crane, None, None, None) for d in cranes]
        self._paired = len(self._views) > 1  # a crane alone has no clearance to another
        self._cranes = {
            d.id: _Crane(
                d,
                shared.names[d.id],
                shared.section(d.id, "crane_load", CraneLoadRule),
                shared.section(d.id, "crane_jacking", CraneJackingRule),
                i,
            )
            for i, d in enumerate(cranes)
        }
        self._load, self._wind, self._tilt = CraneLoad(), CraneWind(), CraneTilt()
        # a broken load cell or encoder clears no overload
        self._ranges = SampleRanges(shared, RANGES, self.devices)
        self._collision, self._zone = CraneCollision(), CraneZone(cfg.no_lift_zones)
        self._motion, self._balance, self._night = JackingMotion(), JackingBalanceCheck(), JackingNight()
        self._jacking_tilt = JackingTilt()
        self._recalibration = Recalibration()  # the limiters re-calibrated after a window, or a reminder
        # each crane's tilt route: judged in full while its jacking window is open (every step counts)
        self._tilt_routes: dict[str, Route] = {}
        self._install = install_rules(shared)  # the site's 安拆 windows, the hoists' too
        self._operator = CraneOperator(
            cfg.operators, cfg.rules.licence_utc_offset_h, reported_with(shared.site, "operator_id", "load_t")
        )
        zone, collision = cfg.rules.section("crane_zone"), cfg.rules.section("crane_collision")
        assert isinstance(zone, CraneZoneRule) and isinstance(collision, CraneCollisionRule)
        self._zone_cfg, self._collision_cfg = zone, collision
        # a crane's black box often repeats the wind of the anemometer that serves it: one wind
        # source of record per crane, or a gust would raise the same hazard three times
        self._wind_elsewhere = {c for d in cfg.devices if isinstance(d, AnemometerDevice) for c in d.serves}

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The motion rules' latest kinematics and levels, and the wind's run of samples."""
        return max(crane_collision.history_s(site), crane_wind.history_s(site))

    def families(self) -> Iterable[object]:
        return (
            self._load,
            self._wind,
            self._tilt,
            self._collision,
            self._zone,
            self._operator,
            self._motion,
            self._balance,
            self._night,
            self._jacking_tilt,
            self._jacking_wind,
            self._install,
            self._recalibration,
        )

    def window_open(self, device: str, metric: str) -> bool:
        """Is the window of ``metric`` (jacking) open on ``device``?"""
        if metric == INSTALL:
            return self._install.active(device)
        return metric == JACKING and self._jacking.active(device)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, CraneDevice)
        if metric == "tilt_deg":
            return self._tilt_route(dev)
        if metric == "wind_ms":
            if dev.id in self._wind_elsewhere:
                return None  # kept, not judged: the serving anemometer's alert names this crane
            return wind_route(self.shared, self._wind, dev.id, [dev.id])
        if metric == JACKING:
            return Route(self._jacking_reading)
        if metric == INSTALL:
            return Route(self._install_reading)
        if metric == JIB_HEIGHT:
            return Route(self._height_reading)
        if metric == TIES_ADDED:
            return Route(self._ties_reading)
        if metric == LIMITERS:
            return Route(self._limiters_reading)
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
        self.shared.worker_seen(r.device, text.strip(), r.ts)
        loaded = _loaded(self._cranes[r.device].state)
        return r, some(
            self._operator.evaluate(r.device, self.shared.names[r.device], text, r.ts, backfill, loaded)
        )

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._cranes[dev.id].state

    def _install_reading(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        """An 安拆 window opens (its stage) or closes (0) on the crane; closing it clears a wind stop it had
        (crane.jacking_wind), unless a jacking window is open still."""
        device, work = r.device, self._install.stage_zh(r.device)
        found = self._install.window(device, value, r.ts)
        if work and not self._install.active(device) and not self._jacking.active(device):
            found += some(self._jacking_wind.end(device, self.shared.names[device], r.ts, work))
        return r, found

    def _jacking_reading(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        """A jacking window opens (1) or closes (0): its motion is measured from where the crane is now, its
        crew, supervisor and safety officer are judged as an 安拆 window's climb (crane.install: jacking is
        安拆 work, standards.md §10, §19), and closing clears every crane.jacking_* alert of the window but a
        wind stop an 安拆 window open still keeps (the same GB 55034 limit stops its work), and owes the limiters'
        re-calibration (crane.recalibration)."""
        device, name, active = r.device, self.shared.names[r.device], value >= 0.5
        if not self._jacking.set(device, active, r.ts):
            return r, []
        found = self._install.jacking(device, active, r.ts)
        recalibration = self._recalibration.window(device, name, active, r.ts)  # owed once it closes
        route = self._tilt_routes.get(device)
        work = (f"{name}顶升作业", f"jacking on {device}") if active else None
        self.shared.weather.window(device, "jacking", work, r.ts)  # erection work against the weather stops
        if active:
            self._motion.start(device, self._cranes[device].state)
            self._jacking_tilt.start(device)
            if route is not None:  # no quiet band inside the window: the first tilt is its reference
                route.band = EMPTY
                route.close()
            return r, found
        if route is not None:
            route.band = self._quiet_tilts(device)
        ends = (self._motion, self._balance, self._night, self._jacking_tilt)
        found += [ended for rule in ends if (ended := rule.end(device, name, r.ts)) is not None]
        if not self._install.active(device):  # else the 安拆 window's wind stop holds (its own close ends it)
            found += some(self._jacking_wind.end(device, name, r.ts))
        return r, found + some(recalibration)

    def _height_reading(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        """The jib's height as the last jacking window closed it: the crane's geometry from now on."""
        crane = self._cranes[r.device]
        if value > 0 and value != crane.spec.jib_height_m:
            crane.set_height(value)
            # the same sample seen with the new geometry: its time (how current it is) unchanged
            self._views[crane.view_at] = crane.view(self._views[crane.view_at].ts)
        return r, []

    def _ties_reading(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        """Ties fitted by the jacking window closing now: the crane owes an acceptance before it works again."""
        if value >= 1:
            self._install.tied(r.device, round(value), r.ts)
        return r, []

    def _limiters_reading(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        """The limiters recorded re-calibrated (1) or not (0) after a jacking window (crane.recalibration)."""
        name = self.shared.names[r.device]
        return r, some(self._recalibration.recorded(r.device, name, value, r.ts, backfill))

    def tick(self, now: float) -> list[RuleResult]:
        jacking = self._jacking
        out = self._install.tick(now)
        if jacking.none_open():
            return out
        for device in jacking.any_open(list(self._cranes)):
            cfg = self.shared.section(device, "crane_jacking", CraneJackingRule)
            found = self._night.evaluate(
                device, self._cranes[device].name, cfg, self.shared.utc_offset_h, now
            )
            if found is not None:
                out.append(found)
        return out

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop
        self._recalibration.restart(self.shared.stop)  # a reminder firing at the stop waits for its record

    def clock_stepped(self, step_s: float, now: float) -> None:
        self._jacking.clock_stepped(step_s, now)

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        crane = self._cranes[dev.id]
        memory = crane.state
        device, name = crane.device, crane.name
        out = self._ranges.check(device, memory, changed, ts, backfill)
        load = memory.get("load_t")
        loaded = None if load is None else load > LOADED_T  # _loaded(memory), written out
        moving = crane.moving(changed, ts)
        if loaded is not None:
            found = self._install.loaded(device, loaded, ts)
            if found is not None:
                out.append(found)
        if loaded:
            self.shared.work_seen(device, crane.lifting, ts)
        elif moving:  # slewing, trolley or hoist with the hook empty: crane work all the same
            self.shared.work_seen(device, crane.working, ts)
        else:
            if crane.standing.since is None:  # not proven standing: no rest for a weather stop either
                self.shared.weather.unproven(device, ts)
            if load is not None:
                self.shared.rest_seen(device, ts)
        radius = memory.get("radius_m")
        if radius is not None and load is not None:
            reeving = memory.get("reeving")  # CraneSpec.chart_for, its common case without a call
            chart = crane.chart if reeving is None else crane.spec.chart_for(reeving)
            found = self._load.evaluate(
                device, name, chart, crane.load_cfg, load, radius, ts, backfill, memory.get("moment_pct")
            )
            if found is not None:
                out.append(found)
        crane.motion.update(ts, memory.get("slew_deg"), radius, memory.get("height_m"))
        view = self._views[crane.view_at] = crane.view(ts)
        if view.hook is not None:  # slew and radius known
            found = self._zone.evaluate(device, name, view.hook, self._zone_cfg, ts, backfill)
            if found is not None:
                out.append(found)
        if self._paired:
            out.extend(self._collision.evaluate(self._views, self._collision_cfg, ts, backfill, moved=device))
        found = self._operator.at_work(device, name, loaded, ts, backfill)
        if found is not None:
            out.append(found)
        if self._jacking.active(device):
            out.extend(self._jacking_sample(crane, changed, ts, backfill))
        return out

    def _jacking_sample(
        self, crane: _Crane, changed: set[str], ts: float, backfill: bool
    ) -> list[RuleResult]:
        """A sample inside the crane's jacking window: no motion, and the balance point kept."""
        device, name, memory = crane.device, crane.name, crane.state
        cfg = self.shared.section(device, "crane_jacking", CraneJackingRule)
        out = some(self._motion.evaluate(device, name, memory, changed, cfg, crane.interval_s, ts, backfill))
        balance = crane.spec.jacking_balance
        if balance is None:
            self.shared.warn_once(device, "jacking_balance", "no crane.jacking_balance: balance not judged")
        else:
            found = self._balance.evaluate(
                device, name, balance, memory.get("load_t"), memory.get("radius_m"), cfg, ts, backfill
            )
            out.extend(some(found))
        return out

    def _quiet_tilts(self, device: str) -> Band:
        """crane.tilt's quiet band of ``device``'s tilt (outside a jacking window)."""
        limit = self._cranes[device].spec.tilt_limit_per_mille
        return quiet_tilts(limit, self.shared.section(device, "crane_tilt", CraneTiltRule))

    def _tilt_route(self, dev: CraneDevice) -> Route:
        device, name, limit = dev.id, self.shared.names[dev.id], dev.crane.tilt_limit_per_mille
        cfg, tilt = self.shared.section(dev.id, "crane_tilt", CraneTiltRule), self._tilt
        jacking, step = self._jacking, self._jacking_tilt

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            found = [tilt.evaluate(device, name, limit, cfg, value, r.ts, backfill)]
            if jacking.active(device):
                jcfg = self.shared.section(device, "crane_jacking", CraneJackingRule)
                found.append(step.evaluate(device, name, value, jcfg, r.ts, backfill))
            return r, [f for f in found if f is not None]

        route = Route(judge, EMPTY if jacking.active(device) else self._quiet_tilts(device))
        self._tilt_routes[device] = route
        return route

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each crane rule with the hook at the chart's first radius, the site's first operator logged
        in, its limits from the site file; the collision rule with this crane's jib slewed at the tower of a
        crane whose jib is higher, the zone rule with its hook over the middle of the first no-lift zone it reaches."""
        assert isinstance(dev, CraneDevice)
        shared, spec = self.shared, dev.crane
        operators = shared.config.operators
        first = spec.load_chart[0]
        quiet: dict[str, float | str] = {
            "load_t": 0.0,
            "radius_m": first.radius_m,
            "slew_deg": 0.0,
            "height_m": 10.0,
            "operator_id": operators[0].id if operators else "",
        }

        def probe(
            rule: str, metric: str, with_: dict[str, float | str] | None = None, **rest: object
        ) -> Probe:
            context = {k: v for k, v in quiet.items() if k != metric} | (with_ or {})
            return Probe(rule, dev.id, metric, context=context, **rest)  # type: ignore[arg-type]

        load_cfg = shared.section(dev.id, "crane_load", CraneLoadRule)
        warn, band = first.rated_t * load_cfg.warning_pct / 100, load_cfg.hysteresis_pct / 100
        tilt_cfg = shared.section(dev.id, "crane_tilt", CraneTiltRule)
        tilt_warn = spec.tilt_limit_per_mille * tilt_cfg.warning_fraction
        tilt_band = tilt_cfg.hysteresis_pct / 100
        loaded = first.rated_t / 2
        found = [
            probe(
                "crane.load",
                "load_t",
                beyond=(warn, first.rated_t * 1.2),
                hold=(warn * (1 - band / 2),),
                clear=warn * (1 - band) * 0.9,
            ),
            probe(
                "crane.tilt",
                "tilt_deg",
                beyond=(_tilt_deg(tilt_warn), _tilt_deg(-3 * spec.tilt_limit_per_mille)),
                hold=(_tilt_deg(tilt_warn * (1 - tilt_band / 2)),),
                clear=0.0,
            ),
            # nobody logged in (255 or an empty card), or a card nobody holds, while the hook is loaded
            probe(
                "crane.operator",
                "operator_id",
                beyond=("", "255", 255.0, "NOBODY-0000"),
                clear=str(quiet["operator_id"]),
                with_={"load_t": loaded},
            ),
        ]
        if dev.id not in self._wind_elsewhere:
            found += [wind_probe(shared, dev.id), jacking_wind_probe(shared, dev.id, dev)]
        found += self._jacking_probes(dev, quiet)
        found.append(recalibration_probe(dev.id, dev.poll_interval_s))
        if dev.papers is not None and dev.papers.installers:
            # a load on the hook inside an 安拆 window opened beforehand (erecting): no lifting during 安拆
            opened = ((dev.id, "", {**quiet, INSTALL: 1.0}),)
            found.append(
                probe(
                    "crane.install",
                    "load_t",
                    beyond=(loaded,),
                    clear=0.0,
                    setup=opened,
                    alert=(dev.id, "load"),
                )
            )
        return found + self._geometry_probes(dev, probe)

    def _geometry_probes(self, dev: CraneDevice, probe: Callable[..., Probe]) -> list[Probe]:
        """The zone rule with the hook over the middle of the first no-lift zone the crane reaches; the
        collision rule with its jib slewed at the tower of a crane whose jib is higher."""
        spec = dev.crane
        found: list[Probe] = []
        zones = [z for z in self.shared.config.no_lift_zones if _within_reach(spec, _middle(z.polygon))]
        if zones:
            slew, radius = _aim(spec, _middle(zones[0].polygon))
            found.append(
                probe(
                    "crane.zone",
                    "slew_deg",
                    beyond=(slew,),
                    clear=(slew + 180) % 360,
                    with_={"radius_m": radius},
                )
            )
        others = [c for c in self._cranes.values() if c.device != dev.id]
        higher = [c for c in others if c.spec.jib_height_m > spec.jib_height_m]
        if higher:  # this crane's jib below the other's: slewed at the other's tower
            other = higher[0]
            slew, _ = _aim(spec, other.spec.position_m)
            # the other's trolley in by its tower (its hook and rope nowhere near this jib), and clear
            # is this jib pointing straight away from it: every structure of the pair apart
            parked = (
                (other.device, "", {"slew_deg": 0.0, "radius_m": 2.0, "height_m": 10.0, "load_t": 0.0}),
            )
            found.append(
                probe(
                    "crane.collision",
                    "slew_deg",
                    beyond=(slew,),
                    clear=(slew + 180) % 360,
                    with_={"radius_m": 5.0},
                    companions=parked,
                )
            )
        return found

    def _jacking_probes(self, dev: CraneDevice, quiet: Sample) -> list[Probe]:
        """The jacking rules inside a window opened beforehand, the hook at the balance point of the
        manual (the site's crane section) where one is configured: the crane slewing, the hook off the
        balance load, a window open at night (closing it is its end)."""
        cfg = self.shared.section(dev.id, "crane_jacking", CraneJackingRule)
        balance = dev.crane.jacking_balance
        still: dict[str, float | str] = dict(quiet)
        if balance is not None:
            still |= {"load_t": balance.load_t, "radius_m": balance.radius_m}
        opened = ((dev.id, "", {**still, JACKING: 1.0}),)
        every = dev.poll_interval_s

        def probe(rule: str, metric: str, **rest: object) -> Probe:
            context = {k: v for k, v in still.items() if k != metric}
            rest.setdefault("setup", opened)
            return Probe(rule, dev.id, metric, context=context, interval_s=every, **rest)  # type: ignore[arg-type]

        # 大于 each motion's noise: three times it per sample is moving (either way), and so is a slow
        # steady motion of 0.4 of it per sample (the 0.4°/s slew); standing still for still_s, it resolves
        found = []
        for metric, noise in zip(METRICS, noise_of(cfg), strict=True):
            found.append(
                probe(
                    "crane.jacking_motion",
                    metric,
                    beyond=(noise * 3, -noise * 3),
                    clear=0.0,
                    ramp=True,
                    creep=noise * 0.4,
                    clear_after_s=cfg.still_s,
                )
            )
        if balance is not None:
            tolerance = balance.load_t * cfg.balance_load_pct / 100
            found.append(
                probe(
                    "crane.jacking_balance",
                    "load_t",
                    beyond=(balance.load_t + 2 * tolerance, 0.0),
                    clear=balance.load_t,
                )
            )
            # 超出 the radius tolerance: the trolley off the balance radius
            found.append(
                probe(
                    "crane.jacking_balance",
                    "radius_m",
                    beyond=(
                        balance.radius_m + 2 * cfg.balance_radius_m,
                        balance.radius_m - 2 * cfg.balance_radius_m,
                    ),
                    clear=balance.radius_m,
                )
            )
        # the tower's tilt moving more than the step (大于) from the first tilt inside the window (level: 0°);
        # back at the step itself it is held (within the band), level again it clears
        step = cfg.tilt_step_per_mille

        def tilt_of(per_mille: float) -> float:
            return math.degrees(math.atan(per_mille / 1000.0))

        found.append(
            probe(
                "crane.jacking_tilt",
                "tilt_deg",
                beyond=(tilt_of(2 * step), tilt_of(-2 * step)),
                clear=0.0,
                hold=(tilt_of(step), tilt_of(-step * (1 - cfg.hysteresis_pct / 200))),
                setup=(*opened, (dev.id, "", {"tilt_deg": 0.0})),
            )
        )
        # a window opened after the day's end: a warning from the next tick until it closes
        tz = timezone(timedelta(hours=self.shared.utc_offset_h))
        evening = datetime(2026, 11, 2, tzinfo=tz) + timedelta(hours=cfg.day_until_h + 0.5)
        found.append(
            probe(
                "crane.jacking_night",
                JACKING,
                beyond=(1.0,),
                clear=0.0,
                setup=((dev.id, "", still),),
                start=evening.timestamp(),
                fire_after_s=every,  # judged at the engine's tick, the instant after it opened
            )
        )
        return found


def _tilt_deg(per_mille: float) -> float:
    """The tilt angle whose verticality (tan × 1000) is ``per_mille``."""
    return math.degrees(math.atan(per_mille / 1000))


def _middle(polygon: list[tuple[float, float]]) -> tuple[float, float]:
    """The mean of a polygon's corners (inside a convex zone)."""
    return sum(x for x, _ in polygon) / len(polygon), sum(y for _, y in polygon) / len(polygon)


def _aim(spec: CraneSpec, point: tuple[float, float]) -> tuple[float, float]:
    """The black box's slew that points the jib at ``point``, and its distance from the tower."""
    x0, y0 = spec.position_m
    angle = math.degrees(math.atan2(point[1] - y0, point[0] - x0)) - spec.slew_offset_deg
    slew = angle if spec.slew_direction == "ccw" else -angle
    return slew % 360, math.hypot(point[0] - x0, point[1] - y0)


def _within_reach(spec: CraneSpec, point: tuple[float, float]) -> bool:
    return _aim(spec, point)[1] < spec.jib_m


def _loaded(kinematics: dict[str, float]) -> bool | None:
    """Whether a crane's hook carries a load (None: its load not reported yet)."""
    load = kinematics.get("load_t")
    return None if load is None else load > LOADED_T


def jacking_of(shared: Shared) -> tuple[JackingWindows, JackingWind]:
    """The site's cranes' jacking windows, and their wind, which an anemometer serving a crane judges
    too: one of each per site, shared by the cranes' and the anemometers' judges."""
    return shared.one("crane.jacking", JackingWindows), shared.one("crane.jacking_wind", JackingWind)


def wind_route(shared: Shared, wind_rule: CraneWind, device: str, serves: list[str]) -> Route:
    """How a wind reading of ``device`` is judged for the cranes it ``serves``: a broken sensor is a
    sensor.fault, a valid speed the crane.wind rule of those cranes."""
    name = shared.names[device]
    valid_range = shared.faults(device).ranges.get("wind_ms")
    names = [shared.names[c] for c in serves]
    cfg, fault = shared.section(device, "crane_wind", CraneWindRule), shared.fault
    jacking_cfg = {c: shared.section(c, "crane_jacking", CraneJackingRule) for c in serves}
    windows, jacking_wind = jacking_of(shared)
    install = install_rules(shared)

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
        for crane in serves:  # in a jacking window, or erected, climbed or dismantled: the same limit
            work = "顶升" if windows.active(crane) else install.stage_zh(crane)
            if work:
                found = jacking_wind.evaluate(
                    crane, shared.names[crane], device, wind, jacking_cfg[crane], r.ts, backfill, work
                )
                results.extend(some(found))
        return r, results

    # valid (the range's upper end judged in full: the band's end is open) and below every threshold,
    # the jacking limit included (a window may open at any time: its wind is then judged at once)
    low, high = valid_range if valid_range is not None else (-math.inf, math.inf)
    quiet = min(quiet_winds(cfg), *(crane_jacking_wind.quiet_below(c) for c in jacking_cfg.values()))
    return Route(judge, (low, min(high, quiet)))


def jacking_wind_probe(shared: Shared, source: str, crane: CraneDevice) -> Probe:
    """crane.jacking_wind of ``crane`` judged from ``source``'s wind (the crane's own or an anemometer
    serving it), the crane's jacking window opened beforehand: 超过 the limit stops it, the limit itself
    does not; once stopped, the limit itself and the band below it hold it (hysteresis_pct); broken
    readings are the anemometer's faults."""
    cfg = shared.section(crane.id, "crane_jacking", CraneJackingRule)
    lo, hi = shared.faults(source).ranges.get("wind_ms", (0.0, 60.0))
    band = cfg.hysteresis_pct / 100
    return Probe(
        "crane.jacking_wind",
        source,
        "wind_ms",
        beyond=(cfg.wind_ms + 0.01, cfg.wind_ms * 1.5),
        hold=(cfg.wind_ms, cfg.wind_ms * (1 - band / 2)),
        clear=cfg.wind_ms * (1 - band) * 0.9,
        setup=((crane.id, "", {JACKING: 1.0}),),
        faults=(lo - 1.0, hi + 1.0),
        alert=(crane.id, ""),
    )


def wind_probe(shared: Shared, device: str) -> Probe:
    """crane.wind judged from ``device``'s wind: its warning speed reached, a storm, then calm; the
    anemometer's own broken readings (out of its range) as its faults."""
    cfg = shared.section(device, "crane_wind", CraneWindRule)
    band = cfg.hysteresis_pct / 100
    lo, hi = shared.faults(device).ranges.get("wind_ms", (0.0, 60.0))
    return Probe(
        "crane.wind",
        device,
        "wind_ms",
        beyond=(cfg.warning_ms, cfg.critical_ms * 1.1),
        hold=(cfg.warning_ms * (1 - band / 2),),
        clear=cfg.warning_ms * (1 - band) * 0.9,
        faults=(lo - 1.0, hi + 1.0),
    )
