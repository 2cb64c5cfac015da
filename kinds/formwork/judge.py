"""The high formwork's judge: each point against its alarm values while poured, a point silent during a
pour an alarm, a broken sensor a sensor.fault."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from contract.config.device import DeviceConfig
from contract.config.formwork import FormworkPoint
from contract.config.site import SiteConfig
from contract.readings import Reading
from kinds.formwork import silent as formwork_silent
from kinds.formwork.kind import POUR, FormworkDevice
from kinds.formwork.limits import ITEMS, FormworkLimits, alarm_value
from kinds.formwork.silent import FormworkSilent
from kinds.formwork.thresholds import FormworkRule
from rules.kinds.base import Judge, Shared, faulted, some
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route


class FormworkJudge(Judge):
    """Every formwork support system of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._limits, self._silent = FormworkLimits(), FormworkSilent()
        formwork = [d for d in devices if isinstance(d, FormworkDevice)]
        self._points: dict[tuple[str, str], FormworkPoint] = {
            (d.id, p.code): p for d in formwork for p in d.formwork.points
        }
        # what tick() looks at, in site order: each device's points' codes and silence limit
        self._timed = [
            (d.id, shared.names[d.id], [p.code for p in d.formwork.points], self._rule(d.id).silent_s)
            for d in formwork
        ]

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """A pour under way (its start) and each point's last reading."""
        return formwork_silent.history_s(site)

    def families(self) -> Iterable[object]:
        return (self._limits, self._silent)

    def window_open(self, device: str, metric: str) -> bool:
        """Is the window of ``metric`` (a pour) open on ``device``?"""
        return metric == POUR and self._silent.pouring(device)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, FormworkDevice)
        if metric == POUR:
            return Route(partial(self._pour, dev))
        return Route(partial(self._reading, dev))

    def tick(self, now: float) -> list[RuleResult]:
        out: list[RuleResult] = []
        for device, name, codes, silent_s in self._timed:
            out.extend(self._silent.tick(now, device, name, codes, silent_s))
        return out

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each metric of the first point against its alarm value (DBJ/T 15-197-2020 Table 8.0.4 or the
        design's) during a pour started beforehand."""
        assert isinstance(dev, FormworkDevice)
        cfg, point = self._rule(dev.id), dev.formwork.points[0]
        band = cfg.hysteresis_pct / 100
        ranges = self.shared.faults(dev.id).ranges
        pour = ((dev.id, "", {POUR: 1.0}),)
        found = []
        for metric, item in ITEMS.items():
            alarm = alarm_value(point, metric)
            if alarm is None:
                continue
            warn = alarm * cfg.warning_fraction
            lo_hi = ranges.get(metric)
            found.append(
                Probe(
                    item.rule,
                    dev.id,
                    metric,
                    point=point.code,
                    setup=pour,
                    interval_s=dev.poll_interval_s,
                    beyond=(warn, alarm * 1.2),
                    hold=(warn * (1 - band / 2),),
                    clear=warn * (1 - band) * 0.9,
                    faults=(lo_hi[0] - 1.0, lo_hi[1] + 1.0) if lo_hi else (),
                )
            )
        # the first point silent during a pour (the readings before it at the pour's start), then heard
        seen = (*pour, (dev.id, point.code, {"settle_mm": 0.0}))
        found.append(
            Probe(
                "formwork.silent",
                dev.id,
                "settle_mm",
                point=point.code,
                setup=seen,
                interval_s=dev.poll_interval_s,
                beyond=(None,),
                clear=0.5,
                fire_after_s=cfg.silent_s + 2 * dev.poll_interval_s,
            )
        )
        return found

    def resume(self, now: float) -> None:
        self._silent.resume(now, self.shared.stop)

    def clock_stepped(self, step_s: float, now: float) -> None:
        self._silent.clock_stepped(step_s, now)

    def _rule(self, device: str) -> FormworkRule:
        return self.shared.section(device, "formwork", FormworkRule)

    def _pour(
        self, dev: FormworkDevice, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        active = value >= 0.5
        self.shared.pour(dev.id, active, r.ts)
        codes = [p.code for p in dev.formwork.points]
        name, at = self.shared.names[dev.id], self.shared.heard_at(r.ts)
        return r, self._silent.set_pour(dev.id, name, codes, active, r.ts, at)

    def _reading(
        self, dev: FormworkDevice, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        shared = self.shared
        point = self._points.get((dev.id, r.point))
        if point is None:
            shared.warn_once(dev.id, r.point, f"point {r.point!r} is not among {dev.id}'s points: not judged")
            return r, []
        name = shared.names[dev.id]
        reason = shared.fault.judge(
            dev.id,
            point.code,
            r.metric,
            value,
            r.ts,
            valid_range=shared.faults(dev.id).ranges.get(r.metric),
            step=None,
            step_limit=None,
            stuck_s=None,
        )
        results = some(shared.fault.report(dev.id, point.code, r.metric, reason, value, name, r.ts, backfill))
        results.extend(some(self._silent.seen(dev.id, name, point.code, r.ts, shared.heard_at(r.ts))))
        if reason:
            return faulted(r), results
        pouring = self._silent.pouring(dev.id)
        found = self._limits.evaluate(
            dev.id, name, point, r.metric, value, self._rule(dev.id), pouring, r.ts, backfill
        )
        return r, results + some(found)
