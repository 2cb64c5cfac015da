"""Temporary power (施工现场临时用电): the online electrical-safety monitor of one distribution box
(配电箱/开关箱), as 智慧用电 monitors report it (standards.md §17).

One device is one box: its level in the 三级配电系统 (总配电箱, 分配电箱, 开关箱), its residual-current
device's rating, where it stands (wet, a special working environment) and the lighting circuit it may feed
are its section of the site file. A silent box is device.offline.

This module is the declaration alone (it imports only the contract and the kind's thresholds), so the
regulator, which reads the names, never loads the judge or the simulator named here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds.kind import Kind, Metric, Thresholds
from contract.kinds.offline import TIME_LIMITS
from kinds.power.thresholds import PowerRule

BoxLevel = Literal["main", "sub", "terminal"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
# JGJ/T 46-2024 §3.3 is in force; these values were confirmed in JGJ 46-2005 only (standards.md §17):
# §8.2.10: a terminal box's RCD 不应大于30mA (15 mA where wet or corrosive), 不应大于0.1s
TERMINAL_MA, WET_MA, TERMINAL_S = 30.0, 15.0, 0.1
# §8.2.11: a main box's RCD 应大于30mA, 应大于0.1s, and the product 不应大于30mA·s
MAIN_PRODUCT_MAS = 30.0
# GB 55034-2022 §3.10.4: handheld lamps on safety extra-low voltage, at most 36 V (standards.md §17)
SELV_V = 36.0

RCD_CLOSED, RCD_TRIPPED, RCD_OPEN, RCD_BYPASSED = 0, 1, 2, 3
# the monitor's test of the RCD (试跳, its ``rcd_test``): none in this reading, the RCD tripped on its test,
# the test did not trip it
TEST_NONE, TEST_PASSED, TEST_FAILED = 0, 1, 2
TEMPS: dict[str, tuple[str, str, str]] = {
    "temp_l1_c": ("L1", "A相进线端子", "L1 incoming terminal"),
    "temp_l2_c": ("L2", "B相进线端子", "L2 incoming terminal"),
    "temp_l3_c": ("L3", "C相进线端子", "L3 incoming terminal"),
    "temp_n_c": ("N", "N线端子", "N terminal"),
    "temp_box_c": ("box", "箱体内", "cabinet air"),
}
"""The box's temperature probes (the incoming cables' terminals and the cabinet's air): each metric's
point in its alerts, Chinese and English names."""


class PowerSpec(Model):
    """The distribution box and its residual-current device (RCD, 漏电保护器)."""

    level: BoxLevel = Field(
        title="Distribution level",
        description="main (总配电箱), sub (分配电箱) or terminal (开关箱): 三级配电 (JGJ/T 46-2024; confirmed in "
        "JGJ 46-2005 §1.0.3)",
    )
    wet: bool = Field(
        False,
        title="Wet or corrosive place",
        description="潮湿或有腐蚀介质场所 (tunnels, basements with water): a terminal box's RCD is the "
        "splash-proof 15 mA type (§8.2.10), and the lighting it feeds is judged at the safe voltage",
    )
    rcd_rated_ma: float | None = Field(
        None,
        gt=0,
        le=3000,
        title="RCD rated residual operating current",
        description="mA (额定漏电动作电流 IΔn) of the box's RCD. Terminal box: 30, or 15 when wet, if left "
        "out (≤ 30 / ≤ 15, §8.2.10); main box: required, above 30 (§8.2.11); sub box: its RCD if it has "
        "one (the two-level system needs none), else its leakage is shown, not judged",
    )
    rcd_time_s: float | None = Field(
        None,
        gt=0,
        le=10,
        title="RCD rated operating time",
        description="s (额定漏电动作时间). Terminal box: 0.1 if left out (≤ 0.1, §8.2.10); main box: "
        "required, above 0.1 and rcd_rated_ma × rcd_time_s ≤ 30 mA·s (§8.2.11)",
    )
    lighting: bool = Field(
        False,
        title="Feeds a lighting circuit",
        description="the box feeds a lighting circuit (照明回路) whose voltage its monitor reports as "
        "lighting_v: judged against the safe voltage where the place is wet or special (建质规〔2024〕5号 "
        "第十条(一)), shown elsewhere",
    )
    special_environment: Reason | None = Field(
        None,
        title="Special working environment",
        description="why the place is a 特殊作业环境 of 建质规〔2024〕5号 第十条(一), in words its alerts "
        "quote (e.g. 隧道内，通风不畅; 地下室，有积水; 有限空间): 通风不畅、高温、有导电灰尘、相对湿度长期超过75%、"
        "泥泞、存在积水或其他导电液体",
    )
    lighting_safe_v: float | None = Field(
        None,
        gt=0,
        title="Lighting safe voltage",
        description="V: the highest voltage the lighting circuit may read in its wet or special place; 36 if "
        "left out (GB 55034-2022 §3.10.4: SELV ≤ 36 V), lower where the site sets it (24 or 12 for a very "
        "wet or metal-enclosed place: practice, not verified in standards.md); above 36 is refused",
    )

    @property
    def rcd(self) -> tuple[float, float] | None:
        """The RCD's rated residual operating current (mA) and operating time (s) the rules judge by: a
        terminal box's from §8.2.10 where the site file leaves them out; None for a sub box without one."""
        if self.level == "terminal":
            return (
                (WET_MA if self.wet else TERMINAL_MA) if self.rcd_rated_ma is None else self.rcd_rated_ma,
                TERMINAL_S if self.rcd_time_s is None else self.rcd_time_s,
            )
        if self.rcd_rated_ma is None or self.rcd_time_s is None:
            return None
        return self.rcd_rated_ma, self.rcd_time_s

    @property
    def place(self) -> str | None:
        """Why the box's place is wet or special in the words of its alerts (None: neither): where
        建质规〔2024〕5号 第十条(一) wants its lighting at the safe voltage."""
        said = ["潮湿场所"] if self.wet else []
        if self.special_environment is not None:
            said.append(self.special_environment)
        return "；".join(said) or None

    @property
    def safe_lighting_v(self) -> float | None:
        """The safe voltage the box's lighting circuit is judged against (None: it feeds no lighting, or
        not in a wet or special place, where its voltage is shown, not judged)."""
        if not self.lighting or self.place is None:
            return None
        return SELV_V if self.lighting_safe_v is None else self.lighting_safe_v

    @model_validator(mode="after")
    def _rated(self) -> PowerSpec:
        """Refuse an RCD §8.2.10/§8.2.11 forbids for the box's level: every leakage verdict is judged
        against it."""
        rcd = self.rcd
        if self.level == "terminal" and rcd is not None:
            limit = WET_MA if self.wet else TERMINAL_MA
            if rcd[0] > limit or rcd[1] > TERMINAL_S:
                where = "潮湿或有腐蚀介质场所的" if self.wet else ""
                raise ValueError(
                    f"{where}开关箱 RCD {rcd[0]:g} mA / {rcd[1]:g} s: JGJ/T 46-2024 §3.3 剩余电流保护 (values "
                    f"confirmed in JGJ 46-2005 §8.2.10): ≤ {limit:g} mA and ≤ {TERMINAL_S:g} s; fit a compliant RCD and write its rating here "
                    "(or level: main/sub if this is not a terminal box)"
                )
        elif self.level == "main":
            if rcd is None:
                raise ValueError(
                    "a main box (总配电箱) needs rcd_rated_ma and rcd_time_s from its RCD's nameplate "
                    "(JGJ/T 46-2024 §3.3 剩余电流保护, values confirmed in JGJ 46-2005 §8.2.11: above 30 mA and "
                    "0.1 s, product ≤ 30 mA·s, e.g. 100 and 0.2)"
                )
            product = rcd[0] * rcd[1]
            if rcd[0] <= TERMINAL_MA or rcd[1] <= TERMINAL_S or product > MAIN_PRODUCT_MAS:
                raise ValueError(
                    f"总配电箱 RCD {rcd[0]:g} mA × {rcd[1]:g} s = {product:g} mA·s: JGJ/T 46-2024 §3.3 剩余电流保护 "
                    "(values confirmed in JGJ 46-2005 §8.2.11): above 30 mA, above 0.1 s and a product ≤ 30 mA·s "
                    "(100 mA × 0.2 s complies); fit a compliant RCD and write its nameplate here"
                )
        elif (self.rcd_rated_ma is None) != (self.rcd_time_s is None):
            raise ValueError("a sub box's RCD needs both rcd_rated_ma and rcd_time_s (or neither: no RCD)")
        return self

    @model_validator(mode="after")
    def _lighting_safe(self) -> PowerSpec:
        """Refuse a safe voltage that is none (above 36 V), or one nothing would judge: power.lighting_voltage
        judges by it, and a value it would never read must not look like protection."""
        volts = self.lighting_safe_v
        if volts is None:
            return self
        if not self.lighting:
            raise ValueError(
                f"lighting_safe_v {volts:g} V is the safe voltage of the box's lighting circuit: write "
                "lighting: true if the box feeds one, or remove lighting_safe_v"
            )
        if self.place is None:
            raise ValueError(
                f"lighting_safe_v {volts:g} V is judged only in a wet or special place (建质规〔2024〕5号 "
                "第十条(一)): write wet: true or special_environment: <why> (e.g. 隧道内，通风不畅), or "
                "remove lighting_safe_v"
            )
        if volts > SELV_V:
            raise ValueError(
                f"{self.place}的照明回路安全电压 {volts:g} V: 建质规〔2024〕5号 第十条(一) 特殊作业环境照明应使用"
                f"安全电压, GB 55034-2022 §3.10.4: SELV ≤ {SELV_V:g} V from a double-winding isolating "
                f"transformer; write lighting_safe_v: {SELV_V:g} or lower (24 or 12 where very wet or "
                "metal-enclosed) and feed the lamps from such a transformer"
            )
        return self


