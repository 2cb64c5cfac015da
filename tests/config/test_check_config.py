"""`sitegw check-config`: a valid site is summarised, every mistake is named with its file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract.config import ConfigError, load_site
from contract.config.transport import ModbusTcpTransport

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "examples" / "site.yaml"

PROFILE = """\
name: test_box
kind: crane
modbus:
  values:
    - {metric: load_t, function: holding, address: 0, type: float32, unit: t}
"""

SITE = """\
project:
  code: T-0001
  name: test
devices:
  - id: crane-1
    kind: crane
    profile: test_box
    transport: {type: modbus_tcp, host: 127.0.0.1, port: 5020}
    crane:
      position_m: [0, 0]
      jib_m: 50
      counter_jib_m: 10
      jib_height_m: 40
      load_chart:
        - {radius_m: 2.5, rated_t: 6}
        - {radius_m: 50, rated_t: 1.3}
profiles_dir: profiles
"""


def write_site(tmp_path: Path, site: str = SITE, profile: str = PROFILE) -> Path:
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "test_box.yaml").write_text(profile, encoding="utf-8")
    path = tmp_path / "site.yaml"
    path.write_text(site, encoding="utf-8")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegw.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


def issues_of(path: Path, env: dict[str, str] | None = None) -> list:
    with pytest.raises(ConfigError) as exc:
        load_site(path, env=env or {})
    return exc.value.issues


def test_reference_site_is_valid_and_summarised() -> None:
    result = run_cli("check-config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "GD-SZ-2026-0001" in out and "configuration OK" in out
    for device in ("crane-1", "crane-2", "anemo-1", "pit-1"):
        assert device in out
    assert "13 points" in out
    assert (
        "monitored 3号楼5层高支模 ← formwork-1; A区深基坑 ← pit-1; 1号塔吊安装（含顶升加节、附着） ← crane-1"
        in out
    )
    assert "not monitored 2号楼悬挑脚手架" in out


def test_machines_without_papers_or_a_balance_point_are_hints_not_errors(tmp_path: Path) -> None:
    result = run_cli("check-config", str(EXAMPLE))
    hints = [line for line in result.stdout.splitlines() if line.startswith("hint")]
    # the reference site gives crane-1 and hoist-1 their papers and crane-1 its balance point, not crane-2
    assert result.returncode == 0 and len(hints) == 2, result.stdout
    assert "crane-2: no papers" in hints[0] and "crane.papers" in hints[0]
    assert "crane-2: no crane.jacking_balance" in hints[1]
    partial = tmp_path / "site.yaml"
    partial.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("registration_no: 深建机登-2026-0512,", ""),
        encoding="utf-8",
    )
    out = run_cli("check-config", str(partial)).stdout
    assert "hoist-1: papers without registration_no" in out


def test_wrong_type_names_line_field_and_hint(tmp_path: Path) -> None:
    path = write_site(tmp_path, SITE.replace("port: 5020", "port: fivethousand"))
    [issue] = issues_of(path)
    assert issue.line == 8
    assert issue.path == "devices[0].transport.port"
    assert "whole number" in issue.hint


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    path = write_site(
        tmp_path, SITE.replace("    kind: crane\n", "    kind: crane\n    poll_intervall_s: 2\n")
    )
    [issue] = issues_of(path)
    assert issue.line == 7 and issue.path == "devices[0].poll_intervall_s"
    assert "poll_interval_s" in issue.hint


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    bad = SITE.replace("port: 5020", "port: 70000").replace("jib_m: 50", "jib_m: -1")
    issues = issues_of(write_site(tmp_path, bad))
    assert {i.path for i in issues} == {"devices[0].transport.port", "devices[0].crane.jib_m"}
    assert all(i.line for i in issues)


def test_missing_secret_names_the_variable(tmp_path: Path) -> None:
    site = SITE + "mqtt_brokers:\n  site: {host: 127.0.0.1, password: '${BROKER_PW}'}\n"
    path = write_site(tmp_path, site)
    [issue] = issues_of(path)
    assert "BROKER_PW" in issue.message and issue.line == 19
    site_ok = load_site(path, env={"BROKER_PW": "s3cret"})
    assert site_ok.config.mqtt_brokers["site"].password == "s3cret"


def test_env_reference_keeps_yaml_typing(tmp_path: Path) -> None:
    path = write_site(tmp_path, SITE.replace("port: 5020", "port: '${CRANE_PORT:-5021}'"))
    for env, port in (({}, 5021), ({"CRANE_PORT": "6000"}, 6000)):
        transport = load_site(path, env=env).config.devices[0].transport
        assert isinstance(transport, ModbusTcpTransport) and transport.port == port


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = write_site(tmp_path, SITE.replace("  name: test\n", "  name: [unclosed\n"))
    [issue] = issues_of(path)
    assert issue.line is not None and "YAML syntax" in issue.message


def test_missing_profile_suggests_a_close_name(tmp_path: Path) -> None:
    path = write_site(tmp_path, SITE.replace("profile: test_box", "profile: test_bx"))
    [issue] = issues_of(path)
    assert issue.line == 7 and "test_box" in issue.hint


def test_bad_profile_is_reported_with_the_profile_file_and_line(tmp_path: Path) -> None:
    bad = PROFILE.replace("type: float32", "type: float31")
    [issue] = issues_of(write_site(tmp_path, profile=bad))
    assert issue.file.name == "test_box.yaml" and issue.line == 5
    assert "float32" in issue.hint


def test_kind_and_transport_must_fit_the_profile(tmp_path: Path) -> None:
    site = (
        SITE.replace(
            "transport: {type: modbus_tcp, host: 127.0.0.1, port: 5020}",
            "transport: {type: mqtt, broker: b, topic_prefix: x}",
        )
        + "mqtt_brokers: {b: {}}\n"
    )
    [issue] = issues_of(write_site(tmp_path, site))
    assert "no mqtt: payload map" in issue.message and issue.line == 8


def test_cli_exits_1_and_prints_file_line_and_hint(tmp_path: Path) -> None:
    path = write_site(tmp_path, SITE.replace("port: 5020", "port: fivethousand"))
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    assert f"{path}:8: devices[0].transport.port" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("check-config", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "cannot read file" in result.stderr
    assert "Traceback" not in result.stderr


def test_rule_thresholds_are_checked_too(tmp_path: Path) -> None:
    site = SITE + "rules:\n  devices:\n    crane-9: {}\n"
    result = run_cli("check-config", str(write_site(tmp_path, site)))
    assert result.returncode == 1
    assert "rules.devices.crane-9" in result.stderr and "crane-1" in result.stderr


@pytest.mark.parametrize("dialect", ["cwrservice", "szgws", "chongqing"])
def test_each_regulator_dialect_example_is_valid(dialect: str) -> None:
    example = EXAMPLE.parent / f"uplink-{dialect}.yaml"
    secrets = ("SZ_API_KEY", "SZ_SECRET", "SZGWS_API_KEY", "SZGWS_SECRET", "CQ_APP_KEY", "CQ_APP_SECRET")
    env = {**os.environ, **dict.fromkeys(secrets, "from-env")}
    result = run_cli("check-config", str(example), env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"({dialect})" in result.stdout and "configuration OK" in result.stdout


@pytest.mark.parametrize("example", sorted(EXAMPLE.parent.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_example_loads(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples the README points to stay in step with the configuration (their ${ENV} secrets set)."""
    import re

    for name in set(re.findall(r"\$\{(\w+)\}", example.read_text(encoding="utf-8"))):
        monkeypatch.setenv(name, "example-value")
    site = load_site(example)
    assert site.config.project.code


