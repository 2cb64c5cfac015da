"""The high slopes' judge: each monitoring point's readings against GB 50330-2013 §19.1 (slope.cumulative and
slope.rate for displacements, slope.water for the groundwater, slope.rain for the rain gauge, slope.building and
slope.building_rate for a building at the top, slope.anchor for an anchor's load, slope.crack_width and
slope.crack_growth for a crack meter's width), a broken sensor a sensor.fault and never a hazard, a reading
that cannot be judged never a clearing; and at each tick slope.rain_signal, every slope's watch while a
rainstorm warning signal is in force."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.rules import SensorFaultRule
from contract.config.site import SiteConfig
from contract.config.yamlsrc import Loc
from contract.readings import Reading
from kinds.slope.cracks import check_cracks
from kinds.slope.kind import OFFLINE_GRADE_3, SlopeDevice, SlopePoint
from kinds.slope.limits import ITEMS_EN, ITEMS_ZH, check_points
from kinds.slope.mandatory import check_mandatory
from kinds.slope.probes import rain_signal_probe, slope_probes
from kinds.slope.rain_signal import SIGNAL, RainSignal
from kinds.slope.ranges import OWN_RANGES
from kinds.slope.rules import SlopeRules
from kinds.slope.thresholds import SlopeRule
from rules.kinds.base import Judge, Shared, faulted, some
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route

# values that stand still for days in a healthy sensor: no rain, the depth of the largest displacement
NEVER_STUCK = frozenset({"rain_mm", "incl_depth_m"})


class SlopeJudge(Judge):
    """Every high slope of one site."""

    # every metric by the slope's own name: a site with a pit too hears "水平位移" of both, true of each, where the
    # pit's "围护墙顶水平位移" would be false of a slope's point
    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {m: (ITEMS_ZH[m], ITEMS_EN[m]) for m in ITEMS_ZH}

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._live = SlopeRules(shared.baselines)
        # a data logger's buffer older than the live readings, judged by rules of their own so that the live
        # rate windows and levels stay as the live readings left them
        self._past = SlopeRules(shared.baselines)
        self._points: dict[tuple[str, str], SlopePoint] = {
            (d.id, p.code): p for d in devices if isinstance(d, SlopeDevice) for p in d.slope.points
        }
        self._signal = RainSignal()  # the site's rainstorm signals, judged for every slope at each tick
        self._slopes = [(d.id, shared.names[d.id]) for d in devices]

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The rate windows of the days in a row, the rain window, and a sensor's stuck time."""
        needed = 0.0
        for d in site.devices:
            if isinstance(d, SlopeDevice):
                cfg = site.rules.for_device(d.id, "slope")
                faults = site.rules.for_device(d.id, "sensor_fault")
                assert isinstance(cfg, SlopeRule) and isinstance(faults, SensorFaultRule)
                longest = max(cfg.rate_days * cfg.rate_window_h, cfg.rain_window_h, faults.stuck_h)
                needed = max(needed, longest * 3600 + max(p.interval_s for p in d.slope.points))
        return needed

    @staticmethod
    def offline_clause(dev: DeviceConfig, clause: str) -> str:
        """A 三级 slope's silence cites its monitoring (GB 50330 §19.1.2): "高边坡" in 建质规〔2024〕5号 is a 一级 or
        二级 slope, so only theirs is the major hazard of Art. 5(三) that ``clause`` (the kind's) cites."""
        return OFFLINE_GRADE_3 if isinstance(dev, SlopeDevice) and dev.slope.grade == 3 else clause

    @staticmethod
    def check(index: int, dev: DeviceConfig) -> list[tuple[Loc, str, str]]:
        """The points' design values: a water level's, a building's and an anchor's required, a rock slope's
        displacements' too (kinds/slope/limits.py); a crack point's place and a support crack's allowable
        (kinds/slope/cracks.py); the items a 一级 slope with buildings in its sliding zone must monitor (GB 50330
        §19.1.1, kinds/slope/mandatory.py)."""
        if not isinstance(dev, SlopeDevice):
            return []
        at: Loc = ("devices", index, "slope")
        issues = check_points(index, dev.id, dev.slope)
        issues += check_cracks(dev.id, dev.slope, at)
        return issues + check_mandatory(dev.id, dev.slope, at)

    def families(self) -> Iterable[object]:
        return (*self._live.families(), *self._past.families(), self._signal)

    def tick(self, now: float) -> list[RuleResult]:
        """slope.rain_signal: every slope while a rainstorm warning signal is in force (kinds/slope/rain_signal.py)."""
        signals = self.shared.weather.warnings.in_force(now, SIGNAL)
        return self._signal.tick(now, signals, self._slopes)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, SlopeDevice)
        return Route(partial(self._reading, dev))

    def _reading(
        self, dev: SlopeDevice, r: Reading, raw: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        shared = self.shared
        point = self._points.get((dev.id, r.point))
        if point is None:
            shared.warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        live = self._live
        if not live.in_order(dev.id, r):
            if backfill:
                return self._history(dev, point, r, raw)
            # late or repeated live readings would corrupt the rate windows and the rain's sum
            shared.warn_once(
                dev.id,
                f"{point.code}/{r.metric}/order",
                "live readings older than the last one judged are kept but not judged "
                "(a logger's buffer is judged as history when it comes marked backfill)",
            )
            return r, []
        name = shared.names[dev.id]
        reason = self._broken(dev.id, r, raw, live=True)
        results = some(shared.fault.report(dev.id, point.code, r.metric, reason, raw, name, r.ts, backfill))
        if reason:
            return faulted(r), results
        cfg = shared.section(dev.id, "slope", SlopeRule)
        results.extend(live.judge(dev.slope, point, name, cfg, r, raw, backfill))
        return r, results

    def _history(
        self, dev: SlopeDevice, point: SlopePoint, r: Reading, raw: float
    ) -> tuple[Reading, list[RuleResult]]:
        """A backfilled reading older than the live ones: what the slope did while nobody could see it, judged in
        order by the same rules (their own state) and marked backfill, which may open or raise an alert, never
        lower or clear one the live readings keep (gateway/alerts/manager.py). A value its sensor cannot give
        is not judged; telling a broken sensor is the live readings' work."""
        if not self._past.in_order(dev.id, r):
            self.shared.warn_once(
                dev.id,
                f"{point.code}/{r.metric}/history",
                "backfilled readings older than the last one judged as history are kept but not judged",
            )
            return r, []
        if self._broken(dev.id, r, raw, live=False):
            return faulted(r), []
        cfg = self.shared.section(dev.id, "slope", SlopeRule)
        return r, self._past.judge(dev.slope, point, self.shared.names[dev.id], cfg, r, raw, True)

    def _broken(self, device: str, r: Reading, raw: float, live: bool) -> str | None:
        """Why ``r`` is a sensor fault (None: valid): out of its range, or (live only) the same value for the
        stuck time. A step is no fault here: the slope has no jump value, and a slide is no broken sensor."""
        faults = self.shared.faults(device)
        stuck = live and r.metric not in NEVER_STUCK
        return self.shared.fault.judge(
            device,
            r.point,
            r.metric,
            raw,
            r.ts,
            valid_range=faults.ranges.get(r.metric, OWN_RANGES.get(r.metric)),
            step=None,
            step_limit=None,
            stuck_s=faults.stuck_h * 3600 if stuck else None,
        )

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The slope's first points' rules driven to their limits (kinds/slope/probes.py)."""
        assert isinstance(dev, SlopeDevice)
        cfg = self.shared.section(dev.id, "slope", SlopeRule)
        found = slope_probes(
            dev, cfg, self.shared.faults(dev.id), self.shared.config.device(dev.id).poll_interval_s
        )
        return [*found, rain_signal_probe(dev, self.shared.utc_offset_h)]
