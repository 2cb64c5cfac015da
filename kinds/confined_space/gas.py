"""confined_space.gas: any reading outside the limits while anyone is inside is critical: stop work and get
everyone out (应急管理部令第13号 第十五条, as the procedure of reference: 发现异常情况…立即撤离). The limits
(standards.md §9, secondary sources [U], configurable per space): oxygen 19.5-23.5 % vol (below 19.5 缺氧,
above 23.5 富氧: the bounds themselves are normal); combustible gas reaching 10 % LEL (entry practice:
below 10 %); H2S reaching 10 mg/m³ (GBZ 2.1-2019 MAC, the detector's first alarm at 100 % OEL,
GB/T 50493-2019 §5.5), CO reaching 20 mg/m³ (PC-TWA 20, the same first alarm) and CO2 reaching 9000 mg/m³
(PC-TWA 9000). A detector reporting
ppm is converted to mg/m³ at 20 °C (24.04 L/mol).

A reading outside the limits with nobody inside raises nothing; once raised, the alert lasts while the
readings stay outside the limits (less the clearing band), whoever comes out: the air is what it was,
and a silent detector clears nothing, nor does a reading it cannot give (below zero: a sensor.fault, not
judged, kinds/confined_space/judge.py).
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from kinds.confined_space.kind import GasLimits
from kinds.confined_space.state import Gas
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "confined_space.gas"
CLAUSE = (
    "应急管理部令第13号 第十五条（参照）作业中发现异常情况立即撤离；限值：氧气 19.5%～23.5%（GB 8958/GB 30871）、"
    "可燃气体 <10%LEL、硫化氢 <10 mg/m³（GBZ 2.1-2019 MAC）、一氧化碳 <20 mg/m³（GBZ 2.1-2019 PC-TWA，"
    "GB/T 50493-2019 一级报警 100%OEL）、二氧化碳 <9000 mg/m³（GBZ 2.1-2019 PC-TWA）" + PRACTICE_ZH
)
OUT = "立即停止作业、撤离有限空间内全部人员，加强通风，查明原因，重新检测合格前不得进入"
OUT_EN = "stop work and get everyone out now; ventilate, find the cause, no entry before a new test"


def bounds(gas: str, limits: GasLimits) -> list[tuple[str, float, bool]]:
    """The sides a gas's readings are judged on: (side, limit, higher is worse)."""
    if gas == "o2":
        return [("low", limits.o2_min_pct, False), ("high", limits.o2_max_pct, True)]
    return [("high", limits.limit(gas), True)]


class ConfinedGas:
    """Each gas of each space against its limits while anyone is inside."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._side: dict[tuple[str, str], str] = {}  # the side a raised alert is on

    def evaluate(
        self,
        device: str,
        name: str,
        gas: Gas,
        value: float,
        shown: str,
        limits: GasLimits,
        band: float,
        occupied: bool,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one reading (``value`` in the unit judged, ``shown`` as the detector said it)."""
        key = (device, gas.key)
        current = self._memory.get(device, gas.key)
        level: Level | None = None
        limit, side = 0.0, ""
        for side_name, line, higher in bounds(gas.key, limits):
            held = current if self._side.get(key) == side_name else None
            # oxygen's bounds are normal (below 19.5, above 23.5 are out); reaching the others is too much
            found = banded_level(value, [("critical", line)], held, band, higher, strict=gas.key == "o2")
            if found is not None or not limit:
                limit, side = line, side_name
            if found is not None:
                level = found
                break
        if level is not None and current is None and not occupied:
            level = None  # nobody inside: nobody to get out
        if level is not None:
            self._side[key] = side
        return self._memory.report(
            device,
            gas.key,
            level,
            partial(
                self._result, device, name, gas, level, value, shown, limit, side, occupied, ts, backfill
            ),
        )

    @staticmethod
    def _result(
        device: str,
        name: str,
        gas: Gas,
        level: Level | None,
        value: float,
        shown: str,
        limit: float,
        side: str,
        occupied: bool,
        ts: float,
        backfill: bool,
    ) -> RuleResult:
        word = {"low": "低于下限", "high": "超过上限" if gas.key == "o2" else "达到限值"}[side]
        what = f"{name} {gas.zh} {shown}，{word} {limit:g} {gas.unit}" + ("，有人在内" if occupied else "")
        what_en = f"{name} {gas.en} {shown}, limit {limit:g} {gas.unit}" + (
            " with people inside" if occupied else ""
        )
        if not level:
            what = f"{name} {gas.zh} {shown}"
            what_en = f"{name} {gas.en} {shown}"
        return RuleResult(
            rule=RULE,
            device=device,
            point=gas.key,
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=round(value, 3),
            threshold=limit,
            unit=gas.unit,
            message=pick(level, what, OUT),
            message_en=pick_en(level, what_en, OUT_EN),
            details={"occupied": "yes" if occupied else "no"},
            backfill=backfill,
        )
