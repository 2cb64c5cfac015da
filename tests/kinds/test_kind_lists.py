"""The lists of kinds, rules and profiles are the registry's (contract/kinds/registry.py): those
scripts/kind_lists.py writes in the docs are as it would write them, the rules page's hand-written table
(each rule's defaults, clause and action) has one row for every rule there is and none for a rule there is
not, and the CLI's help and the demo's banner name the kinds, scenarios and rules the registry holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from config import EXAMPLE_SITE
from contract.config import load_site
from contract.kinds import registry
from sitegw import demo
from sitegw.cli import app

REPO = Path(__file__).resolve().parents[2]
RULES_PAGE = REPO / "docs" / "site" / "rules.md"


def test_the_lists_written_from_the_registry_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/kind_lists.py", "--check"],
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _page_rules() -> set[str]:
    """The rule ids the first column of the rules page's table names."""
    table = RULES_PAGE.read_text(encoding="utf-8").split("## The rules", 1)[1].split("\n## ", 1)[0]
    firsts = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {rule for cell in firsts for rule in re.findall(r"`([a-z_]+\.[a-z_]+)`", cell)}


def test_the_rules_page_has_a_row_for_every_rule_and_no_other() -> None:
    rules = set(registry.rule_names()) | set(registry.SHARED_RULES)
    page = _page_rules()
    missing, unknown = sorted(rules - page), sorted(page - rules)
    assert not missing, (
        f"docs/site/rules.md's table has no row for {', '.join(missing)}: add one (when it fires, the clause "
        "it cites, what its alert says to do)"
    )
    assert not unknown, f"docs/site/rules.md's table names {', '.join(unknown)}, which no kind declares"


def _help(*args: str) -> str:
    """What ``sitegw ARGS --help`` prints, its words one space apart."""
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "3000"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_the_cli_help_names_every_kind_and_the_scenarios_each_simulator_plays() -> None:
    top, simulate = _help(), _help("simulate")
    for kind in registry.kinds():
        assert f"{kind.en} ({kind.zh})" in top, f"sitegw --help does not name the kind {kind.name}"
        if kind.simulator:
            command = "gate" if kind.name == "attendance" else kind.name
            assert f"{command} ({kind.en}: {', '.join(kind.scenarios)})" in simulate, kind.name
            assert f"Usage: sitegw simulate {command} [OPTIONS]" in _help("simulate", command), kind.name


def test_the_demo_banner_counts_the_rules_of_the_site_s_kinds() -> None:
    site = load_site(EXAMPLE_SITE).config
    line = demo.rules_line(site, cameras=True)
    shipped = [registry.get(name) for name in dict.fromkeys(d.kind for d in site.devices)]
    total = set(registry.SHARED_RULES) | {
        r for k in [*shipped, registry.get("camera")] for r in registry.kind_rules(k)
    }
    assert line.startswith(f"{len(total)} judged: "), line
    for kind in shipped:
        if registry.kind_rules(kind):
            assert f"{kind.zh} {len(registry.kind_rules(kind))}" in line, (kind.name, line)
    assert "摄像头" not in demo.rules_line(site, cameras=False)


def test_the_demo_scripts_only_scenarios_the_kinds_declare() -> None:
    site = load_site(EXAMPLE_SITE).config
    scripted = {
        **demo.CRANE_SCENARIOS,
        **{d.id: demo.PIT_SCENARIO for d in site.devices if d.kind == "pit"},
        **{d.id: demo.FORMWORK_SCENARIO for d in site.devices if d.kind == "formwork"},
        **{d.id: demo.CONFINED_SCENARIO for d in site.devices if d.kind == "confined_space"},
    }
    for device, scenario in scripted.items():
        kind = registry.get(site.device(device).kind)
        assert scenario in kind.scenarios, (
            f"the demo plays {scenario} on {device}, but its kind {kind.name} plays {', '.join(kind.scenarios)}: "
            f"declare it in the kind's scenarios, or pick one of them in sitegw/demo.py"
        )
