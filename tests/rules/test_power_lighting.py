"""power.lighting_voltage, written from standards.md §17: 建质规〔2024〕5号 第十条(一) makes lighting off the safe
voltage in a special working environment a major hazard; GB 55034-2022 §3.10.4 sets handheld lamps' SELV at
36 V at most. "Above the safe voltage" is strict: 36.0 V is safe, 36.1 V is not. The reference site's
power-b2 is a wet terminal box feeding its basement's lighting (36 V, the default); a site may set a lower
line (24 V, 12 V: practice, not verified). A safe voltage above 36 V in such a place is refused at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.config import ConfigError
from contract.readings import Quality
from regulator.ledger import classify
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, reference_site, run, sample, site_variant

SITE = reference_site()
T0 = 1_795_000_000.0


def lit(t: float, volts: float, quality: Quality = Quality.OK, dev: str = "power-b2") -> list[Any]:
    return sample(dev, T0 + t, quality=quality, lighting_v=volts)


def with_power(tmp_path: Path, power: dict[str, object]) -> RuleEngine:
    def change(data: dict[str, Any]) -> None:
        device(data, "power-b2")["power"] = power

    return RuleEngine(site_variant(tmp_path, change))


def first(volts: float, engine: RuleEngine | None = None) -> RuleResult | None:
    found = run(engine or RuleEngine(SITE), [lit(0, volts)], "power.lighting_voltage")
    return found[-1] if found else None


@pytest.mark.parametrize(
    ("volts", "level"), [(24.0, None), (35.9, None), (36.0, None), (36.1, "critical"), (220.0, "critical")]
)
def test_above_36_v_in_a_wet_place_is_critical_and_on_it_is_not(volts: float, level: str | None) -> None:
    got = first(volts)
    assert got is not None and got.level == level


@pytest.mark.parametrize(("volts", "level"), [(23.9, None), (24.0, None), (24.1, "critical")])
def test_a_site_may_set_a_lower_safe_voltage(tmp_path: Path, volts: float, level: str | None) -> None:
    engine = with_power(tmp_path, {"level": "terminal", "wet": True, "lighting": True, "lighting_safe_v": 24})
    got = first(volts, engine)
    assert got is not None and got.level == level
    assert got.threshold == 24.0 and "低于36V的安全电压（24V、12V）为现场设定，标准条文未核实" in got.clause


def test_the_alert_cites_the_major_hazard_and_says_what_to_do() -> None:
    got = first(220.0)
    assert got is not None
    assert got.message == (
        "地下室2号开关箱 照明回路电压 220 V，高于安全电压 36 V（潮湿场所）：立即停用该照明回路，"
        "改用双绕组隔离变压器供电、不高于 36 V 的安全电压灯具，严禁使用自耦变压器"
    )
    assert got.message_en.endswith("from a double-winding isolating transformer, never an autotransformer")
    assert got.clause.startswith("建质规〔2024〕5号 第十条(一) 特殊作业环境")
    assert "重大事故隐患" in got.clause and "GB 55034-2022 第3.10.4条" in got.clause
    assert "未核实" not in got.clause  # 36 V is GB 55034-2022's own value
    said = classify.classify([], "power.lighting_voltage", got.clause)
    assert (said["classification"], said["article"], said["item"]) == ("major", "第十条", "（一）")


def test_it_holds_within_the_band_and_on_missing_stale_or_faulty_readings() -> None:
    engine = RuleEngine(SITE)
    batches = [
        lit(0, 36.1),
        lit(5, 35.0),  # within the 5 % band below 36 V: above 34.2
        sample("power-b2", T0 + 10, leakage_ma=2.0),  # no lighting reading
        lit(15, 12.0, Quality.STALE),
        lit(20, 12.0, Quality.FAULT),
        lit(25, 34.3),
    ]
    found = run(engine, batches, "power.lighting_voltage")
    assert [(r.ts - T0, r.level) for r in found] == [(0, "critical"), (5, "critical"), (25, "critical")]
    [cleared] = run(engine, [lit(30, 34.2)], "power.lighting_voltage")  # on the band's line: not above it
    assert (
        cleared.level is None
        and cleared.message == "地下室2号开关箱 照明回路电压 34.2 V（潮湿场所），已恢复正常"
    )


def test_a_special_place_is_judged_and_named_though_dry(tmp_path: Path) -> None:
    engine = with_power(
        tmp_path, {"level": "terminal", "lighting": True, "special_environment": " 隧道内，通风不畅 "}
    )
    got = first(48.0, engine)
    assert (
        got is not None
        and got.level == "critical"
        and got.message.startswith(
            "地下室2号开关箱 照明回路电压 48 V，高于安全电压 36 V（隧道内，通风不畅）："
        )
    )


@pytest.mark.parametrize(
    "power",
    [
        {"level": "terminal", "lighting": True},  # an ordinary place: mains lighting is allowed, shown only
        {"level": "terminal", "wet": True},  # no lighting circuit
    ],
)
def test_lighting_is_not_judged_where_the_article_does_not_reach(
    tmp_path: Path, power: dict[str, object]
) -> None:
    assert first(220.0, with_power(tmp_path, power)) is None


# ---- the box's section: a safe voltage that is none, or that nothing reads, is refused at its line -----------


@pytest.mark.parametrize(
    ("power", "message"),
    [
        (
            {"level": "terminal", "wet": True, "lighting": True, "lighting_safe_v": 36.1},
            "潮湿场所的照明回路安全电压 36.1 V: 建质规〔2024〕5号 第十条(一)",
        ),
        (
            {"level": "terminal", "wet": True, "lighting": True, "lighting_safe_v": 48},
            "write lighting_safe_v: 36 or lower",
        ),
        (
            {
                "level": "main",
                "rcd_rated_ma": 100,
                "rcd_time_s": 0.2,
                "lighting": True,
                "special_environment": "隧道内",
                "lighting_safe_v": 220,
            },
            "隧道内的照明回路安全电压 220 V",
        ),
        ({"level": "terminal", "wet": True, "lighting_safe_v": 24}, "write lighting: true"),
        (
            {"level": "terminal", "lighting": True, "lighting_safe_v": 24},
            "judged only in a wet or special place",
        ),
        ({"level": "terminal", "lighting": True, "special_environment": "  "}, "special_environment"),
    ],
)
def test_a_safe_voltage_that_is_none_or_read_by_nothing_is_refused_at_its_line(
    tmp_path: Path, power: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        with_power(tmp_path, power)
    text = str(err.value)
    assert message in text and "power" in text and "site.yaml:" in text, text


@pytest.mark.parametrize("volts", [36, 24, 12])
def test_a_safe_voltage_at_or_below_36_v_is_taken(tmp_path: Path, volts: float) -> None:
    with_power(tmp_path, {"level": "terminal", "wet": True, "lighting": True, "lighting_safe_v": volts})
