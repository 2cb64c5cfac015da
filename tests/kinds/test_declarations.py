"""Every kind sitegw ships is declared in full (contract/kinds/): Chinese and English names, every metric
named with the unit its id promises, an offline policy with the clause it cites, a judge and a simulator
that load and work, rule names in Chinese, a dashboard card the dashboard draws. A kind short of any of
these is a kind some screen, alert or simulator would show bare."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from config import EXAMPLE_SITE
from contract.config import load_site
from contract.config.loader import LoadedSite
from contract.config.transport import ModbusTcpTransport
from contract.kinds import registry
from contract.kinds.kind import Kind
from drivers.simulators.device_sim import make_sim
from rules.kinds.base import Judge

SHIPPED = [importlib.import_module(m).KIND for m in registry.BUILTIN]
DASHBOARD = (Path(__file__).resolve().parents[2] / "gateway" / "api" / "static" / "dashboard.js").read_text()
# docs/design.md names metrics with their unit last: the unit each suffix promises
SUFFIX_UNITS = {
    "_t": "t",
    "_m": "m",
    "_deg": "°",
    "_ms": "m/s",
    "_pct": "%",
    "_mm": "mm",
    "_kn": "kN",
    "_c": "℃",
    "_mm_h": "mm/h",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
EXAMPLE = load_site(EXAMPLE_SITE)


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_has_its_names_units_and_offline_policy(kind: Kind) -> None:
    assert CHINESE.search(kind.zh) and kind.en
    assert registry.get(kind.name) is kind
    for m in kind.metrics:
        assert CHINESE.search(m.zh), f"{kind.name}.{m.name} has no Chinese name"
        assert m.en, f"{kind.name}.{m.name} has no English name"
        suffix = next((s for s in SUFFIX_UNITS if m.name.endswith(s)), None)
        if suffix is not None:
            assert m.unit == SUFFIX_UNITS[suffix], f"{kind.name}.{m.name}: unit {m.unit!r}"
        for value, words in m.states.items():
            assert isinstance(value, int) and CHINESE.search(words)
    assert kind.metrics or kind.open_metrics, f"{kind.name} declares no metric and is not open"
    if kind.watched:
        assert "建质规〔2024〕5号" in kind.offline_clause or "JGJ" in kind.offline_clause, kind.name
    assert set(kind.flags) <= kind.metric_names
    assert kind.sample_metrics <= kind.metric_names | {""} and kind.device_metrics <= kind.metric_names


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_names_its_rules_and_its_judge_loads(kind: Kind) -> None:
    for rule, zh in kind.rules.items():
        assert CHINESE.search(zh), rule
        assert rule.split(".")[0] in (kind.name, "crane", "personnel", "vision", "camera", "weather"), rule
    if kind.judge:
        judge = registry.resolve(kind.judge)
        assert issubclass(judge, Judge)
        assert kind.rules, f"{kind.name} is judged but names none of its rules"
    else:
        assert kind.name in ("camera", "generic")  # judged by vision's workers, or not at all


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_has_a_dashboard_card(kind: Kind) -> None:
    # the dashboard draws its own cards for these (gateway/api/static/dashboard.js), any other on the generic one
    own = {"crane": "drawCranes", "hoist": "drawHoists", "pit": "drawPit", "formwork": "drawFormwork",
           "gate": "drawPersonnel", "camera": "drawCams", "generic": "drawOtherDevices",
           "platform": "drawPlatforms", "confined_space": "drawConfined"}  # fmt: skip
    assert f"function {own[kind.card]}(" in DASHBOARD


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_is_simulated_in_every_scenario_it_names(kind: Kind, tmp_path: Path) -> None:
    site, device = _a_device_of(kind, tmp_path)
    assert kind.scenarios[0] == "normal"
    for scenario in kind.scenarios:
        sim = make_sim(device, site, scenario, seed=3)
        values = {k: v for t in (0.0, 30.0, 600.0, 4000.0) for k, v in sim.values(t).items()}
        assert values, f"{kind.name} {scenario}: nothing simulated"
        metrics = {k.split("@", 1)[0] for k in values}
        if not kind.open_metrics:
            assert metrics <= kind.metric_names, metrics - kind.metric_names
    with pytest.raises(ValueError, match=f"it plays {', '.join(kind.scenarios)}, not storm"):
        make_sim(device, site, "storm")


def _a_device_of(kind: Kind, tmp_path: Path) -> tuple[LoadedSite, object]:
    """A device of ``kind``: the example site's, or one made for the kinds the example has none of."""
    found = next((d for d in EXAMPLE.config.devices if d.kind == kind.name), None)
    if found is not None:
        return EXAMPLE, found
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "meter.yaml").write_text(
        f"name: meter\nkind: {kind.name}\nmodbus:\n  values:\n    - {{metric: power_kw, address: 0, unit: kW}}\n"
        "    - {metric: breaker_open, function: coils, address: 0, type: bit}\n"
    )
    site = tmp_path / "site.yaml"
    site.write_text(
        EXAMPLE_SITE.read_text(encoding="utf-8").replace("devices:\n", f"profiles_dir: profiles\ndevices:\n"
        f"  - {{id: x-1, kind: {kind.name}, profile: meter, transport: {{type: modbus_tcp, host: 127.0.0.1}}}}\n", 1),
        encoding="utf-8",
    )  # fmt: skip
    loaded = load_site(site)
    device = loaded.config.device("x-1")
    assert isinstance(device.transport, ModbusTcpTransport)
    return loaded, device
