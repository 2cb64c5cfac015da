"""No function of the product is over 100 lines (issue 52): a longer one is split into parts a reader can
follow (router factories into groups of routes by concern, long computations into steps). The product is
every package the layers contract names (pyproject.toml), the gateway's and the regulator's alike; not the
model-training scripts (training/, run by hand on a workstation, not shipped to a site or a server) and not
alembic's revisions (data written once)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOST_LINES = 100
NOT_PRODUCT = {"training"}


def product_packages() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages: list[str] = pyproject["tool"]["importlinter"]["root_packages"]
    return [p for p in packages if p not in NOT_PRODUCT]


def test_no_function_of_the_product_is_over_100_lines() -> None:
    packages = product_packages()
    assert {"gateway", "regulator", "kinds", "sitegw"} <= set(packages)
    too_long = []
    for package in packages:
        for source in sorted((REPO / package).rglob("*.py")):
            if "migrations" in source.parts:
                continue
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                    lines = node.end_lineno - node.lineno + 1
                    if lines > MOST_LINES:
                        too_long.append(
                            f"{source.relative_to(REPO)}:{node.lineno} {node.name}: {lines} lines"
                        )
    assert not too_long, "split these into parts (at most 100 lines each): " + "; ".join(too_long)
