"""formwork.settle, formwork.disp, formwork.tilt, formwork.axial: each point of a high-formwork
support system against its alarm values (DBJ/T 15-197-2020 Table 8.0.4: settlement 8 mm,
horizontal displacement 12 mm, pole tilt 4‰, axial force the design value; the design's values
govern). Pre-warning at 80 % (§8.0.4); reaching the alarm value is a danger alarm (§8.0.5): during
a pour that means stop pouring and get the people under the formwork out at once, which is what
the critical message says.

Settlement, displacement and tilt are judged by their size whatever their sign (a support may
move either way); axial force as compression (positive).
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.formwork import FormworkPoint
from kinds.formwork.thresholds import FormworkRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

STOP_POUR = "立即停止浇筑，撤离支撑体系下方人员"
STOP_POUR_EN = "stop pouring now and get everyone out from under the formwork"
WATCH = "加密观测，暂停加载，通知项目技术负责人核查支撑体系"
WATCH_EN = "observe closely, stop adding load, have the support system checked"
CLAUSE_BASE = "DBJ/T 15-197-2020《高大模板支撑系统实时安全监测技术规范》"


@dataclass(frozen=True)
class Item:
    """One judged metric of a formwork point."""

    rule: str
    name_zh: str
    name_en: str
    unit: str
    signed: bool  # judged as is (axial force) rather than by size


ITEMS: dict[str, Item] = {
    "settle_mm": Item("formwork.settle", "模板支架沉降", "settlement", "mm", False),
    "disp_h_mm": Item("formwork.disp", "支架水平位移", "horizontal displacement", "mm", False),
    "tilt_deg": Item("formwork.tilt", "立杆倾斜", "pole tilt", "°", False),
    "axial_kn": Item("formwork.axial", "立杆轴力", "pole axial force", "kN", True),
}


def alarm_value(point: FormworkPoint, metric: str) -> float | None:
    """The point's alarm value of ``metric`` (None: not judged, e.g. axial force with no design value)."""
    return {
        "settle_mm": point.settle_mm,
        "disp_h_mm": point.disp_h_mm,
        "tilt_deg": point.tilt_deg,
        "axial_kn": point.axial_design_kn,
    }.get(metric)


def clauses(metric: str) -> dict[str, str]:
    """The clause per level of ``metric``'s rule."""
    table = "设计值" if metric == "axial_kn" else "表 8.0.4 报警值"
    practice = PRACTICE_ZH if metric != "axial_kn" else ""
    return {
        "warning": f"{CLAUSE_BASE} 第8.0.4条 达到报警值（{table}）的 80% 预警" + practice,
        "critical": f"{CLAUSE_BASE} 第8.0.4条、第8.0.5条 达到报警值（{table}）：危险报警，立即停止浇筑、"
        f"撤离人员；施工荷载超过设计值属 建质规〔2024〕5号 第六条(二) {MAJOR_ZH}" + practice,
    }


class FormworkLimits:
    """The four threshold rules of every formwork point."""

    def __init__(self) -> None:
        self._memories = {item.rule: LevelMemory() for item in ITEMS.values()}

    def evaluate(
        self,
        device: str,
        name: str,
        point: FormworkPoint,
        metric: str,
        value: float,
        cfg: FormworkRule,
        pouring: bool,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one reading of one point (None for metrics not judged)."""
        item = ITEMS.get(metric)
        alarm = alarm_value(point, metric)
        if item is None or alarm is None:
            return None
        judged = value if item.signed else abs(value)
        thresholds: list[tuple[Level, float]] = [
            ("warning", alarm * cfg.warning_fraction),
            ("critical", alarm),
        ]
        memory = self._memories[item.rule]
        # §8.0.4 and §8.0.5 both say 达到: the pre-warning and the alarm value are reached, not exceeded
        level = banded_level(
            judged, thresholds, memory.get(device, point.code), cfg.hysteresis_pct / 100, strict=False
        )
        pct = judged / alarm * 100

        def build() -> RuleResult:
            what = (
                f"{name} 测点 {point.code} {item.name_zh} {value:g} {item.unit}，为报警值 {alarm:g} {item.unit} "
                f"的 {pct:.0f}%" + ("（浇筑中）" if pouring else "")
            )
            what_en = (
                f"{name} point {point.code} {item.name_en} {value:g} {item.unit} = {pct:.0f} % of the alarm "
                f"value {alarm:g} {item.unit}" + (" (pour under way)" if pouring else "")
            )
            action, action_en = (STOP_POUR, STOP_POUR_EN) if level == "critical" else (WATCH, WATCH_EN)
            return banded_result(
                item.rule,
                clauses(metric),
                device,
                level,
                ts,
                round(value, 3),
                thresholds,
                item.unit,
                pick(level, what, action),
                {"alarm_value": alarm, "pct_of_alarm": round(pct, 1), "pouring": "yes" if pouring else "no"},
                backfill,
                message_en=pick_en(level, what_en, action_en),
                point=point.code,
            )

        return memory.report(device, point.code, level, build)
