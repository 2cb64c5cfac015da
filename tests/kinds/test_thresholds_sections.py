"""A kind's thresholds are its own sections of the site file's ``rules:`` (``Kind.thresholds``): the
``rules:`` model is built from the registry as ``devices:`` is, so a kind from outside sitegw adds its
section, site-wide and per device, with no file of sitegw edited, and the shipped kinds' sections keep
the shape every site file has."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from contract.config.rules import DeviceRules, RulesConfig
from contract.kinds import registry

REPO = Path(__file__).resolve().parents[2]

KIND_MODULE = '''
from typing import Literal

from pydantic import Field

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds import Kind, Metric, Thresholds


class LiftRule(Model):
    """lift.load: the lift's load against its limit."""

    limit_t: float = Field(2.0, gt=0, title="Limit", description="t")


class LiftDevice(DeviceConfig):
    kind: Literal["lift"] = Field(title="Kind", description="lift: a test lift")


KIND = Kind(
    name="lift",
    zh="测试升降台",
    en="test lift",
    device=LiftDevice,
    metrics=(Metric("lift_t", "载重", "t", "load", summary="max"),),
    offline_clause="测试",
    thresholds=(Thresholds("lift", LiftRule, "Lift", "lift.load"),),
)
'''

CHECK = """
import sys
from contract.config import ConfigError, load_site
site = load_site(sys.argv[1])
print(site.config.rules.section("lift").limit_t, site.config.rules.for_device("lift-1", "lift").limit_t)
try:
    load_site(sys.argv[2])
except ConfigError as exc:
    print(exc)
"""


def test_the_shipped_kinds_sections_come_first_in_the_registrys_order() -> None:
    sections = [t.name for k in registry.kinds() for t in k.thresholds]
    assert list(RulesConfig.model_fields)[: len(sections)] == sections
    assert sections[:3] == ["crane_load", "crane_wind", "crane_tilt"] and "pit" in sections
    per_device = [t.name for k in registry.kinds() for t in k.thresholds if t.per_device]
    assert list(DeviceRules.model_fields)[: len(per_device)] == per_device
    assert "crane_collision" not in DeviceRules.model_fields  # the pairs' clearance is site-wide only


def test_a_plug_in_kind_adds_its_own_rules_section(tmp_path: Path) -> None:
    (tmp_path / "lift_kind.py").write_text(textwrap.dedent(KIND_MODULE), encoding="utf-8")
    device = {
        "id": "lift-1",
        "name": "1号升降台",
        "kind": "lift",
        "profile": "lift_box",
        "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": 1502, "unit_id": 1},
    }
    (tmp_path / "lift_box.yaml").write_text(
        "name: lift_box\nkind: lift\nmodbus:\n  values:\n    - {metric: lift_t, address: 0, type: uint16}\n",
        encoding="utf-8",
    )
    project = {"code": "GD-SZ-2026-0098", "name": "测试", "city": "深圳", "district": "南山区"}
    site = {
        "project": project,
        "profiles_dir": ".",
        "devices": [device],
        "rules": {"lift": {"limit_t": 3.0}, "devices": {"lift-1": {"lift": {"limit_t": 1.5}}}},
    }
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    site["rules"] = {"lift": {"limit_t": -1}}
    bad.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        "SITEGW_KINDS": "lift_kind",
    }
    run = subprocess.run(
        [sys.executable, "-c", CHECK, str(good), str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    first, *rest = run.stdout.splitlines()
    assert first == "3.0 1.5"  # the site's own value, and the device's replacing it
    assert "rules.lift.limit_t" in "\n".join(rest), run.stdout
