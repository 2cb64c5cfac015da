"""crane.jacking_wind: jacking, adding and removing sections are erection work (JGJ 196-2010 scope), which
GB 55034-2022 §3.4.7 (a full-text mandatory code; its text read from a secondary source, [U] in standards.md
§10, and the clause says so) stops, as it stops erecting and dismantling (a crane's 安拆 window,
rules/install_window.py), when the wind at the crane's highest point exceeds 9.0 m/s (超过: a wind of exactly
9.0 m/s is not above it). Critical, raised on each crane in a window that the wind source serves (the crane's
own anemometer or one serving it), so that closing the window clears it: the last of its windows to close, a
jacking window closed inside an 安拆 window leaving the stop in force (kinds/crane/judge.py).
Once raised it holds until the wind is at or below the limit less ``hysteresis_pct`` (5 %: 8.55 m/s; the
band is practice, as every rule's, not the clause's): a gust hovering about 9.0 m/s is one alert, and the
wind dropping to exactly 9.0 m/s is no all-clear.
"""

from __future__ import annotations

from contract.alert_event import Level
from kinds.crane.jacking_window import window_closed
from kinds.crane.thresholds import CraneJackingRule
from rules.levels import LevelMemory, banded_level, clear_below
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "crane.jacking_wind"
CLAUSE = (
    "GB 55034-2022 第3.4.7条（条文经二手资料转录，未核实） 塔式起重机安装、拆卸（含顶升、加节、降节）作业时，"
    f"最高处风速超过 9.0 m/s 应停止作业；恶劣天气违规安拆属 建质规〔2024〕5号 第十五条(二) {MAJOR_ZH}"
)


def quiet_below(cfg: CraneJackingRule) -> float:
    """The winds below which a clear verdict stays clear (a wind route's quiet band ends here)."""
    return clear_below([("critical", cfg.wind_ms)], True)


class JackingWind:
    """Wind at the top of each crane inside its jacking window."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        crane: str,
        name: str,
        source: str,
        wind_ms: float,
        cfg: CraneJackingRule,
        ts: float,
        backfill: bool,
        work: str = "顶升",
    ) -> RuleResult | None:
        """The verdict for ``crane`` (in a window) of a wind sample from ``source``; ``work``: the window's,
        in Chinese (顶升, or an 安拆 window's stage: 安装, 顶升加节, 拆卸)."""
        level: Level | None = banded_level(
            wind_ms,
            [("critical", cfg.wind_ms)],
            self._memory.get(crane),
            cfg.hysteresis_pct / 100,
            strict=True,
        )
        if level is None and self._memory.quiet(crane):
            return None

        def build() -> RuleResult:
            what = f"{name}{work}作业中风速 {wind_ms:g} m/s（超过 {cfg.wind_ms:.1f} m/s 须停止）"
            what_en = f"{name}: wind {wind_ms:g} m/s during {work} (stop above {cfg.wind_ms:.1f} m/s)"
            return RuleResult(
                rule=RULE,
                device=crane,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(wind_ms, 2),
                threshold=cfg.wind_ms,
                unit="m/s",
                message=pick(
                    level, what, f"立即停止{work}，将塔身与回转下支座连接紧固（螺栓、销轴就位）后撤离"
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    "stop jacking at once, bolt the slewing support to the tower, leave the top",
                ),
                details={"source": source},
                backfill=backfill,
            )

        return self._memory.report(crane, "", level, build)

    def end(self, crane: str, name: str, ts: float, work: str = "顶升") -> RuleResult | None:
        """The window closes: a wind alert of the window clears (crane.wind goes on judging the wind)."""
        return window_closed(self._memory, RULE, CLAUSE, crane, name, ts, work)
