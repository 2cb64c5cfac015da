"""Safety rules from the standards: pure functions of state and Readings (live and in replay).

The rules' modules are compiled with mypyc where ``make native`` or ``pip install`` built them
(setup.py). This module is never compiled: it refuses compiled modules older than their sources, and
with ``SITEGW_PURE_PYTHON=1`` it loads every rule from its source instead (the same rules, slower:
for a debugger, or to compare with the compiled ones).
"""

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
COMPILED_FROM = "compiled_from.json"  # written by setup.py: each compiled source's digest


def source_digest(source: Path) -> str:
    """The digest setup.py records for a compiled source (SHA-256 of its bytes)."""
    return hashlib.sha256(source.read_bytes()).hexdigest()


PURE_PYTHON = os.environ.get("SITEGW_PURE_PYTHON") == "1"


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds ``rules.*`` modules as their ``.py`` sources, passing over compiled ones."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(__name__ + "."):
            return None
        where = HERE.joinpath(*fullname.split(".")[1:])
        if (where / "__init__.py").is_file():
            return importlib.util.spec_from_file_location(
                fullname, where / "__init__.py", submodule_search_locations=[str(where)]
            )
        source = where.with_suffix(".py")
        return importlib.util.spec_from_file_location(fullname, source) if source.is_file() else None


def stale_compiled() -> list[str]:
    """Compiled rule modules whose source changed since they were built (an edit, a pull or a checkout
    since the last ``make native``), or all of them where the build left no record of its sources."""
    built = {p for suffix in importlib.machinery.EXTENSION_SUFFIXES for p in HERE.rglob(f"*{suffix}")}
    if not built:
        return []
    try:
        compiled_from: dict[str, str] = json.loads((HERE / COMPILED_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        compiled_from = {}
    stale = []
    for path in built:
        source = path.with_name(path.name.split(".", 1)[0] + ".py")
        name = source.relative_to(HERE.parent).as_posix()
        if source.is_file() and compiled_from.get(name) != source_digest(source):
            stale.append(name)
    return sorted(stale)


if PURE_PYTHON:
    sys.meta_path.insert(0, _FromSource())
elif stale := stale_compiled():
    raise ImportError(
        f"{', '.join(stale)} changed after the rules were compiled: run `make native` to compile them "
        "again, or set SITEGW_PURE_PYTHON=1 to run the rules from their sources"
    )

from rules.engine import Evaluation, RuleEngine  # noqa: E402  (after the finder, which decides what this loads)
from rules.result import RuleResult  # noqa: E402

__all__ = ["Evaluation", "RuleEngine", "RuleResult"]
