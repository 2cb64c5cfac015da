"""Confined spaces (有限空间: a sewage pit, a cable tunnel, a manhole): the gas detector, the fan, who is
inside and the attendant at the entrance (standards.md §9; 建质规〔2024〕5号 第十一条).

One device is one space. Its box (or the profile's MQTT topics) reports:

- the gas detector: oxygen (% vol), combustible gas (% LEL) and the toxic gases H2S and CO, each in the
  unit the detector shows: ``h2s_ppm`` or ``h2s_mgm3``, ``co_ppm`` or ``co_mgm3`` (the rules convert ppm
  to mg/m³ at 20 °C, as the limits of GBZ 2.1 are written);
- the fan: ``fan_on`` 1 while it runs;
- who is inside: ``inside`` with the person (the badge read at the manhole, or the entry sensor's own
  code when it cannot tell people apart) as the reading's point, 1 when they go in and 0 when they come out;
- the attendant (监护人): ``attendant`` with the person as the point, 1 at the entrance, 0 gone; the reader
  re-sends each attendant at the post with every report, so that a reader that stops is heard to stop.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds.kind import Kind, Metric

O2 = "o2_pct"
LEL = "lel_pct"
FAN = "fan_on"
INSIDE = "inside"
ATTENDANT = "attendant"
TOXIC = {
    "h2s_ppm": "h2s",
    "h2s_mgm3": "h2s",
    "co_ppm": "co",
    "co_mgm3": "co",
    "co2_ppm": "co2",
    "co2_mgm3": "co2",
}
"""Each toxic-gas metric and the gas it measures (a detector reports one unit or the other)."""
GASES = (O2, LEL, *TOXIC)
MOLAR_MASS = {"h2s": 34.08, "co": 28.01, "co2": 44.01}
MOLAR_VOLUME_L = 24.04
"""L/mol at 20 °C and 101.325 kPa: mg/m³ = ppm × M / 24.04 (arithmetic, standards.md §9)."""


def mg_per_m3(metric: str, value: float) -> float:
    """A toxic-gas reading in mg/m³, whatever unit its metric is in."""
    if metric.endswith("_ppm"):
        return value * MOLAR_MASS[TOXIC[metric]] / MOLAR_VOLUME_L
    return value


class GasLimits(Model):
    """The readings a space's air must keep while anyone is in it and before anyone goes in."""

    o2_min_pct: float = Field(
        19.5, gt=0, lt=100, title="Oxygen low", description="% vol: below it is oxygen-deficient (缺氧), 19.5"
    )
    o2_max_pct: float = Field(
        23.5, gt=0, lt=100, title="Oxygen high", description="% vol: above it is oxygen-enriched (富氧), 23.5"
    )
    lel_pct: float = Field(
        10,
        gt=0,
        le=100,
        title="Combustible gas",
        description="% LEL reached that is too much: entry needs below 10 % LEL (practice, configurable)",
    )
    h2s_mgm3: float = Field(
        10,
        gt=0,
        title="H2S",
        description="mg/m³ reached that is too much: GBZ 2.1-2019 MAC 10 mg/m³ (≈ 7.1 ppm), the "
        "detector's first alarm at 100 % OEL (GB/T 50493-2019)",
    )
    co_mgm3: float = Field(
        20,
        gt=0,
        title="CO",
        description="mg/m³ reached that is too much: PC-TWA 20 mg/m³ (≈ 17 ppm), the detector's first "
        "alarm at 100 % OEL (GB/T 50493-2019)",
    )

    co2_mgm3: float = Field(
        9000,
        gt=0,
        title="CO2",
        description="mg/m³ reached that is too much: GBZ 2.1-2019 PC-TWA 9000 mg/m³ (≈ 4900 ppm; PC-STEL 18000)",
    )

    def limit(self, gas: str) -> float:
        """The value of a combustible or toxic gas (its key) that is too much, reached."""
        return {"lel": self.lel_pct, "h2s": self.h2s_mgm3, "co": self.co_mgm3, "co2": self.co2_mgm3}[gas]

    @model_validator(mode="after")
    def _oxygen(self) -> GasLimits:
        if self.o2_min_pct >= self.o2_max_pct:
            raise ValueError(
                f"limits: o2_min_pct ({self.o2_min_pct:g}) must be below o2_max_pct ({self.o2_max_pct:g})"
            )
        return self