class PowerDevice(DeviceConfig):
    """A distribution box's online electrical-safety monitor (智慧用电监测终端)."""

    kind: Literal["power"] = Field(
        title="Kind", description="power: a temporary-power distribution box's electrical-safety monitor"
    )
    power: PowerSpec = Field(
        title="Distribution box",
        description="level, wet, rcd_rated_ma, rcd_time_s: the box and its RCD; lighting, "
        "special_environment, lighting_safe_v: the lighting circuit it feeds (standards.md §17). Its door "
        "(door_state) open with none of the operators' electricians (trade or category electrician, 01) "
        "certified that day and badged in at the access gates is critical (power.door_electrician); a site "
        "without access gates does not judge doors (check-config says so)",
    )


SAMPLE = frozenset({"leakage_ma", "rcd_state", "rcd_test", "arc_alarm", "lighting_v", *TEMPS})
"""A box reports these together; the RCD rule reads the leakage with the RCD's state, the trip rule the
state with the RCD's test."""

KIND = Kind(
    name="power",
    zh="临时用电",
    en="temporary power",
    device=PowerDevice,
    section="power",
    metrics=(
        Metric("leakage_ma", "剩余电流", "mA", "residual current", summary="max"),
        *(
            Metric(m, f"{zh}温度", "℃", f"{en} temperature", summary="max")
            for m, (_, zh, en) in TEMPS.items()
        ),
        Metric(
            "rcd_state",
            "漏电保护器",
            "",
            "RCD",
            states={
                RCD_CLOSED: "合闸运行",
                RCD_TRIPPED: "漏电脱扣",
                RCD_OPEN: "手动分闸",
                RCD_BYPASSED: "漏电保护退出",
            },
        ),
        Metric(
            "rcd_test",
            "漏电保护器试跳",
            "",
            "RCD test",
            states={TEST_NONE: "无试跳", TEST_PASSED: "试跳动作", TEST_FAILED: "试跳不动作"},
        ),
        Metric("arc_alarm", "故障电弧", "", "fault arc", states={0: "正常", 1: "故障电弧报警"}),
        Metric("lighting_v", "照明回路电压", "V", "lighting circuit voltage", summary="max"),
        Metric("door_state", "箱门", "", "box door", states={0: "关闭", 1: "打开"}),
    ),
    offline_clause=(
        "JGJ/T 46-2024《建筑与市政工程施工现场临时用电安全技术标准》第3.3节 剩余电流保护：配电箱在线监测离线，"
        f"现场失去漏电与温度监测，已触发的报警不因离线解除{TIME_LIMITS}"
    ),
    sample_metrics=SAMPLE,
    judge="kinds.power.judge:PowerJudge",
    rules={
        "power.leakage": "配电箱剩余电流",
        "power.rcd": "漏电保护器拒动",
        "power.bypass": "漏电保护退出",
        "power.trip": "漏电保护器跳闸",
        "power.temp": "配电箱温度",
        "power.temp_rise": "配电箱温升",
        "power.arc": "故障电弧",
        "power.rcd_test": "漏电保护器试跳",
        "power.lighting_voltage": "照明安全电压",
        "power.door_electrician": "箱门打开无持证电工",
    },
    simulator="kinds.power.sim:PowerSim",
    card="kinds.power.card:CARD",
    scenarios=(
        "normal",
        "insulation",
        "rcd_fails",
        "trip",
        "overheat",
        "arc",
        "loose_terminal",
        "untested",
        "rcd_test_fails",
        "mains_lighting",
    ),
    thresholds=(
        Thresholds(
            "power",
            PowerRule,
            "Temporary power",
            "power.leakage, power.rcd, power.temp, power.temp_rise, power.arc, power.rcd_test",
        ),
    ),
)
