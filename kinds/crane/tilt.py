"""crane.tilt: tower verticality (JGJ 196-2010: at most 4/1000 free-standing or above the highest
tie, 2/1000 below it: the limit is an allowed deviation, so only a tower beyond it is out of spec);
out of spec verticality is a major hazard (建质规〔2024〕5号 Art. 8)."""

from __future__ import annotations

import math

from contract.alert_event import Level
from kinds.crane.thresholds import CraneTiltRule
from rules.levels import LevelMemory, banded_level, banded_result, clear_below
from rules.result import RuleResult
from rules.routes import EMPTY, Band
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE = "crane.tilt"
LIMIT = (
    "JGJ 196-2010 塔身垂直度允许偏差：独立状态或最高附着点以上 4/1000，最高附着点以下 2/1000，超过即超出规范"
)
MAJOR = f"；垂直度超出规范要求属 建质规〔2024〕5号 第八条 {MAJOR_ZH}"
CLAUSES = {
    "warning": f"{LIMIT}；达限值 80% 预警{PRACTICE_ZH}",
    "alarm": LIMIT + MAJOR,
    "critical": f"{LIMIT}；达限值 2 倍为危险{PRACTICE_ZH}{MAJOR}",
}
# the limit is the deviation allowed (≤ 4/1000): the alarm is beyond it; the practice lines are reached
STRICT: frozenset[Level] = frozenset({"alarm"})
ACTIONS = {
    "warning": "加强观测，检查塔身垂直度、附着与基础",
    "alarm": "停止使用，检查塔身垂直度与基础",
    "critical": "立即停止使用，撤离塔机周边人员，检查塔身垂直度、附着与基础",
}
ACTIONS_EN = {
    "warning": "watch it closely and check the tower's verticality, ties and foundation",
    "alarm": "stop using the crane and check the tower's verticality and foundation",
    "critical": "stop using the crane now, clear people from around it, check verticality, ties and foundation",
}


def tilt_thresholds(limit_per_mille: float, cfg: CraneTiltRule) -> list[tuple[Level, float]]:
    """The levels' verticality thresholds (‰), mildest first."""
    return [
        ("warning", limit_per_mille * cfg.warning_fraction),
        ("alarm", limit_per_mille),
        ("critical", limit_per_mille * cfg.critical_factor),
    ]


def quiet_tilts(limit_per_mille: float, cfg: CraneTiltRule) -> Band:
    """The tilt angles (°) whose verticality is below every threshold (routes.Route's band): a
    millionth inside the angle whose ‰ is the lowest threshold, so that no rounding of tan can put
    a tilt within it over the line (tan grows faster than the angle, so the ‰ of an angle a millionth
    smaller is at least a millionth smaller)."""
    per_mille = clear_below(tilt_thresholds(limit_per_mille, cfg), STRICT)
    if not per_mille > 0:
        return EMPTY
    degrees = math.degrees(math.atan(per_mille / 1000.0)) * (1 - 1e-6)
    return -degrees, degrees


class CraneTilt:
    """Verticality per crane from the black box's tilt angle."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        limit_per_mille: float,
        cfg: CraneTiltRule,
        tilt_deg: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The crane.tilt verdict for one tilt sample (either direction counts)."""
        per_mille = abs(math.tan(math.radians(tilt_deg))) * 1000.0
        thresholds = tilt_thresholds(limit_per_mille, cfg)
        level = banded_level(
            per_mille, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100, strict=STRICT
        )
        if level is None and self._memory.quiet(device):
            return None  # clear and known clear: nothing to report, no verdict to make

        def build() -> RuleResult:
            what = f"{name} 塔身垂直度 {per_mille:.2f}‰（倾角 {tilt_deg:.2f}°），限值 {limit_per_mille:g}‰"
            what_en = (
                f"{name} tower verticality {per_mille:.2f}/1000 (tilt {tilt_deg:.2f}°), "
                f"limit {limit_per_mille:g}/1000"
            )
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(per_mille, 3),
                thresholds,
                "‰",
                pick(level, what, ACTIONS.get(level or "", "")),
                {"tilt_deg": tilt_deg},
                backfill,
                message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
            )

        return self._memory.report_later(RULE, device, "", level, ts, backfill, build, round(per_mille, 3))
