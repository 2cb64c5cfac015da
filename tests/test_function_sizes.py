"""No function of the regulator is over 100 lines (issue 52 §1): a longer one is split into parts a
reader can follow (router factories into groups of routes by concern, long computations into steps)."""

from __future__ import annotations

import ast
from pathlib import Path

REGULATOR = Path(__file__).resolve().parents[2] / "regulator"
MOST_LINES = 100


def test_no_regulator_function_is_over_100_lines() -> None:
    too_long = []
    for source in sorted(REGULATOR.rglob("*.py")):
        if "migrations" in source.parts:  # alembic's revisions are data written once
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MOST_LINES:
                    too_long.append(
                        f"{source.relative_to(REGULATOR.parent)}:{node.lineno} {node.name}: {lines} lines"
                    )
    assert not too_long, "split these into parts (at most 100 lines each): " + "; ".join(too_long)
