"""The docs' lists of kinds, rules and profiles are the registry's (contract/kinds/registry.py): those
scripts/kind_lists.py writes are as it would write them, and the rules page's hand-written table (each
rule's defaults, clause and action) has one row for every rule there is and none for a rule there is not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import contract.config  # noqa: F401  (the registry's kinds import the config models: loaded first)
from contract.kinds import registry

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
