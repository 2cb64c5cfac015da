"""The tunnels' judge: each monitoring point's series against its control values (GB 50911-2013 §9.1: a
deformation point's pair, a force point's maximum and minimum), a logger's backlog older than the live readings
judged as history, a point gone silent an alarm, a broken sensor a sensor.fault and never a hazard."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.config.yamlsrc import Loc
from contract.readings import Reading
from kinds.tunnel.force import FORCE_METRICS, RULE, ForceControl, check_forces, force_control
from kinds.tunnel.force_points import TunnelForces
from kinds.tunnel.kind import FORCE_RANGE_KN, ITEM_METRIC, TunnelDevice, TunnelPoint
from kinds.tunnel.limits import ITEMS, METRIC_ITEMS, RANGE_MM, Control, check_controls, control_of
from kinds.tunnel.points import TunnelPoints
from kinds.tunnel.silent import TunnelSilent
from kinds.tunnel.thresholds import TunnelRule
from rules.kinds.base import Judge, Shared, faulted, some
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route


class TunnelJudge(Judge):
    """Every tunnel of one site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {
        **{m: (i.zh, i.en) for m, i in METRIC_ITEMS.items()},
        **{m: (i.zh, i.en) for m, i in FORCE_METRICS.items()},
    }

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._points, self._silent = TunnelPoints(), TunnelSilent()
        # a data logger's backlog older than the live readings, judged on series of its own so that the live
        # rates and levels stay as the live readings left them (as kinds/slope/judge.py does)
        self._past = TunnelPoints()
        self._forces, self._past_forces = TunnelForces(), TunnelForces()  # the same for the force points
        tunnels = [d for d in devices if isinstance(d, TunnelDevice)]
        # each point with its control values (None: the check refused the site already) and metric
        self._plans: dict[tuple[str, str], tuple[TunnelPoint, Control | ForceControl | None]] = {
            (d.id, p.code): (p, control_of(d.tunnel, p) or force_control(p))
            for d in tunnels
            for p in d.tunnel.points
        }
        # what tick() looks at, in site order: each system's points and the silence each is allowed
        self._timed = [
            (
                d.id,
                shared.names[d.id],
                [(p.code, self._rule(d.id).silent_intervals * p.interval_s) for p in d.tunnel.points],
            )
            for d in tunnels
        ]

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """Two rate windows (a rate and the one a window before it is made of readings two windows back)
        and an interval, or a silent point's allowance if longer."""
        needed = 0.0
        for d in site.devices:
            if isinstance(d, TunnelDevice):
                cfg = site.rules.for_device(d.id, "tunnel")
                assert isinstance(cfg, TunnelRule)
                longest = max(p.interval_s for p in d.tunnel.points)
                needed = max(needed, 2 * cfg.rate_window_h * 3600 + longest, cfg.silent_intervals * longest)
        return needed

    @staticmethod
    def check(index: int, dev: DeviceConfig) -> list[tuple[Loc, str, str]]:
        """Points left without control values (kinds/tunnel/limits.py, kinds/tunnel/force.py)."""
        if not isinstance(dev, TunnelDevice):
            return []
        return check_controls(index, dev.tunnel) + check_forces(index, dev.tunnel)

    def families(self) -> Iterable[object]:
        return (self._points, self._past, self._forces, self._past_forces, self._silent)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, TunnelDevice)
        return Route(partial(self._reading, dev))

    def tick(self, now: float) -> list[RuleResult]:
        out: list[RuleResult] = []
        for device, name, allowed in self._timed:
            out.extend(self._silent.tick(now, device, name, allowed))
        return out

    def resume(self, now: float) -> None:
        self._silent.restart(self.shared.stop)

    def clock_stepped(self, step_s: float, now: float) -> None:
        self._silent.stepped(step_s, now)

    def _rule(self, device: str) -> TunnelRule:
        return self.shared.section(device, "tunnel", TunnelRule)

    def _reading(
        self, dev: TunnelDevice, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        shared = self.shared
        found = self._plans.get((dev.id, r.point))
        if found is None:
            shared.warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        point, control = found
        at = shared.heard_at(r.ts)  # the silences are measured on the gateway's clock (rules/heard.py)
        self._silent.heard(dev.id, r.ts, at)
        if r.metric != ITEM_METRIC[point.item]:
            shared.warn_once(
                dev.id,
                f"{point.code}/{r.metric}",
                f"{r.metric} is not what a {point.item} point measures: not judged",
            )
            return r, []
        series = self._points.series(dev.id, point.code)
        if series.last_ts is not None and r.ts <= series.last_ts:
            if backfill:
                return self._history(dev, point, control, r, value)
            # late or repeated live readings would corrupt the rate's history
            shared.warn_once(
                dev.id,
                f"{point.code}/order",
                "live readings older than the last one judged are kept but not judged "
                "(a logger's backlog is judged as history when it comes marked backfill)",
            )
            return r, []
        series.last_ts = r.ts
        name = shared.names[dev.id]
        reason = self._fault(dev, point, r, value)
        results = some(shared.fault.report(dev.id, point.code, r.metric, reason, value, name, r.ts, backfill))
        if reason:
            return faulted(r), results
        results.extend(some(self._silent.seen(dev.id, name, point.code, r.ts, at)))
        results.extend(
            some(self._verdict(self._points, self._forces, dev, point, control, r, value, backfill))
        )
        return r, results

    def _verdict(
        self,
        points: TunnelPoints,
        forces: TunnelForces,
        dev: TunnelDevice,
        point: TunnelPoint,
        control: Control | ForceControl | None,
        r: Reading,
        value: float,
        backfill: bool,
    ) -> RuleResult | None:
        """One valid reading's verdict, on the live series (``points``, ``forces``) or the history's."""
        if control is None:
            return None
        cfg, name = self._rule(dev.id), self.shared.names[dev.id]
        if isinstance(control, ForceControl):
            return forces.evaluate(dev.id, name, point.code, control, cfg, value, r.ts, backfill)
        return points.evaluate(
            dev.id, name, point.code, control, cfg, value, r.ts, point.interval_s, backfill
        )

    def _fault(self, dev: TunnelDevice, point: TunnelPoint, r: Reading, value: float) -> str | None:
        """The sensor fault ``value`` shows (None: none), by the metric's valid range alone, live or backfilled."""
        return self.shared.fault.judge(
            dev.id,
            point.code,
            r.metric,
            value,
            r.ts,
            valid_range=self._valid_range(dev.id, r.metric),
            step=None,
            step_limit=None,
            stuck_s=None,
        )

    def _valid_range(self, device: str, metric: str) -> tuple[float, float]:
        """What the metric's sensor can read: the site's range, else a tunnel's (mm or kN)."""
        default = FORCE_RANGE_KN if metric in FORCE_METRICS else RANGE_MM
        return self.shared.faults(device).ranges.get(metric, default)

    def _history(
        self,
        dev: TunnelDevice,
        point: TunnelPoint,
        control: Control | ForceControl | None,
        r: Reading,
        value: float,
    ) -> tuple[Reading, list[RuleResult]]:
        """A backfilled reading older than the live ones: what the point did while nobody could see it, judged
        in order by the same rules on series of their own and marked backfill (GB 50911 §9.1.5: data reaching
        the warning criteria must be reported, however late). It may open or raise an alert, never lower or
        clear one the live readings keep (gateway/alerts/manager.py); it is no proof that the point is watched
        now. A value its sensor cannot give is not judged; telling a broken sensor is the live readings' work."""
        shared = self.shared
        past = self._past.series(dev.id, point.code)
        if past.last_ts is not None and r.ts <= past.last_ts:
            shared.warn_once(
                dev.id,
                f"{point.code}/history",
                "backfilled readings older than the last one judged as history are kept but not judged",
            )
            return r, []
        past.last_ts = r.ts
        if self._fault(dev, point, r, value):
            return faulted(r), []
        return r, some(self._verdict(self._past, self._past_forces, dev, point, control, r, value, True))

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The first point of each item against its control values (the design's or §16's fallback), with
        a window of readings first so that its rate is known; the first force point against its maximum and
        its minimum; and the first point gone silent while the system reports its others."""
        assert isinstance(dev, TunnelDevice)
        cfg = self._rule(dev.id)
        band, window = cfg.hysteresis_pct / 100, cfg.rate_window_h * 3600
        found: list[Probe] = []
        for item in ITEMS:
            first = next((p for p in dev.tunnel.points if p.item == item), None)
            control = None if first is None else control_of(dev.tunnel, first)
            if first is None or control is None:
                continue
            c, metric = control.cumulative_mm, control.item.metric
            lo, hi = self.shared.faults(dev.id).ranges.get(metric, RANGE_MM)
            found.append(
                Probe(
                    control.item.rule,
                    dev.id,
                    metric,
                    point=first.code,
                    interval_s=first.interval_s,
                    beyond=(c * cfg.yellow_one, c * 1.1),
                    hold=(c * cfg.yellow_one * (1 - band / 2),),
                    # far below every line: still, the change from the values before it is a rate for a
                    # window, until the readings a window back are clear ones too
                    clear=c * cfg.yellow_both * (1 - band) * 0.5,
                    clear_after_s=window - first.interval_s / 2,
                    fire_after_s=window,
                    faults=(lo - 100.0, hi + 100.0),
                )
            )
        found.extend(self._force_probes(dev, cfg))
        point, *others = dev.tunnel.points
        metric = ITEM_METRIC[point.item]
        # the system goes on reporting its other points (its own silence is device.offline's), each quiet: a
        # force point on its baseline
        companions = tuple((dev.id, p.code, {ITEM_METRIC[p.item]: p.baseline_kn or 0.0}) for p in others)
        found.append(
            Probe(
                "tunnel.silent",
                dev.id,
                metric,
                point=point.code,
                setup=((dev.id, point.code, {metric: 0.0}),),
                companions=companions,
                interval_s=point.interval_s,
                beyond=(None,),
                clear=0.5,
                fire_after_s=cfg.silent_intervals * point.interval_s + 2 * point.interval_s,
            )
        )
        return found

    def _force_probes(self, dev: TunnelDevice, cfg: TunnelRule) -> list[Probe]:
        """The first force point: 70 % of the way to its maximum, past it and past its minimum, each fires;
        inside the clearing band of 70 % it holds; on its baseline it clears at once (no rate, no window)."""
        first = next((p for p in dev.tunnel.points if force_control(p) is not None), None)
        control = None if first is None else force_control(first)
        if first is None or control is None:
            return []
        band = cfg.hysteresis_pct / 100
        lo, hi = self._valid_range(dev.id, control.item.metric)
        return [
            Probe(
                RULE,
                dev.id,
                control.item.metric,
                point=first.code,
                interval_s=first.interval_s,
                beyond=(
                    control.at_share(cfg.yellow_both, True),
                    control.at_share(1.1, True),
                    control.at_share(1.1, False),
                ),
                hold=(control.at_share(cfg.yellow_both * (1 - band / 2), True),),
                clear=control.baseline,
                faults=(lo - 100.0, hi + 100.0),
            )
        ]
