"""power.lighting_voltage: the lighting circuit a box feeds in a wet or special place reads above the safe
voltage (照明未按规定使用安全电压). 建质规〔2024〕5号 第十条(一) makes lighting off the safe voltage in a special
working environment (通风不畅、高温、有导电灰尘、相对湿度长期超过75%、泥泞、存在积水或其他导电液体) a major
hazard; GB 55034-2022 §3.10.4 sets the safety extra-low voltage of handheld lamps at 36 V at most, from a
double-winding isolating transformer, never an autotransformer (standards.md §17).

The line is the box's (``lighting_safe_v``: 36 V unless the site sets it lower, e.g. 24 or 12 V for a very
wet or metal-enclosed place, values standards.md does not verify [U], and the clause says so). "Above" is
strict: 36.0 V is the safe voltage, 36.1 V is not. Critical at once; held down to the kind's clearing band
below the line, and a sample without the reading, a stale or faulty one, or a silence keeps it."""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from kinds.power.kind import SELV_V
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "power.lighting_voltage"
CLAUSE = (
    "建质规〔2024〕5号 第十条(一) 特殊作业环境（通风不畅、高温、有导电灰尘、相对湿度长期超过75%、泥泞、存在积水或"
    f"其他导电液体等不利作业环境）照明未按规定使用安全电压，{MAJOR_ZH}；GB 55034-2022 第3.10.4条 手持灯具应采用"
    "安全特低电压（不大于36V），由双绕组隔离变压器供电，严禁使用自耦变压器"
)
LOWER = "；低于36V的安全电压（24V、12V）为现场设定，标准条文未核实"
"""What a site's lower safe voltage adds: practice, not a value standards.md verifies [U]."""


class PowerLighting:
    """Each lighting box's circuit against its safe voltage."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        place: str,
        safe_v: float,
        band: float,
        volts: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one reading of the lighting circuit's voltage, in ``place`` (why it is wet or
        special, in the alert's words)."""
        level = banded_level(volts, [("critical", safe_v)], self._memory.get(device), band, strict=True)
        if level is None and self._memory.quiet(device):
            return None
        build = partial(_result, device, name, place, safe_v, level, volts, ts, backfill)
        return self._memory.report_later(RULE, device, "", level, ts, backfill, build, volts)


def _result(
    device: str,
    name: str,
    place: str,
    safe_v: float,
    level: Level | None,
    volts: float,
    ts: float,
    backfill: bool,
) -> RuleResult:
    what = f"{name} 照明回路电压 {volts:g} V（{place}）"
    what_en = f"{name} lighting circuit at {volts:g} V ({place})"
    if level is not None:
        what = f"{name} 照明回路电压 {volts:g} V，高于安全电压 {safe_v:g} V（{place}）"
        what_en = f"{name} lighting circuit at {volts:g} V, above the safe voltage of {safe_v:g} V ({place})"
    return RuleResult(
        rule=RULE,
        device=device,
        point="",
        level=level,
        ts=ts,
        clause=CLAUSE + (LOWER if safe_v < SELV_V else ""),
        value=volts,
        threshold=safe_v,
        unit="V",
        message=pick(
            level,
            what,
            f"立即停用该照明回路，改用双绕组隔离变压器供电、不高于 {safe_v:g} V 的安全电压灯具，严禁使用自耦变压器",
        ),
        message_en=pick_en(
            level,
            what_en,
            f"switch the lighting circuit off now and light the place with lamps at no more than {safe_v:g} V "
            "from a double-winding isolating transformer, never an autotransformer",
        ),
        details={"safe_v": safe_v, "place": place},
        backfill=backfill,
    )
