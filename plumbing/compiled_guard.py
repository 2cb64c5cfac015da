"""The guard of the modules mypyc compiles (setup.py): the rules, the kinds' judges and rules, and the alert
manager (``gateway/alerts/``).

Imported by ``rules/__init__.py``, ``kinds/__init__.py`` and ``gateway/alerts/__init__.py``, whichever comes first
(none is compiled).
It refuses compiled modules older than their sources, and with ``SITEGW_PURE_PYTHON=1`` it loads every
compiled package's modules from their sources instead (the same rules, slower: for a debugger, or to
compare with the compiled ones).
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

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rules", "kinds", "gateway.alerts")  # the packages whose modules setup.py compiles (some, or all)
COMPILED_FROM = ROOT / "rules" / "compiled_from.json"  # written by setup.py: each compiled source's digest
PURE_PYTHON = os.environ.get("SITEGW_PURE_PYTHON") == "1"


def source_digest(source: Path) -> str:
    """The digest setup.py records for a compiled source (SHA-256 of its bytes)."""
    return hashlib.sha256(source.read_bytes()).hexdigest()


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds the compiled packages' modules as their ``.py`` sources, passing over compiled ones."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not any(fullname.startswith(package + ".") for package in PACKAGES):
            return None
        where = ROOT.joinpath(*fullname.split("."))
        if (where / "__init__.py").is_file():
            return importlib.util.spec_from_file_location(
                fullname, where / "__init__.py", submodule_search_locations=[str(where)]
            )
        source = where.with_suffix(".py")
        return importlib.util.spec_from_file_location(fullname, source) if source.is_file() else None


def stale_compiled() -> list[str]:
    """Compiled modules whose source changed since they were built (an edit, a pull or a checkout since
    the last ``make native``), or all of them where the build left no record of its sources."""
    built = {
        p
        for package in PACKAGES
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        for p in ROOT.joinpath(*package.split(".")).rglob(f"*{suffix}")
    }
    if not built:
        return []
    try:
        compiled_from: dict[str, str] = json.loads(COMPILED_FROM.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        compiled_from = {}
    stale = []
    for path in built:
        source = path.with_name(path.name.split(".", 1)[0] + ".py")
        name = source.relative_to(ROOT).as_posix()
        if source.is_file() and compiled_from.get(name) != source_digest(source):
            stale.append(name)
    return sorted(stale)


def install() -> None:
    """Load from source where asked (once), or refuse stale compiled modules."""
    if PURE_PYTHON:
        if not any(isinstance(f, _FromSource) for f in sys.meta_path):
            sys.meta_path.insert(0, _FromSource())
    elif stale := stale_compiled():
        raise ImportError(
            f"{', '.join(stale)} changed after the rules were compiled: run `make native` to compile them "
            "again, or set SITEGW_PURE_PYTHON=1 to run the rules from their sources"
        )
