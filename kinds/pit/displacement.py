"""pit.cumulative, pit.rate and pit.jump for deep-pit monitoring points (GB 50497-2019).

- cumulative (§8.0.3, Table 8.0.4): |value| above the alarm value (min of mm and % of H: exceeding
  it is the alarm, docs/standards.md §2; a deformation above the design value is also the major
  hazard of 建质规〔2024〕5号 Art. 5); pre-warning on reaching 70 % of it (practice).
- rate (§8.0.3, Table 8.0.4 note): the change over the trailing 24 h in mm/d at every reading;
  alarm on reaching the rate value, or above 70 % of it now and 24 h and 48 h earlier.
- minimum (Table 8.0.4: an anchor's force, 80 % of its design prestress): below it is the alarm,
  reported as pit.cumulative (the point's value against its alarm value), no pre-warning.
- jump (§8.0.9): a step between consecutive valid readings above the jump value (default the
  daily rate value) and at most step_factor × it (beyond that it is a sensor fault); latched
  until a supervisor resolves it, since a sudden movement needs a person on site.
Metrics of one point share one alert per rule; the worst metric decides its level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from contract.alert_event import Level
from contract.config.site import SiteConfig
from kinds.pit.kind import PitDevice
from kinds.pit.limits import ITEMS_EN, ITEMS_ZH, TABLE_PRACTICE, PointLimits
from kinds.pit.thresholds import PitRule
from rules.levels import LevelMemory, banded_level, crosses, threshold_of
from rules.result import RuleResult, rank
from rules.timeline import Timeline
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

CUMULATIVE, RATE, JUMP = "pit.cumulative", "pit.rate", "pit.jump"
RATE_CLAUSE = (
    "GB 50497-2019 第8.0.3条、表8.0.4 变化速率达报警值，或连续三天超过报警值的 70%（表8.0.4 注）"
    + TABLE_PRACTICE
)
JUMP_CLAUSE = (
    "GB 50497-2019 第8.0.9条 支护结构或周边土体位移值突然明显增大，应立即危险报警"
    "（突变阈值默认取日变化速率报警值，为行业惯例，可配置）"
)
PREWARNING = "；达报警值 70% 预警" + PRACTICE_ZH
DEFORMATION_MAJOR = (
    f"；支护结构或周边变形超过设计控制值且未及时处理属 建质规〔2024〕5号 第五条(四) {MAJOR_ZH}"
)
DEFORMATIONS = {"disp_h_mm", "disp_v_mm", "incl_mm", "settle_mm"}
# the words of each line: a cumulative value exceeding its alarm value (超过), a rate reaching its
# rate value (达到) or exceeding 70 % of it three days running (超过); both pre-warnings are reached
CUMULATIVE_STRICT: frozenset[Level] = frozenset({"alarm"})
RATE_STRICT = False
ACTIONS = {
    "warning": "加密监测，通知设计与监理",
    "alarm": "加密监测，通知设计与监理，危险时撤离基坑内人员",
    "critical": "立即撤离基坑内人员，现场核查并通知设计与监理",
}
ACTIONS_EN = {
    "warning": "monitor more often and tell the designer and the supervising engineer",
    "alarm": "monitor more often, tell the designer and the supervising engineer, "
    "and clear the pit of people if it turns dangerous",
    "critical": "clear the pit of people now, inspect on site and tell the designer and the supervising engineer",
}


def _action(level: Level | None) -> str:
    return ACTIONS.get(level or "", "")


def _action_en(level: Level | None) -> str:
    return ACTIONS_EN.get(level or "", "")


@dataclass
class Series:
    """Valid history of one metric of one point, in table units."""

    baseline: float | None = None
    last_valid: float | None = None
    last_valid_ts: float | None = None
    last_ts: float | None = None  # of the last reading judged, valid or not
    after_fault: bool = False
    values: Timeline = field(default_factory=Timeline)  # valid values of the last window and an interval
    rates: Timeline = field(default_factory=Timeline)  # daily rates of the last two windows and an interval

    def step(self, value: float, ts: float, interval_s: float) -> float | None:
        """|value − last valid value| per reading interval it spans (None before the first valid reading): the
        step the sensor-fault check weighs. Across a silence the wall may have moved all the while (a wall
        moving at its rate for six days has moved six days' worth), so a step is shared by the intervals since
        that reading; taken whole, a movement no broken sensor made would be called a fault at every reading
        after it, and no rule would judge the point again."""
        last, since = self.last_valid, self.last_valid_ts
        if last is None or since is None:
            return None
        return abs(value - last) / max(1.0, (ts - since) / interval_s)


class PitRules:
    """The three pit rules over every (device, point, metric) series."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, str], Series] = {}
        self._memory = {CUMULATIVE: LevelMemory(), RATE: LevelMemory(), JUMP: LevelMemory()}
        self._metric_levels: dict[tuple[str, str, str, str], Level | None] = {}
        self._latest: dict[tuple[str, str, str], dict[str, RuleResult]] = {}

    def series(self, device: str, point: str, metric: str) -> Series:
        """The state of one series (created empty)."""
        key = (device, point, metric)
        found = self._series.get(key)
        if found is None:  # not setdefault: a Series (and its two timelines) made at every reading
            found = self._series[key] = Series()
        return found

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
            if crosses(step, limits.jump, strict=True):  # a step above the jump value, not at it
                results.append(self._jump(device, name, point, limits, step, value, ts, backfill))
        s.last_valid, s.last_valid_ts, s.after_fault = value, ts, False
        if limits.cumulative is not None:
            results.append(self._cumulative(device, name, point, limits, cfg, value, ts, backfill))
        if limits.minimum is not None:
            results.append(self._minimum(device, name, point, limits, cfg, value, ts, backfill))
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
        item_en = ITEMS_EN.get(limits.metric, limits.metric)
        unit = limits.unit
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
            message=pick(
                "critical",
                f"{name} 测点 {point} {item}突变 {step:.1f} {unit}（突变阈值 {limits.jump:g} {unit}），危险报警",
                _action("critical"),
            ),
            message_en=pick_en(
                "critical",
                f"{name} point {point} {item_en} jumped by {step:.1f} {unit} (jump value {limits.jump:g} {unit}), "
                "a danger alarm",
                _action_en("critical"),
            ),
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
        level = self._level(
            CUMULATIVE, device, point, limits.metric, abs(value), thresholds, cfg, CUMULATIVE_STRICT
        )

        # made when read (most readings' verdicts are only kept as their metric's latest, _combine),
        # from a partial, not a closure: a closure's cells, made at every call, cost the GC more
        result = RuleResult.later(
            CUMULATIVE,
            device,
            point,
            level,
            ts,
            backfill,
            partial(_cumulative_result, device, name, point, limits, level, thresholds, value, ts, backfill),
            round(value, 2),  # given at once: the alert manager reads every repeat's value for its worst
        )
        return self._combine(CUMULATIVE, device, point, limits.metric, result)

    def _minimum(
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
        """An anchor's force against its minimum: a force lost below it (低于, strict) is the alarm."""
        minimum = limits.minimum
        assert minimum is not None
        thresholds: list[tuple[Level, float]] = [("alarm", minimum)]
        key = (CUMULATIVE, device, point, limits.metric)
        level = banded_level(
            value, thresholds, self._metric_levels.get(key), cfg.hysteresis_pct / 100, False, strict=True
        )
        self._metric_levels[key] = level
        item, item_en = ITEMS_ZH[limits.metric], ITEMS_EN[limits.metric]
        what = f"{name} 测点 {point} {item} {value:.1f} kN，低于最小值报警值 {minimum:g} kN"
        what_en = f"{name} point {point} {item_en} {value:.1f} kN, below its minimum {minimum:g} kN"
        if not level:
            what, what_en = (
                f"{name} 测点 {point} {item} {value:.1f} kN",
                f"{name} point {point} {item_en} {value:.1f} kN",
            )
        result = RuleResult(
            rule=CUMULATIVE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=limits.clause,
            value=round(value, 2),
            threshold=minimum,
            unit=limits.unit,
            message=pick(level, what, "检查锚杆与锚头，" + _action(level) if level else ""),
            message_en=pick_en(
                level, what_en, "check the anchor and its head; " + _action_en(level) if level else ""
            ),
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
        s.values.append(ts, value)
        s.values.drop_before(ts - window - interval_s)
        ref = s.values.at_or_before(ts - window + tol)
        if ref is None or ref[0] == ts:
            return None  # less than a window of history: no daily rate yet
        rate = abs(value - ref[1]) / (ts - ref[0]) * 86400
        s.rates.append(ts, rate)
        s.rates.drop_before(ts - 2 * window - interval_s)
        limit = limits.rate_per_day
        thresholds: list[tuple[Level, float]] = [("warning", limit * cfg.warning_fraction), ("alarm", limit)]
        key = (RATE, device, point, limits.metric)
        current = self._metric_levels.get(key)
        level = banded_level(rate, thresholds, current, cfg.hysteresis_pct / 100, strict=RATE_STRICT)
        floor = limit * cfg.rate_consecutive_fraction
        now_floor = floor * (1 - cfg.hysteresis_pct / 100) if current == "alarm" else floor
        earlier = [s.rates.at_or_before(ts - k * window + tol) for k in (1, 2)]
        three_days = crosses(rate, now_floor, strict=True) and all(
            e is not None and e[0] >= ts - k * window - tol and crosses(e[1], floor, strict=True)
            for k, e in zip((1, 2), earlier, strict=False)
        )
        if three_days and rank(level) < rank("alarm"):
            level = "alarm"
        self._metric_levels[key] = level
        item = ITEMS_ZH.get(limits.metric, limits.metric)
        item_en = ITEMS_EN.get(limits.metric, limits.metric)
        unit = f"{limits.unit}/d"
        slow = three_days and rate < limit  # alarmed by the three-day note, not by the rate itself
        note = "，连续三天超过报警值的 70%" if slow else ""
        note_en = ", above 70 % of it three days running" if slow else ""
        what = f"{name} 测点 {point} {item}速率 {rate:.2f} {unit}，报警值 {limit:g} {unit}{note}"
        what_en = f"{name} point {point} {item_en} rate {rate:.2f} {unit} over 24 h, alarm value {limit:g} {unit}{note_en}"
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
            message=pick(level, what, _action(level)),
            message_en=pick_en(level, what_en, _action_en(level)),
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
        strict: frozenset[Level],
    ) -> Level | None:
        key = (rule, device, point, metric)
        level = banded_level(
            value, thresholds, self._metric_levels.get(key), cfg.hysteresis_pct / 100, strict=strict
        )
        self._metric_levels[key] = level
        return level

    def _combine(
        self, rule: str, device: str, point: str, metric: str, result: RuleResult
    ) -> RuleResult | None:
        key = (rule, device, point)
        latest = self._latest.get(key)
        if latest is None:
            latest = self._latest[key] = {}
        latest[metric] = result
        # the highest level; at a tie this reading's, else the first metric's in the dict's order (as
        # max() with a key of (rank, is this reading's) chose, written out: a key function's call and
        # tuple for every metric were a tenth of the rules' time on the ingest path)
        worst, top = result, rank(result.level)
        for other in latest.values():
            if other.level is not None and rank(other.level) > top:
                worst, top = other, rank(other.level)
        if worst is result:
            return result if self._memory[rule].due(device, point, result.level) else None
        # another metric's verdict, restamped with this instant: made when read, as the verdicts are
        restamped = partial(worst.restamped, result.ts, result.backfill)
        return self._memory[rule].report_later(
            rule, device, point, worst.level, result.ts, result.backfill, restamped, worst.value
        )


def _cumulative_result(
    device: str,
    name: str,
    point: str,
    limits: PointLimits,
    level: Level | None,
    thresholds: list[tuple[Level, float]],
    value: float,
    ts: float,
    backfill: bool,
) -> RuleResult:
    """The pit.cumulative verdict of one reading (made when read: see PitRules._cumulative)."""
    alarm = limits.cumulative
    assert alarm is not None
    item = ITEMS_ZH.get(limits.metric, limits.metric)
    item_en = ITEMS_EN.get(limits.metric, limits.metric)
    # the water level's item is already a change ("地下水位变化"); the others are cumulative values
    total, total_en = ("", "") if limits.metric == "water_level_m" else ("累计", " cumulative")
    unit, share = limits.unit, abs(value) / alarm * 100 if alarm else 0.0
    what = f"{name} 测点 {point} {item}{total} {value:.1f} {unit}，为报警值 {alarm:g} {unit} 的 {share:.0f}%"
    what_en = (
        f"{name} point {point} {item_en}{total_en} {value:.1f} {unit}, "
        f"{share:.0f} % of the alarm value {alarm:g} {unit}"
    )
    clause = limits.clause + (PREWARNING if level == "warning" else "")
    if level == "alarm" and limits.metric in DEFORMATIONS:
        clause += DEFORMATION_MAJOR
    return RuleResult(
        rule=CUMULATIVE,
        device=device,
        point=point,
        level=level,
        ts=ts,
        clause=clause,
        value=round(value, 2),
        threshold=threshold_of(thresholds, level) or alarm,
        unit=limits.unit,
        message=pick(level, what, _action(level)),
        message_en=pick_en(level, what_en, _action_en(level)),
        details={"metric": limits.metric},
        backfill=backfill,
    )


def history_s(site: SiteConfig) -> float:
    """Seconds of history the pit rules need to judge the next reading as if never stopped: the
    three-day note compares the daily rate now, one and two windows earlier, each over a window."""
    needed = 0.0
    for d in site.devices:
        if isinstance(d, PitDevice):
            cfg = site.rules.for_device(d.id, "pit")
            assert isinstance(cfg, PitRule)
            needed = max(
                needed, 3 * cfg.rate_window_h * 3600 + max((p.interval_s for p in d.pit.points), default=0)
            )
    return needed
