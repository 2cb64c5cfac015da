"""The layers of docs/architecture.md hold: every import points down.

config (the site's YAML) at the bottom, the contract on it, the plumbing (HTTP server, paho, heap, TLS) on
that; drivers, rules and vision beside each other above them; the kinds' folders above those (a kind's
declaration importing the contract alone, and no rule or driver importing a kind); the gateway's services
and the regulator beside each other above them (the regulator importing the contract and the plumbing
alone); the shell
and CLI (sitegw) and the model training on top. The contracts live in pyproject.toml ([tool.importlinter]);
this runs import-linter over the source tree as a developer would (`lint-imports`).

Inside the regulator, floors of their own (docs/architecture.md, "The regulator's floors"): the command line,
the server, the app, the web routes, the domain, storage, and the neutral modules at the bottom; no two of
its packages import each other.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from itertools import combinations
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]


def test_every_import_points_down_the_layers() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (
        f"an import crosses the layers (pyproject.toml [tool.importlinter]):\n{run.stdout}"
    )
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken" in run.stdout, run.stdout
    assert "The regulator's floors" in run.stdout, run.stdout


def test_no_two_regulator_packages_import_each_other() -> None:
    """Each pair of the regulator's packages and top modules (ledger, routes, cli.py...) imports one way at
    most, so a reader of one knows what it may touch: the import graph itself, not only the contracts."""
    graph = grimp.build_graph("regulator", cache_dir=None)
    arrows: set[tuple[str, str]] = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = (m.split(".")[1] if "." in m else m for m in (module, imported))
            if a != b:
                arrows.add((a, b))
    both_ways = sorted(
        f"regulator.{a} <-> regulator.{b}"
        for a, b in combinations(sorted({a for a, _ in arrows} | {b for _, b in arrows}), 2)
        if (a, b) in arrows and (b, a) in arrows
    )
    assert not both_ways, f"packages of the regulator that import each other: {both_ways}"
