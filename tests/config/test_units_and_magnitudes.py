"""A profile's unit is its metric's or converted to it; a site file's number past what its field can
physically be is refused with the unit it was likely written in; and `sitegw check-config` names every
mistake of a site and its profiles in one run, each at its entry's line (issue 49 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.profile import RegisterValue
from drivers.modbus.decode import decode_value
from drivers.mqtt.decode import MessageDecoder
from tests.config.test_check_config import PROFILE, SITE, issues_of, run_cli, write_site


def line_of(text: str, needle: str) -> int:
    """1-based line of the one line of ``text`` holding ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, needle
    return hits[0]


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (there exactly once) replaced: a no-op edit would test a valid file."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


WIND_KMH = PROFILE + "    - {metric: wind_ms, address: 5, type: uint16, scale: 0.1, unit: km/h}\n"


def test_wind_in_km_h_reaches_the_rules_in_m_s(tmp_path: Path) -> None:
    path = write_site(tmp_path, profile=WIND_KMH)
    site = load_site(path, env={})
    mmap = site.profiles["test_box"].modbus
    assert mmap is not None
    wind = next(v for v in mmap.values if v.metric == "wind_ms")
    # the anemometer's register holds 360: 36.0 km/h at 0.1 km/h a count, which is 10 m/s
    assert wind.unit == "m/s"
    assert decode_value(wind, [360]) == pytest.approx(10.0)
    # check-config says so: a unit written where the device sends m/s would read 3.6 times low
    result = run_cli("check-config", str(path))
    assert result.returncode == 0, result.stderr
    assert "unit profile test_box: wind_ms is read in km/h and converted to m/s" in result.stdout


def test_an_mqtt_value_in_millimetres_is_read_in_metres() -> None:
    from contract.config.profile import TopicMap

    tmap = TopicMap.model_validate(
        {"topic": "{prefix}/data", "values": [{"metric": "water_level_m", "path": "level", "unit": "mm"}]}
    )
    decoder = MessageDecoder("P-1", "pit-1", "pfx", tmap, None)
    out = decoder.decode(["pfx", "data"], {"level": -2350}, 1_800_000_000.0)
    [reading] = out.readings
    assert (reading.metric, reading.unit) == ("water_level_m", "m")
    assert reading.value == pytest.approx(-2.35)


def test_the_metric_s_own_unit_in_another_spelling_is_kept_as_written() -> None:
    tilt = RegisterValue.model_validate({"metric": "tilt_deg", "address": 6, "scale": 0.01, "unit": "deg"})
    assert (tilt.unit, tilt.scale) == ("deg", 0.01)  # ° written deg: nothing to convert


@pytest.mark.parametrize(
    ("metric", "unit", "said", "hint"),
    [
        ("wind_ms", "kN", "wind_ms is in m/s: 'kN' is a force, not a speed", "write unit: m/s (or one"),
        ("load_t", "furlong", "load_t is in t: 'furlong' is not a unit sitegw knows", "write unit: t"),
        ("reeving", "t", "reeving is a count or a state, without a unit", "remove unit:"),
    ],
)
def test_a_unit_that_cannot_be_converted_is_refused_at_its_line(
    tmp_path: Path, metric: str, unit: str, said: str, hint: str
) -> None:
    entry = f"    - {{metric: {metric}, address: 5, type: uint16, unit: {unit}}}\n"
    [issue] = issues_of(write_site(tmp_path, profile=PROFILE + entry))
    assert issue.file.name == "test_box.yaml" and issue.line == 6
    assert issue.path == "modbus.values[1].unit"
    assert said in issue.message and hint in issue.hint


def test_a_gas_in_mg_m3_on_a_ppm_metric_is_pointed_to_its_mg_m3_metric(tmp_path: Path) -> None:
    profile = (
        "name: test_box\nkind: confined_space\nmqtt:\n  topics:\n    - topic: '{prefix}/gas'\n      values:\n"
        "        - {metric: h2s_ppm, path: h2s, unit: mg/m3}\n"
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "test_box.yaml").write_text(profile, encoding="utf-8")
    site = tmp_path / "site.yaml"
    site.write_text(
        "project: {code: T-1}\nprofiles_dir: profiles\nmqtt_brokers: {site: {host: 127.0.0.1}}\n"
        "devices:\n  - {id: cs-1, kind: confined_space, profile: test_box,\n"
        "     transport: {type: mqtt, broker: site, topic_prefix: t/cs-1}}\n",
        encoding="utf-8",
    )
    [issue] = issues_of(site)
    assert issue.line == 7 and "mass concentration, not a volume fraction" in issue.message
    assert issue.hint == "the value is h2s_mgm3 (mg/m³): write metric: h2s_mgm3"


