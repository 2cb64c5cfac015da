"""The layers of docs/architecture.md hold: every import points down.

config (the site's YAML) at the bottom, the contract on it, the plumbing (HTTP server, paho, heap, TLS) on
that; drivers, rules and vision beside each other above them; the kinds' folders above those (a kind's
declaration importing the contract alone, and no rule or driver importing a kind); the gateway's services
and the regulator beside each other above them (the regulator importing the contract and the plumbing
alone); the shell
and CLI (sitegw) and the model training on top. The contracts live in pyproject.toml ([tool.importlinter]);
this runs import-linter over the source tree as a developer would (`lint-imports`).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_import_points_down_the_layers() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (
        f"an import crosses the layers (pyproject.toml [tool.importlinter]):\n{run.stdout}"
    )
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken" in run.stdout, run.stdout