class ConfinedSpaceSpec(Model):
    """A confined space (有限空间) and the timings of its entry procedure."""

    area: str = Field("", title="Where", description="where it is, e.g. 2号污水井 or B1 电缆隧道")
    limits: GasLimits = Field(
        default_factory=GasLimits,
        title="Gas limits",
        description="o2_min_pct, o2_max_pct, lel_pct, h2s_mgm3, co_mgm3, co2_mgm3 (standards.md §9 [U]: configurable)",
    )
    test_valid_min: float = Field(
        30,
        gt=0,
        le=240,
        title="Test valid for",
        description="minutes a complete in-limit reading set (O2, then combustible, then toxic) allows entry: "
        "not earlier than 30 min before work (practice, configurable); more is stale (超过). Measured on the "
        "gateway's clock, from when the set was taken (its stamp and the detector's clock offset learnt from its "
        "live readings, so a buffered set heard late is as old as it is) to when it heard the entry; "
        "a set heard before a restart allows no entry after it",
    )
    break_min: float = Field(
        30,
        gt=0,
        le=1440,
        title="Break needing a new test",
        description="minutes the space may stay empty before re-entry needs a new reading set taken after "
        "the break began (practice: 30; more is a break, 超过). The break is the manhole reader's, by its own "
        "stamps; whether the set came after it, the gateway's clock: when the set was taken, when it heard the exit "
        "(a set heard before the detector's clock is confirmed, a minute of live readings, never counts after it)",
    )
    silent_s: float = Field(
        60,
        gt=0,
        le=3600,
        title="Detector silent after",
        description="seconds without a gas reading while anyone is inside before the alarm (continuous "
        "detection, 应急管理部令第13号 第十五条)",
    )
    attendant_grace_s: float = Field(
        60,
        ge=0,
        le=3600,
        title="Attendant away after",
        description="seconds anyone may be inside with no attendant at the entrance before the alarm",
    )
    reader_silent_s: float = Field(
        60,
        gt=0,
        le=600,
        title="Attendant reader silent after",
        description="seconds anyone may be inside without a reading of the attendant's reader at the entrance "
        "(each attendant at the post re-sent by the badge reader, the presence switch read at every poll) "
        "before the post counts as unattended, an alarm: a dead or unplugged reader would otherwise show its "
        "last attendant at the post for ever (超过; 建质规〔2024〕5号 第十一条(三))",
    )
    hysteresis_pct: float = Field(
        5, ge=0, lt=50, title="Clearing band", description="% of a gas limit a reading must come back by"
    )


class ConfinedSpaceDevice(DeviceConfig):
    """A confined space's monitoring: gas detector, fan, entry reader and the attendant's post."""

    kind: Literal["confined_space"] = Field(
        title="Kind", description="confined_space: a confined space's gas detector, fan and entry readers"
    )
    confined_space: ConfinedSpaceSpec = Field(
        default_factory=ConfinedSpaceSpec,
        title="Confined space",
        description="area, gas limits, test_valid_min, break_min, silent_s, attendant_grace_s, reader_silent_s",
    )


KIND = Kind(
    name="confined_space",
    zh="有限空间",
    en="confined space",
    device=ConfinedSpaceDevice,
    section="confined_space",
    metrics=(
        Metric(O2, "氧气", "%", "oxygen", summary="min"),
        Metric(LEL, "可燃气体（爆炸下限）", "%", "combustible gas (% of the LEL)", summary="max"),
        Metric("h2s_ppm", "硫化氢", "ppm", "H2S", summary="max"),
        Metric("h2s_mgm3", "硫化氢", "mg/m³", "H2S", summary="max"),
        Metric("co_ppm", "一氧化碳", "ppm", "CO", summary="max"),
        Metric("co_mgm3", "一氧化碳", "mg/m³", "CO", summary="max"),
        Metric("co2_ppm", "二氧化碳", "ppm", "CO2", summary="max"),
        Metric("co2_mgm3", "二氧化碳", "mg/m³", "CO2", summary="max"),
        Metric(FAN, "通风机", "", "fan", states={0: "停止", 1: "运行"}),
        Metric(INSIDE, "进出有限空间", "", "in the space", states={0: "出", 1: "进"}),
        Metric(ATTENDANT, "监护人", "", "attendant", states={0: "离岗", 1: "在岗"}),
    ),
    offline_clause="建质规〔2024〕5号 第十一条(四) 有限空间作业现场未配备气体检测设备；"
    "应急管理部令第13号 第十五条 作业过程中持续气体检测（监测中断）",
    judge="kinds.confined_space.judge:ConfinedSpaceJudge",
    rules={
        "confined_space.entry": "有限空间未通风检测即进入",
        "confined_space.reentry": "有限空间中断后未重新检测即进入",
        "confined_space.gas": "有限空间气体超限",
        "confined_space.silent": "有限空间气体检测中断",
        "confined_space.attendant": "有限空间无监护人",
    },
    simulator="kinds.confined_space.sim:ConfinedSpaceSim",
    scenarios=("normal", "no_ventilation", "h2s_rise", "detector_silent", "attendant_away"),
    card="kinds.confined_space.card:CARD",
)
