"""The shipped crane and anemometer profiles, the vendor table that documents them, and profile errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import PROFILES
from contract.config import ConfigError, ConfigIssue, load_profile
from contract.config.loader import shipped_profile
from drivers.modbus.plan import plan_requests

README = PROFILES / "README.md"
CRANE_METRICS = {
    "load_t",
    "radius_m",
    "height_m",
    "slew_deg",
    "wind_ms",
    "tilt_deg",
    "moment_pct",
    "rated_load_t",
    "operator_id",
    "trolley_speed_ms",
    "reeving",
}


def test_crane_profile_has_every_crane_metric_in_two_requests() -> None:
    p = load_profile(shipped_profile("tower_crane_blackbox"))
    assert p.modbus is not None
    assert {v.metric for v in p.modbus.values} >= CRANE_METRICS
    assert [(r.address, r.count) for r in plan_requests(p.modbus)] == [(0, 13), (20, 8)]


def test_anemometer_profile_is_fc03_register_0_tenths() -> None:
    p = load_profile(shipped_profile("anemometer_rs485"))
    assert p.modbus is not None
    (v,) = p.modbus.values
    assert (v.metric, v.function.value, v.address, v.type.value, v.scale) == (
        "wind_ms",
        "holding",
        0,
        "uint16",
        0.1,
    )


def _readme_rows(section: str) -> list[tuple[str, str, str, str]]:
    text = README.read_text(encoding="utf-8").split(f"## {section}")[1].split("\n## ")[0]
    rows = re.findall(
        r"^\| ([\d-]+) \| \d+ \| (\d\d) \| ([^|]+?) \| [^|]+ \| [^|]+ \| [^|]+ \| `(\w+)` \|", text, re.M
    )
    return [(addr, fc, typ, metric) for addr, fc, typ, metric in rows]


@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("Tower-crane black box", "tower_crane_blackbox"),
        ("Anemometer", "anemometer_rs485"),
        ("Weather station", "weather_station"),
    ],
)
def test_vendor_table_matches_the_profile(section: str, name: str) -> None:
    p = load_profile(shipped_profile(name))
    assert p.modbus is not None
    fc = {"coils": "01", "discrete_inputs": "02", "holding": "03", "input": "04"}
    expected = []
    for v in p.modbus.values:
        addr = str(v.address) if v.words == 1 else f"{v.address}-{v.address + v.words - 1}"
        typ = {"bit": f"bit {v.bit}", "string": f"string ({2 * (v.length or 0)} chars)"}.get(
            v.type.value, v.type.value
        )
        expected.append((addr, fc[v.function.value], typ, v.metric))
    assert _readme_rows(section) == expected


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "box.yaml"
    path.write_text("name: box\nkind: crane\nmodbus:\n  values:\n" + body, encoding="utf-8")
    return path


def _only_issue(tmp_path: Path, *values: str) -> ConfigIssue:
    with pytest.raises(ConfigError) as err:
        load_profile(_write(tmp_path, "".join(f"    - {v}\n" for v in values)))
    (issue,) = err.value.issues
    return issue


def test_wrong_register_type_names_the_line_and_the_allowed_types(tmp_path: Path) -> None:
    issue = _only_issue(
        tmp_path,
        "{metric: load_t, address: 0, type: uint16}",
        "{metric: radius_m, address: 1, type: float23}",
    )
    assert issue.line == 6 and issue.path == "modbus.values[1].type"
    assert "float32" in issue.hint and "float23" in issue.message


def test_overlapping_values_are_refused_at_the_line_of_the_entry(tmp_path: Path) -> None:
    issue = _only_issue(
        tmp_path,
        "{metric: height_m, address: 2, type: float32}",
        "{metric: slew_deg, address: 3, type: uint16}",
    )
    # the second entry's line, not the modbus: line above every entry
    assert issue.line == 6 and issue.path == "modbus.values[1]"
    assert "slew_deg" in issue.message and "overlaps height_m at address 3" in issue.message
    assert "float32" in issue.hint and "two registers" in issue.hint


def test_every_overlap_is_named_beside_the_other_errors_of_the_map(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_profile(
            _write(
                tmp_path,
                "    - {metric: height_m, address: 2, type: float32}\n"
                "    - {metric: slew_deg, address: 3, type: uint16}\n"
                "    - {metric: load_t, address: 10, type: float32}\n"
                "    - {metric: radius_m, address: 11, type: uint16}\n"
                "    - {metric: tilt_deg, address: 20, type: int61}\n",
            )
        )
    said = [(i.line, i.path) for i in err.value.issues]
    assert said == [(6, "modbus.values[1]"), (8, "modbus.values[3]"), (9, "modbus.values[4].type")]


def test_bit_values_on_a_register_need_their_bit(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs bit:"):
        load_profile(_write(tmp_path, "    - {metric: flag_overload, address: 12, type: bit}\n"))
