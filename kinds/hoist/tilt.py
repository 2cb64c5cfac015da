"""hoist.tilt: the mast's verticality from the box's two tilt angles (X, Y). The deviation allowed grows
with the erected height h: h/1000 up to 70 m, then 70 mm to 100 m, 90 mm to 150 m, 110 mm to 200 m and
130 mm above (docs/standards.md §5, rack-and-pinion hoists; three secondary sources agree [U], so the
site may set its own limit). A mast beyond it (the limit is the deviation allowed: on it is still within)
is an alarm, and a major hazard: 导轨架垂直度不符合要求 (建质规〔2024〕5号 第八条(六)).

The deviation is the mast's lean at its top, h × the tangent of its tilt, the two axes taken together.
"""

from __future__ import annotations

import math

from contract.alert_event import Level
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE = "hoist.tilt"
CLAUSE = (
    "施工升降机 导轨架垂直度允许偏差：架设高度 h≤70 m 为 h/1000，70～100 m 为 70 mm，100～150 m 为 90 mm，"
    "150～200 m 为 110 mm，>200 m 为 130 mm"
    + PRACTICE_ZH
    + f"；导轨架垂直度超出规范属 建质规〔2024〕5号 第八条(六) {MAJOR_ZH}"
)
# (erected height up to, m; deviation allowed, mm; None: h/1000, i.e. h mm for h metres)
TABLE: tuple[tuple[float, float | None], ...] = ((70.0, None), (100.0, 70.0), (150.0, 90.0), (200.0, 110.0))
ABOVE_MM = 130.0


def allowed_mm(erected_height_m: float) -> float:
    """The mast's deviation allowed (mm) at ``erected_height_m``, by the table of docs/standards.md §5."""
    for up_to, mm in TABLE:
        if erected_height_m <= up_to:
            return erected_height_m if mm is None else mm
    return ABOVE_MM


def deviation_mm(erected_height_m: float, tilt_x_deg: float, tilt_y_deg: float) -> float:
    """The mast top's lean (mm) of a mast ``erected_height_m`` high tilted so on both axes."""
    lean = math.hypot(math.tan(math.radians(tilt_x_deg)), math.tan(math.radians(tilt_y_deg)))
    return erected_height_m * 1000.0 * lean


class HoistTilt:
    """Each hoist's mast verticality."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        erected_height_m: float,
        limit_mm: float,
        band_pct: float,
        tilt_x_deg: float,
        tilt_y_deg: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The hoist.tilt verdict for one sample of the two tilt angles."""
        mm = deviation_mm(erected_height_m, tilt_x_deg, tilt_y_deg)
        thresholds: list[tuple[Level, float]] = [("alarm", limit_mm)]
        # the limit is the deviation allowed: beyond it (strict) is out of spec
        level = banded_level(mm, thresholds, self._memory.get(device), band_pct / 100, strict=True)

        def build() -> RuleResult:
            what = (
                f"{name} 导轨架垂直度偏差 {mm:.0f} mm（倾角 X {tilt_x_deg:.2f}°、Y {tilt_y_deg:.2f}°，"
                f"架设高度 {erected_height_m:g} m），允许 {limit_mm:g} mm"
            )
            what_en = (
                f"{name} mast out of plumb by {mm:.0f} mm (tilt X {tilt_x_deg:.2f}°, Y {tilt_y_deg:.2f}°, "
                f"erected {erected_height_m:g} m), allowed {limit_mm:g} mm"
            )
            return banded_result(
                RULE,
                {"alarm": CLAUSE},
                device,
                level,
                ts,
                round(mm, 1),
                thresholds,
                "mm",
                pick(level, what, "停止使用，吊笼降至底层，检查导轨架垂直度、附墙架与基础并校正"),
                {"tilt_x_deg": tilt_x_deg, "tilt_y_deg": tilt_y_deg},
                backfill,
                message_en=pick_en(
                    level, what_en, "stop: bring the cage down, check and correct the mast, its ties and base"
                ),
            )

        return self._memory.report(device, "", level, build)
