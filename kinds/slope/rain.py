"""slope.rain: the rain a gauge measured over the trailing rain window (GB 50330-2013 Table 19.1.3 lists
rainfall; standards.md §15: a total above a configured value raises the sampling rate and warns, practice).
Above the line (大于: at it is not; 50 mm in 24 h by default, a rainstorm's day) is a warning: watch the slope
closely.
Each report carries the rain since the one before, so the window's total is their sum; a report missed (lost,
broken, stale) is rain unseen, so a firing warning is held until the window holds no such gap."""

from __future__ import annotations

from collections import deque

from contract.alert_event import Level
from kinds.slope.thresholds import SlopeRule
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.rain"
STRICT: frozenset[Level] = frozenset({"warning"})  # a total above (大于) the line, standards.md §15
CLAUSE = (
    "GB 50330-2013 第19.1.3条、表19.1.3 降雨量为边坡监测项目；累计降雨超过警戒值时加密监测、巡查排水"
    + PRACTICE_ZH
)
GAP = 1.5  # intervals between two reports beyond which one was missed
ACTION = "加密边坡监测与巡查，疏通坡顶截水沟与坡脚排水，坡面覆盖防冲刷"
ACTION_EN = (
    "monitor and walk the slope more often, clear the top's cut-off drains and the toe's, cover the face"
)


class Rain:
    """slope.rain over every (device, rain-gauge point)."""

    def __init__(self) -> None:
        self.memory = LevelMemory()
        self._falls: dict[tuple[str, str], deque[tuple[float, float]]] = {}
        self._gaps: dict[tuple[str, str], deque[float]] = {}  # reports that came after one missed
        self._last: dict[tuple[str, str], float] = {}

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        cfg: SlopeRule,
        mm: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid report (mm since the last) of one gauge, when the alert manager must hear."""
        key, window = (device, point), cfg.rain_window_h * 3600
        falls = self._falls.setdefault(key, deque())
        gaps = self._gaps.setdefault(key, deque())
        falls.append((ts, mm))
        last = self._last.get(key)
        if last is not None and ts - last > GAP * interval_s:
            gaps.append(ts)
        self._last[key] = ts
        while falls[0][0] <= ts - window:
            falls.popleft()
        while gaps and gaps[0] <= ts - window:
            gaps.popleft()
        total = sum(f for _, f in falls)
        current = self.memory.get(device, point)
        level: Level | None = banded_level(
            total, [("warning", cfg.rain_mm)], current, cfg.hysteresis_pct / 100, strict=STRICT
        )
        if level is None and gaps:
            level = current  # rain unseen within the window: its total is not known to be below the line
        hours = f"{cfg.rain_window_h:g}"
        what = f"{name} 测点 {point} {hours} 小时降雨 {total:.1f} mm，警戒值 {cfg.rain_mm:g} mm"
        what_en = f"{name} point {point} rain {total:.1f} mm in {hours} h, line {cfg.rain_mm:g} mm"
        return self.memory.report(
            device,
            point,
            level,
            lambda: RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(total, 1),
                threshold=cfg.rain_mm,
                unit="mm",
                message=pick(level, what, ACTION),
                message_en=pick_en(level, what_en, ACTION_EN),
                details={"metric": "rain_mm", "window_h": cfg.rain_window_h},
                backfill=backfill,
            ),
        )
