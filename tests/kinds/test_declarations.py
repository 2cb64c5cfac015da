"""Every kind sitegw ships is declared in full (contract/kinds/): Chinese and English names, every metric
named with the unit its id promises, an offline policy with the clause it cites, a judge and a simulator
that load and work, rule names in Chinese, a dashboard card that loads and draws. A kind short of any of
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
from contract.kinds.card import card_of, script_path
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


# the rule families a kind may raise besides its own name's: ones another kind shares, or its subject's
SHARED_FAMILIES = {
    "anemometer": ("crane",),  # the crane's wind, judged on the anemometer serving it
    "attendance": ("personnel",),  # the key people, seen through the gates
    "camera": ("vision", "camera"),  # the checks of vision's workers, and the camera's own link
    "weather_station": ("weather",),  # the site's weather stops
    "welder": ("hot_work",),  # the site's hot work: its permits, whatever machine saw the work
}
# the cards without a script of their own: the dashboard's panel that draws their kind's devices
PANELS = {"gate": "drawPersonnel", "camera": "drawCams"}
OFFLINE_STANDARDS = ("建质规〔2024〕5号", "JGJ", "GB", "无对应标准条文")
"""What an offline clause cites: the 2024 criteria, an industry (JGJ) or national (GB) standard, or says that no
article stands behind the device (a generic one)."""


def _problems(problems: list[str]) -> None:
    """Fail naming every problem found, each with its fix (not only the first an assert would stop at)."""
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_has_its_names_units_and_offline_policy(kind: Kind) -> None:
    name, found = kind.name, []
    if not CHINESE.search(kind.zh) or not kind.en:
        found.append(
            f"{name}: zh {kind.zh!r}, en {kind.en!r}: write its Chinese name (塔吊) and its English one"
        )
    if registry.get(name) is not kind:
        found.append(f"{name}: the registry holds another kind of this name: give one of them another name")
    for m in kind.metrics:
        if not CHINESE.search(m.zh):
            found.append(f"{name}.{m.name}: zh {m.zh!r} is not Chinese: write the name screens show (起重量)")
        if not m.en:
            found.append(f"{name}.{m.name}: no English name: write en (the English dashboard shows it)")
        suffix = next((s for s in SUFFIX_UNITS if m.name.endswith(s)), None)
        if suffix is not None and m.unit != SUFFIX_UNITS[suffix]:
            found.append(
                f"{name}.{m.name}: unit {m.unit!r}, but an id ending in {suffix} promises "
                f"{SUFFIX_UNITS[suffix]!r} (docs/design.md): write that unit, or rename the metric"
            )
        for value, words in m.states.items():
            if not isinstance(value, int) or not CHINESE.search(words):
                found.append(
                    f"{name}.{m.name}: state {value!r}: {words!r}: key each state by its whole number and "
                    "name it in Chinese"
                )
    if not kind.metrics and not kind.open_metrics:
        found.append(
            f"{name}: no metric: declare what its devices report, or open_metrics=True (a generic one)"
        )
    if kind.watched and not any(s in kind.offline_clause for s in OFFLINE_STANDARDS):
        found.append(
            f"{name}: offline_clause must cite 建质规〔2024〕5号, a JGJ or a GB standard: write the article its "
            "monitoring stands for (contract/kinds/offline.py has a machine's and a pit's), or watched=False "
            f"if its silence is not device.offline; it reads {kind.offline_clause!r}"
        )
    if not set(kind.flags) <= kind.metric_names:
        found.append(f"{name}: flags {sorted(set(kind.flags) - kind.metric_names)}: declare each as a metric")
    for field in ("sample_metrics", "device_metrics"):
        if stray := sorted(getattr(kind, field) - kind.metric_names - {""}):
            found.append(
                f"{name}: {field} {stray} are not among its metrics: declare them, or leave them out"
            )
    _problems(found)


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_names_its_rules_and_its_judge_loads(kind: Kind) -> None:
    name, found = kind.name, []
    families = (name, *SHARED_FAMILIES.get(name, ()))
    for rule, zh in kind.rules.items():
        if not CHINESE.search(zh):
            found.append(
                f"{name}: rule {rule}: name {zh!r} is not Chinese: write what the regulator shows (塔吊超载)"
            )
        if rule.split(".")[0] not in families:
            found.append(
                f"{name}: rule {rule}: a rule's id starts with its kind's name ({name}.<what>)"
                + (f" or {', '.join(f + '.' for f in families[1:])}" if families[1:] else "")
                + ": rename it (sites filter uplinks and sirens by the prefix)"
            )
    if kind.judge:
        judge = registry.resolve(kind.judge)
        if not (isinstance(judge, type) and issubclass(judge, Judge)):
            found.append(f"{name}: judge {kind.judge} is not a Judge: derive it from rules.kinds.base.Judge")
        if not kind.rules:
            found.append(f"{name}: judged by {kind.judge} but names none of its rules: declare them in rules")
    elif name not in ("camera", "generic"):  # judged by vision's workers, or not at all
        found.append(
            f"{name}: no judge: name its judge as judge='module:Class' (docs/contributing/adding-a-kind.md)"
        )
    _problems(found)


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_has_a_dashboard_card(kind: Kind, tmp_path: Path) -> None:
    card = card_of(kind)  # a reference that names no Card fails here, with its fix
    if card is None:
        return  # the generic card: every metric with its declared names
    script = script_path(kind)
    if script is None:
        panel = PANELS.get(card.name)
        assert panel is not None and f"function {panel}(" in DASHBOARD, (
            f"{kind.name}: card {card.name!r} has no script: write kinds/{kind.name}/card.js and name it in "
            "Card(script=...), or leave Kind.card empty for the generic card"
        )
    else:
        assert script.is_file(), f"{kind.name}: card script {script} is missing: write it or drop Card.script"
        assert f'name: "{card.name}"' in script.read_text(encoding="utf-8"), (
            f"{kind.name}: {script} registers no card({{name: {card.name!r}, ...}}) with the dashboard"
        )
    if card.data is not None:
        site, _ = _a_device_of(kind, tmp_path)
        entries = card.data.view(site.config)
        assert entries and all(isinstance(e, card.data.model) for e in entries), (
            f"{kind.name}: card {card.name}'s view gives no {card.data.model.__name__} for a site with the kind"
        )


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_only_its_kind_draws_a_cards_list(kind: Kind) -> None:
    # the dashboard's own scripts draw the page's frame (the site plan's included); a card's list is its
    # kind's card.js's to draw, so that a new kind draws on the page and the plan with no gateway file edited
    card = card_of(kind)
    if card is None or card.data is None:
        return
    static = Path(__file__).resolve().parents[2] / "gateway" / "api" / "static"
    readers = [f.name for f in sorted(static.glob("*.js")) if f"site.{card.data.key}" in f.read_text("utf-8")]
    assert readers == [], (
        f"{kind.name}: {readers} draw its card's list S.site.{card.data.key}: draw it in "
        f"kinds/{kind.name}/card.js (its card, or its plan layer: card({{plan: ...}}))"
    )


@pytest.mark.parametrize("kind", SHIPPED, ids=lambda k: k.name)
def test_a_shipped_kind_is_simulated_in_every_scenario_it_names(kind: Kind, tmp_path: Path) -> None:
    site, device = _a_device_of(kind, tmp_path)
    assert kind.scenarios[0] == "normal", f"{kind.name}: scenarios {kind.scenarios}: put normal first"
    for scenario in kind.scenarios:
        sim = make_sim(device, site, scenario, seed=3)
        values = {k: v for t in (0.0, 30.0, 600.0, 4000.0) for k, v in sim.values(t).items()}
        assert values, (
            f"{kind.name}: its simulator gives no value in scenario {scenario}: make values(t) report"
        )
        metrics = {k.split("@", 1)[0] for k in values}
        stray = sorted(metrics - kind.metric_names)
        assert kind.open_metrics or not stray, (
            f"{kind.name}: its simulator reports {stray} in scenario {scenario}, which it does not declare: "
            "declare them as metrics, or leave them out of values(t)"
        )
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