@pytest.mark.parametrize(
    ("old", "new", "path", "hint"),
    [
        (
            "jib_height_m: 40",
            "jib_height_m: 4500",
            "devices[0].crane.jib_height_m",
            "jib_height_m is in m; looks like millimetres: 4500 mm = 4.5 m, write 4.5; "
            "or centimetres: 4500 cm = 45 m, write 45",
        ),
        (
            "jib_m: 50",
            "jib_m: 50000",
            "devices[0].crane.jib_m",
            "jib_m is in m; looks like millimetres: 50000 mm = 50 m, write 50",
        ),
        (
            "{radius_m: 2.5, rated_t: 6}",
            "{radius_m: 2.5, rated_t: 6000}",
            "devices[0].crane.load_chart[0].rated_t",
            "rated_t is in t; looks like kilograms: 6000 kg = 6 t, write 6",
        ),
        (
            "profiles_dir: profiles",
            "profiles_dir: profiles\nrules:\n  crane_wind: {warning_ms: 39, alarm_ms: 50, critical_ms: 75}",
            "rules.crane_wind.critical_ms",
            "critical_ms is in m/s; looks like km/h: 75 km/h = 20.8333 m/s, write 20.8333",
        ),
    ],
)
def test_a_number_past_what_its_field_can_be_is_refused_with_the_unit_it_was_written_in(
    tmp_path: Path, old: str, new: str, path: str, hint: str
) -> None:
    site = edit(SITE, old, new)
    [issue] = issues_of(write_site(tmp_path, site))
    assert issue.path == path and issue.line == line_of(site, new.split("\n")[-1].strip())
    assert "less than or equal to" in issue.message and issue.hint == hint


PIT_SITE = """\
project: {code: T-0002}
devices:
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {type: modbus_tcp, host: 127.0.0.1, port: 5020}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12000
      points:
        - {code: ZQS-01, kind: wall_top}
"""


def test_a_pit_depth_in_millimetres_is_refused_with_its_metres(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(PIT_SITE, encoding="utf-8")
    [issue] = issues_of(path)
    assert issue.line == 10 and issue.path == "devices[0].pit.excavation_depth_m"
    assert issue.hint.startswith(
        "excavation_depth_m is in m; looks like millimetres: 12000 mm = 12 m, write 12"
    )


OVERLAPS = """\
name: test_box
kind: crane
modbus:
  values:
    - {metric: load_t, address: 0, type: float32, unit: t}
    - {metric: radius_m, address: 1, type: uint16, unit: m}
    - {metric: height_m, address: 4, type: float32, unit: m}
    - {metric: slew_deg, address: 5, type: uint16, unit: deg}
    - {metric: wind_ms, address: 8, type: uint16, unit: kN}
    - {metric: tilt_deg, address: 9, type: int16, scale: one}
"""


def test_one_check_config_run_names_every_mistake_at_its_entry(tmp_path: Path) -> None:
    site = edit(SITE, "port: 5020", "port: fivethousand")
    path = write_site(tmp_path, site, OVERLAPS)
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    said = result.stderr
    assert "5 error(s)" in said, said
    profile = tmp_path / "profiles" / "test_box.yaml"
    for where, what in [
        (f"{path}:8: devices[0].transport.port", "whole number"),
        (f"{profile}:6: modbus.values[1]", "radius_m (uint16 at holding 1) overlaps load_t at address 1"),
        (f"{profile}:8: modbus.values[3]", "slew_deg (uint16 at holding 5) overlaps height_m at address 5"),
        (f"{profile}:9: modbus.values[4].unit", "wind_ms is in m/s: 'kN' is a force"),
        (f"{profile}:10: modbus.values[5].scale", "valid number"),
    ]:
        assert where in said and what in said, (where, said)
    # each with its fix
    assert said.count("hint:") == 5, said
    assert "a float32 or (u)int32 takes two registers" in said


def test_a_convertible_unit_left_unconverted_is_not_let_through(tmp_path: Path) -> None:
    entry = "    - {metric: wind_ms, address: 5, type: uint16, scale: ten, unit: km/h}\n"
    issues = issues_of(write_site(tmp_path, profile=PROFILE + entry))
    assert [i.path for i in issues] == ["modbus.values[1].scale", "modbus.values[1].unit"]
    assert "converted only with a number for scale and offset" in issues[1].message


def test_every_broken_reference_of_a_site_is_named_at_its_entry(tmp_path: Path) -> None:
    site = edit(
        SITE,
        "profiles_dir: profiles\n",
        "  - {id: anemo-1, kind: anemometer, profile: test_wind,\n"
        "     transport: {type: mqtt, broker: nowhere, topic_prefix: t/anemo-1}}\n"
        "profiles_dir: profiles\n"
        "uplinks:\n"
        "  - {type: dingtalk, name: group, webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x',\n"
        "     secret: s1}\n"
        "  - {type: dingtalk, name: group, webhook: 'https://oapi.dingtalk.com/robot/send?access_token=y',\n"
        "     secret: s2}\n",
    )
    wind = "name: test_wind\nkind: anemometer\nmqtt:\n  topics:\n    - {topic: '{prefix}/w', values: [{metric: wind_ms}]}\n"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "test_wind.yaml").write_text(wind, encoding="utf-8")
    issues = issues_of(write_site(tmp_path, site))
    said = [(i.line, i.path, i.hint) for i in issues]
    assert (
        line_of(site, "broker: nowhere"),
        "devices[1].transport.broker",
        "add nowhere: under mqtt_brokers, or name one of those there",
    ) in said
    assert (line_of(site, "access_token=y"), "uplinks[1].name", "names must be unique: rename one") in said
    assert len(issues) == 2, said
