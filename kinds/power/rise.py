"""power.temp_rise: a probe's temperature rising by ``rise_c`` or more within ``rise_window_s`` (practice
[U], standards.md §17: "absolute and rate-of-rise thresholds per box"), a warning: a terminal working
loose heats steadily well before it reaches power.temp's values.

The rise is the reading against the lowest reading of the window, never against the reading before it: a
slow steady rise, a fraction of a degree a sample, fires as surely as a jump. It holds while the rise
stays within the clearing band of the limit, and, once fired, until the probe's readings have covered a
whole window without a silence (a silence may have hidden the rise: the window then starts again at the
first reading after it). Only readings move the window, so a silent probe never clears it; a late reading
is stored but not judged (it would put the window's history out of order)."""

from __future__ import annotations

from collections import deque

from contract.alert_event import Level
from kinds.power.clauses import JGJT46
from kinds.power.thresholds import PowerRule
from rules.levels import key_of
from rules.reached import Reached, Words
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH

WORDS = Words(
    rule="power.temp_rise",
    clauses={
        "warning": f"{JGJT46} 第4章 配电装置；GB 14287.3 电气火灾监控（测温式）：温升速率阈值为现场按箱设定"
        + PRACTICE_ZH
    },
    unit="℃",
    actions={
        "warning": (
            "电工检查该处接线端子是否松动、回路是否过载，持续升温时断电处理",
            "have an electrician check the terminal and the load; isolate it if it keeps rising",
        )
    },
)


class PowerTempRise(Reached):
    """Per probe of each box: the window's readings, with the lowest first (a monotonic queue)."""

    def __init__(self) -> None:
        super().__init__(WORDS)
        # key_of(device, point): (ts, temp) in time order, each temp above the one before it: the first
        # is the window's lowest
        self._low: dict[str, deque[tuple[float, float]]] = {}
        self._since: dict[str, float] = {}  # key: the first reading after the last silence
        self._last: dict[str, float] = {}  # key: the last reading

    def evaluate(
        self,
        device: str,
        name: str,
        probe: tuple[str, str, str],
        cfg: PowerRule,
        temp_c: float,
        gap_s: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one probe's reading; ``probe`` is its (point, Chinese, English) names; readings
        more than ``gap_s`` apart have a silence between them."""
        point, zh, en = probe
        key = key_of(device, point)
        low = self._low.setdefault(key, deque())
        last = self._last.get(key)
        if last is not None and ts < last:
            return None  # late: the window's order would break
        if last is None or ts - last > gap_s:
            self._since[key] = ts
        self._last[key] = ts
        while low and low[-1][1] >= temp_c:
            low.pop()
        low.append((ts, temp_c))
        while ts - low[0][0] > cfg.rise_window_s:
            low.popleft()
        start_ts, lowest = low[0]
        rise = temp_c - lowest
        thresholds: list[tuple[Level, float]] = [("warning", cfg.rise_c)]
        current = self.current(device, point)
        level = self.level(device, point, rise, thresholds, cfg.hysteresis_pct / 100)
        if level is None and current is not None and ts - self._since[key] < cfg.rise_window_s:
            level = current  # no whole window read since a silence: the rise may be hidden in it
        window_min = cfg.rise_window_s / 60

        def what(level: Level | None) -> tuple[str, str]:
            zh_took, en_took = took(ts - start_ts)
            return (
                f"{name} {zh}温度 {zh_took}内由 {lowest:g} ℃ 升至 {temp_c:g} ℃（升 {rise:.1f} ℃，"
                f"限值 {window_min:g} 分钟内 {cfg.rise_c:g} ℃）",
                f"{name} {en} temperature up from {lowest:g} ℃ to {temp_c:g} ℃ in {en_took} "
                f"(+{rise:.1f} ℃; limit {cfg.rise_c:g} ℃ in {window_min:g} min)",
            )

        details: dict[str, float | str | list[str]] = {"probe": zh, "temp_c": temp_c, "lowest_c": lowest}
        return self.report(device, point, level, round(rise, 2), thresholds, what, details, ts, backfill)


def took(seconds: float) -> tuple[str, str]:
    """How long a rise took, in Chinese and English: seconds under a minute (a loose terminal heats in
    seconds, and "0 分钟" would read as no time at all), whole minutes above."""
    if seconds < 60:
        return f"{seconds:.0f} 秒", f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} 分钟", f"{seconds / 60:.0f} min"


def history_s(cfg: PowerRule) -> float:
    """Seconds of readings the rise is measured over."""
    return cfg.rise_window_s
