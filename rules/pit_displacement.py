"""pit.cumulative, pit.rate and pit.jump for deep-pit monitoring points (GB 50497-2019).

- cumulative (§8.0.3, Table 8.0.4): |value| against the alarm value (min of mm and % of H);
  pre-warning at 70 % of it (practice).
- rate (§8.0.3, Table 8.0.4 note): the change over the trailing 24 h in mm/d at every reading;
  alarm at the rate value, or above 70 % of it now and 24 h and 48 h earlier.
- jump (§8.0.9): a step between consecutive valid readings above the jump value (default the
  daily rate value) and at most step_factor × it (beyond that it is a sensor fault); latched
  until a supervisor resolves it, since a sudden movement needs a person on site.
Metrics of one point share one alert per rule; the worst metric decides its level.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from contract.alert_event import Level
from contract.config.rules import PitRule
from contract.config.site import SiteConfig
from rules.levels import LevelMemory, banded_level, threshold_of
from rules.pit_limits import ITEMS_ZH, PointLimits
from rules.result import RuleResult, rank

CUMULATIVE, RATE, JUMP = "pit.cumulative", "pit.rate", "pit.jump"
RATE_CLAUSE = "GB 50497-2019 §8.0.3, Table 8.0.4 rate and note (3 days > 70 %) (table values: practice)"
JUMP_CLAUSE = "GB 50497-2019 §8.0.9 (sudden displacement: danger alarm)"
PREWARNING = "; 70 % pre-warning (practice)"


@dataclass
class Series:
    """Valid history of one metric of one point, in table units."""

    baseline: float | None = None
    last_valid: float | None = None
    last_ts: float | None = None  # of the last reading judged, valid or not
    after_fault: bool = False
    values: deque[tuple[float, float]] = field(default_factory=deque)
    rates: deque[tuple[float, float]] = field(default_factory=deque)


def _at_or_before(items: deque[tuple[float, float]], ts: float) -> tuple[float, float] | None:
    found = None
    for item in items:
        if item[0] > ts:
            break
        found = item
    return found


class PitRules:
    """The three pit rules over every (device, point, metric) series."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, str], Series] = {}
        self._memory = {CUMULATIVE: LevelMemory(), RATE: LevelMemory(), JUMP: LevelMemory()}
        self._metric_levels: dict[tuple[str, str, str, str], Level | None] = {}
        self._latest: dict[tuple[str, str, str], dict[str, RuleResult]] = {}

    def series(self, device: str, point: str, metric: str) -> Series:
        """The state of one series (created empty)."""
        return self._series.setdefault((device, point, metric), Series())

    def step_of(self, device: str, point: str, metric: str, value: float) -> float | None:
        """|value − last valid value| of the series, None before its first valid reading."""
        last = self.series(device, point, metric).last_valid
        return None if last is None else abs(value - last)

    def mark_fault(self, device: str, point: str, metric: str) -> None:
        """A fault reading: the next valid one starts afresh for the jump rule."""
        self.series(device, point, metric).after_fault = True

    def evaluate(
        self,
        device: str,
        name: str,
        point: str,
        limits: PointLimits,
        cfg: PitRule,
        value: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> list[RuleResult]:
        """Verdicts of one valid reading (table units) of one point."""
        s = self.series(device, point, limits.metric)
        results = []
        if limits.jump is not None and s.last_valid is not None and not s.after_fault:
            step = abs(value - s.last_valid)
            if step > limits.jump:
                results.append(self._jump(device, name, point, limits, step, value, ts, backfill))
        s.last_valid, s.after_fault = value, False
        if limits.cumulative is not None:
            results.append(self._cumulative(device, name, point, limits, cfg, value, ts, backfill))
        if limits.rate_per_day is not None:
            results.append(self._rate(device, name, point, limits, cfg, s, value, ts, interval_s, backfill))
        return [r for r in results if r is not None]

    def _jump(
        self,
        device: str,
        name: str,
        point: str,
        limits: PointLimits,
        step: float,
        value: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        item = ITEMS_ZH.get(limits.metric, limits.metric)
        result = RuleResult(
            rule=JUMP,
            device=device,
            point=point,
            level="critical",
            ts=ts,
            clause=JUMP_CLAUSE,
            value=round(step, 2),
            threshold=limits.jump,
            unit=limits.unit,
            latched=True,
            backfill=backfill,
            message=f"{name} {point} {item} 突变 {step:.1f} {limits.unit} (阈值 {limits.jump:g} {limits.unit})，"
            f"危险报警，立即核查 | sudden step of {limits.metric} by {step:.1f} {limits.unit}",
            details={"metric": limits.metric, "reading": value},
        )
        return self._memory[JUMP].report(device, point, "critical", lambda: result)

    def _cumulative(
        self,
        device: str,
        name: str,
        point: str,
        limits: PointLimits,
        cfg: PitRule,
        value: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        assert limits.cumulative is not None
        alarm = limits.cumulative
        thresholds: list[tuple[Level, float]] = [("warning", alarm * cfg.warning_fraction), ("alarm", alarm)]
        level = self._level(CUMULATIVE, device, point, limits.metric, abs(value), thresholds, cfg)
        item = ITEMS_ZH.get(limits.metric, limits.metric)
        what = "变化" if limits.metric == "water_level_m" else "累计"
        result = RuleResult(
            rule=CUMULATIVE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=limits.clause + (PREWARNING if level == "warning" else ""),
            value=round(value, 2),
            threshold=threshold_of(thresholds, level) or alarm,
            unit=limits.unit,
            message=f"{name} {point} {item}{what} {value:.1f} {limits.unit} (报警值 {alarm:g} {limits.unit}) | "
            f"{point} {limits.metric} cumulative {value:.1f} {limits.unit}, alarm value {alarm:g}",
            details={"metric": limits.metric},
            backfill=backfill,
        )
        return self._combine(CUMULATIVE, device, point, limits.metric, result)

    def _rate(
        self,
        device: str,
        name: str,
        point: str,
        limits: PointLimits,
        cfg: PitRule,
        s: Series,
        value: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> RuleResult | None:
        assert limits.rate_per_day is not None
        window, tol = cfg.rate_window_h * 3600, interval_s / 2
        s.values.append((ts, value))
        while s.values and s.values[0][0] < ts - window - interval_s:
            s.values.popleft()
        ref = _at_or_before(s.values, ts - window + tol)
        if ref is None or ref[0] == ts:
            return None  # less than a window of history: no daily rate yet
        rate = abs(value - ref[1]) / (ts - ref[0]) * 86400
        s.rates.append((ts, rate))
        while s.rates and s.rates[0][0] < ts - 2 * window - interval_s:
            s.rates.popleft()
        limit = limits.rate_per_day
        thresholds: list[tuple[Level, float]] = [("warning", limit * cfg.warning_fraction), ("alarm", limit)]
        key = (RATE, device, point, limits.metric)
        current = self._metric_levels.get(key)
        level = banded_level(rate, thresholds, current, cfg.hysteresis_pct / 100)
        floor = limit * cfg.rate_consecutive_fraction
        now_floor = floor * (1 - cfg.hysteresis_pct / 100) if current == "alarm" else floor
        earlier = [_at_or_before(s.rates, ts - k * window + tol) for k in (1, 2)]
        three_days = rate > now_floor and all(
            e is not None and e[0] >= ts - k * window - tol and e[1] > floor
            for k, e in zip((1, 2), earlier, strict=False)
        )
        if three_days and rank(level) < rank("alarm"):
            level = "alarm"
        self._metric_levels[key] = level
        item = ITEMS_ZH.get(limits.metric, limits.metric)
        note = "，连续三天超过70%" if three_days and rate < limit else ""
        result = RuleResult(
            rule=RATE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=RATE_CLAUSE + (PREWARNING if level == "warning" else ""),
            value=round(rate, 3),
            threshold=threshold_of(thresholds, level) or limit,
            unit=f"{limits.unit}/d",
            message=f"{name} {point} {item}速率 {rate:.2f} {limits.unit}/d (报警值 {limit:g}){note} | "
            f"{point} {limits.metric} rate {rate:.2f} {limits.unit}/d over 24 h",
            details={"metric": limits.metric, "three_days": "yes" if three_days else "no"},
            backfill=backfill,
        )
        return self._combine(RATE, device, point, limits.metric, result)

    def _level(
        self,
        rule: str,
        device: str,
        point: str,
        metric: str,
        value: float,
        thresholds: list[tuple[Level, float]],
        cfg: PitRule,
    ) -> Level | None:
        key = (rule, device, point, metric)
        level = banded_level(value, thresholds, self._metric_levels.get(key), cfg.hysteresis_pct / 100)
        self._metric_levels[key] = level
        return level

    def _combine(
        self, rule: str, device: str, point: str, metric: str, result: RuleResult
    ) -> RuleResult | None:
        latest = self._latest.setdefault((rule, device, point), {})
        latest[metric] = result
        worst = max(latest.values(), key=lambda r: (rank(r.level), r is result))
        if worst is not result:
            worst = replace(worst, ts=result.ts, backfill=result.backfill)
        return self._memory[rule].report(device, point, worst.level, lambda: worst)


def history_s(site: SiteConfig) -> float:
    """Seconds of history the pit rules need to judge the next reading as if never stopped: the
    three-day note compares the daily rate now, one and two windows earlier, each over a window."""
    needed = 0.0
    for d in site.devices:
        if d.pit is not None:
            cfg = site.rules.for_device(d.id, "pit")
            assert isinstance(cfg, PitRule)
            needed = max(
                needed, 3 * cfg.rate_window_h * 3600 + max((p.interval_s for p in d.pit.points), default=0)
            )
    return needed
