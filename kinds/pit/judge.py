"""The deep pits' judge: each monitoring point's series against GB 50497-2019 (cumulative, rate, jump),
a broken sensor a sensor.fault and never a hazard."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.pit import PitPoint
from contract.config.rules import SensorFaultRule
from contract.config.site import SiteConfig
from contract.config.yamlsrc import Loc
from contract.readings import Reading
from kinds.pit import displacement as pit_displacement
from kinds.pit.displacement import PitRules
from kinds.pit.kind import PitDevice
from kinds.pit.limits import ITEMS_EN, ITEMS_ZH, PointLimits, check_thresholds, point_limits
from kinds.pit.plan import PitPlan, pit_plan
from kinds.pit.thresholds import PitRule
from rules.kinds.base import Judge, Shared, faulted, some
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route


class PitJudge(Judge):
    """Every deep pit of one site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {m: (ITEMS_ZH[m], ITEMS_EN[m]) for m in ITEMS_ZH}

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._pit = PitRules()
        # the series' history (a data logger's buffer older than the live readings), judged by rules of
        # its own so that the live series' rate, jump and levels stay as the live readings left them
        self._past = PitRules()
        self._points: dict[tuple[str, str], PitPoint] = {
            (d.id, p.code): p for d in devices if isinstance(d, PitDevice) for p in d.pit.points
        }
        self._plans: dict[tuple[str, str, str], PitPlan] = {}

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The rate windows of three days, and a sensor's stuck time."""
        return max(pit_displacement.history_s(site), stuck_history_s(site))

    @staticmethod
    def check(index: int, dev: DeviceConfig) -> list[tuple[Loc, str, str]]:
        """The points' threshold overrides and capacities (kinds/pit/limits.py)."""
        return check_thresholds(index, dev.pit) if isinstance(dev, PitDevice) else []

    def families(self) -> Iterable[object]:
        return (self._pit, self._past)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, PitDevice)
        return Route(partial(self._reading, dev))

    def _reading(
        self, dev: PitDevice, r: Reading, raw: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        plan = self._plan(dev, r.point, r.metric)
        shared = self.shared
        if plan is None:
            shared.warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        point, limits, series = plan.point, plan.limits, plan.series
        if series.last_ts is not None and r.ts <= series.last_ts:
            if backfill:
                return self._history(dev, plan, r, raw)
            # late or repeated live readings would corrupt the rate and jump history
            shared.warn_once(
                dev.id,
                f"{point.code}/{r.metric}/order",
                "live readings older than the last one judged are kept but not judged "
                "(a logger's buffer is judged as history when it comes marked backfill)",
            )
            return r, []
        series.last_ts = r.ts
        if series.baseline is None and limits is not None and limits.metric == "water_level_m":
            series.baseline = self._known_baseline(dev, point.code, r.metric, limits)
        value = limits.to_table_units(raw, series.baseline) if limits else raw
        reason = self._broken(dev.id, plan, r, raw, series.step(value, r.ts, point.interval_s), plan.stuck_s)
        name = shared.names[dev.id]
        results = some(shared.fault.report(dev.id, point.code, r.metric, reason, raw, name, r.ts, backfill))
        if reason:
            self._pit.mark_fault(dev.id, point.code, r.metric)
            return faulted(r), results
        if limits is None:
            return r, results
        if series.baseline is None and limits.metric == "water_level_m":
            series.baseline = shared.baselines.first(dev.id, point.code, r.metric, raw, r.ts)
            value = limits.to_table_units(raw, series.baseline)
        found = self._pit.evaluate(
            dev.id, name, point.code, limits, plan.rule, value, r.ts, point.interval_s, backfill
        )
        if not results:
            return r, found
        results.extend(found)
        return r, results

    def _known_baseline(self, dev: PitDevice, point: str, metric: str, limits: PointLimits) -> float | None:
        """A water level's baseline before its series took one: the site file's, else the one its first reading
        gave before a restart (rules/baselines.py); None: its next valid reading will be."""
        if limits.baseline is not None:
            return limits.baseline
        return self.shared.baselines.get(dev.id, point, metric)

    def _history(
        self, dev: PitDevice, plan: PitPlan, r: Reading, raw: float
    ) -> tuple[Reading, list[RuleResult]]:
        """A backfilled reading older than its series' live ones: a data logger's buffer, uploaded once the
        link came back, tells what the pit did while nobody could see it. Judged in order on the series'
        history by the same three rules (their own state), and marked backfill: the alert manager lets such
        a verdict open or raise an alert, never lower or clear one the live readings keep
        (gateway/alerts/manager.py, AlertManager._history). A value the sensor cannot give, or a step no
        wall makes, is not judged; telling a broken sensor is the live readings' work."""
        point, limits = plan.point, plan.limits
        if limits is None:
            return r, []
        past = self._past.series(dev.id, point.code, r.metric)
        if past.last_ts is not None and r.ts <= past.last_ts:
            self.shared.warn_once(
                dev.id,
                f"{point.code}/{r.metric}/history",
                "backfilled readings older than the last one judged as history are kept but not judged",
            )
            return r, []
        past.last_ts = r.ts
        baseline = plan.series.baseline
        if baseline is None:
            baseline = self._known_baseline(dev, point.code, r.metric, limits)
        value = limits.to_table_units(raw, baseline)
        # stuck_s None: the live readings' stuck clock is not this history's
        if self._broken(dev.id, plan, r, raw, past.step(value, r.ts, point.interval_s), None):
            self._past.mark_fault(dev.id, point.code, r.metric)
            return faulted(r), []
        name = self.shared.names[dev.id]
        found = self._past.evaluate(
            dev.id, name, point.code, limits, plan.rule, value, r.ts, point.interval_s, True
        )
        return r, found

    def _broken(
        self, device: str, plan: PitPlan, r: Reading, raw: float, step: float | None, stuck_s: float | None
    ) -> str | None:
        """Why ``r`` of ``plan``'s series is a sensor fault (None: valid); ``step``: its change from the
        series' last valid value."""
        return self.shared.fault.judge(
            device,
            plan.point.code,
            r.metric,
            raw,
            r.ts,
            valid_range=plan.valid_range,
            step=step,
            step_limit=plan.step_limit,
            stuck_s=stuck_s,
        )

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The wall top's horizontal displacement of the pit's first wall-top point (GB 50497 Table 8.0.4
        from its grade, support and depth): its cumulative value, its daily rate (a steady movement, its
        window the configured rate window) and a sudden step."""
        assert isinstance(dev, PitDevice)
        metric, cfg = "disp_h_mm", self.shared.section(dev.id, "pit", PitRule)
        judged = [(p, lim) for p in dev.pit.points if (lim := point_limits(dev.pit, p, metric)) is not None]
        if not judged:
            return []
        point, limits = judged[0]
        band, interval = cfg.hysteresis_pct / 100, self.shared.config.device(dev.id).poll_interval_s
        lo, hi = self.shared.faults(dev.id).ranges.get(metric, (-500.0, 500.0))
        faults = (lo - 100.0, hi + 100.0)
        found: list[Probe] = []
        if limits.cumulative is not None:
            warn = limits.cumulative * cfg.warning_fraction
            found.append(
                Probe(
                    "pit.cumulative",
                    dev.id,
                    metric,
                    point=point.code,
                    interval_s=interval,
                    faults=faults,
                    beyond=(warn, limits.cumulative * 1.1),
                    hold=(warn * (1 - band / 2),),
                    clear=warn * (1 - band) * 0.9,
                )
            )
        window_s = cfg.rate_window_h * 3600
        if limits.rate_per_day is not None:
            per_sample = limits.rate_per_day * interval / 86400  # a steady movement at the daily rate
            # once the wall stops, the rate over the window falls as the movement leaves it: below the
            # pre-warning's clearing line after this share of the window (from the first still reading)
            line = cfg.warning_fraction * (1 - band) / 1.5
            found.append(
                Probe(
                    "pit.rate",
                    dev.id,
                    metric,
                    point=point.code,
                    interval_s=interval,
                    ramp=True,
                    beyond=(per_sample * 1.5,),
                    clear=per_sample * 0.1,  # nearly still (never quite: a sensor stuck is a fault)
                    clear_after_s=window_s * (1 - line) / (1 - 0.1) - interval,
                    fire_after_s=window_s,
                    faults=faults,
                )
            )
        if limits.jump is not None:
            found.append(
                Probe(
                    "pit.jump",
                    dev.id,
                    metric,
                    point=point.code,
                    interval_s=interval,
                    ramp=True,
                    latched=True,
                    fire_after_s=interval,  # a step: the reading before it and the reading after
                    beyond=(limits.jump * 1.5,),
                    clear=0.0,
                    faults=faults,
                )
            )
        return found

    def _plan(self, dev: PitDevice, code: str, metric: str) -> PitPlan | None:
        key = (dev.id, code, metric)
        plan = self._plans.get(key)
        if plan is None:
            point = self._points.get((dev.id, code))
            if point is None:
                return None
            plan = self._plans[key] = pit_plan(
                point,
                metric,
                point_limits(dev.pit, point, metric),
                self.shared.faults(dev.id),
                self.shared.section(dev.id, "pit", PitRule),
                self._pit.series(dev.id, code, metric),
            )
        return plan


def stuck_history_s(site: SiteConfig) -> float:
    """Seconds of history the sensor-fault stuck check needs: ``stuck_h`` of one value (pit sensors only:
    crane kinematics and wind are never judged stuck)."""
    needed = 0.0
    for d in site.devices:
        if isinstance(d, PitDevice):
            cfg = site.rules.for_device(d.id, "sensor_fault")
            assert isinstance(cfg, SensorFaultRule)
            needed = max(needed, cfg.stuck_h * 3600 + max((p.interval_s for p in d.pit.points), default=0))
    return needed