def said(tmp_path: Path, site: str = SITE, profile: str = PROFILE) -> list[str]:
    """Each issue of a site file as the CLI prints it (message and hint)."""
    return [f"{i.message} | hint: {i.hint}" for i in issues_of(write_site(tmp_path, site, profile))]


def test_an_impossible_date_is_named_as_a_date(tmp_path: Path) -> None:
    site = SITE.replace("profiles_dir: profiles", "operators:\n  - {id: OP-1, name: 张, valid_until: 2025-13-15}\n"
                        "profiles_dir: profiles")  # fmt: skip
    (issue,) = said(tmp_path, site)
    assert "month must be in 1..12" in issue and "YYYY-MM-DD" in issue and "!tag" not in issue


def test_thresholds_out_of_order_say_the_values_given(tmp_path: Path) -> None:
    site = SITE + "rules:\n  crane_load: {warning_pct: 120, alarm_pct: 100, critical_pct: 110}\n"
    (issue,) = said(tmp_path, site)
    assert "warning_pct < alarm_pct < critical_pct (got 120, 100, 110)" in issue


def test_a_full_width_comma_is_named_with_its_fix(tmp_path: Path) -> None:
    issues = said(tmp_path, SITE.replace("position_m: [0, 0]", "position_m: [0，0]"))
    assert issues and all("full-width punctuation '，' where YAML needs ASCII" in i for i in issues)


def test_a_holding_register_written_as_the_manuals_number_is_refused_with_the_address(tmp_path: Path) -> None:
    (issue,) = said(tmp_path, profile=PROFILE.replace("address: 0,", "address: 40001,"))
    assert "looks like the manual's register number" in issue and "write address: 0" in issue
    input_register = PROFILE.replace("function: holding, address: 0,", "function: input, address: 30010,")
    (issue,) = said(tmp_path, profile=input_register)
    assert "write address: 9" in issue
    # a device that really uses such addresses says so
    high = PROFILE.replace("modbus:\n", "modbus:\n  high_addresses: true\n").replace(
        "address: 0,", "address: 40001,"
    )
    load_site(write_site(tmp_path, profile=high))
