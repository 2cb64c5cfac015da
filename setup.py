"""Compiles the rules to C extensions with mypyc, from the same type-checked sources.

The rules judge every reading of a site, and ``sitegw replay`` a day of them in seconds: compiled,
they run about twice as fast (``make bench``, docs/benchmarks.md). ``pip install .`` and ``pip wheel .``
(the Dockerfile) build them; ``make native`` builds them in place for a checkout. With
``SITEGW_PURE_PYTHON=1`` nothing is compiled and the same rules run as plain Python.

Compiled: the rules (``rules/``), each kind's judge and rules (``kinds/<kind>/``) and the alert manager with its
worsening tracker (``gateway/alerts/manager.py``, ``worsening.py``), which takes every verdict the rules make: a
third of a replay's work as Python, it reads the compiled verdicts' fields directly once compiled beside them
(11 % fewer instructions a replay with the rest of issue #55's changes, docs/benchmarks.md). Not compiled: the
packages' ``__init__.py`` (``rules/__init__.py``, ``kinds/__init__.py`` and ``gateway/alerts/__init__.py`` check
that no compiled module is older than its source), a kind's declaration (``kind.py``), thresholds model (``thresholds.py``),
simulator (``sim.py``) and dashboard card (``card.py``), which are pydantic models, test tools and the API's
views rather than the rules' hot path.
"""

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent

PURE = {"__init__.py", "kind.py", "thresholds.py", "sim.py", "card.py"}  # by file name
ALERT_LIFE = ("gateway/alerts/manager.py", "gateway/alerts/worsening.py")  # the gateway's compiled modules


def native_sources() -> list[str]:
    """The modules that are compiled, as paths relative to this file."""
    found = sorted(p for package in ("rules", "kinds") for p in (ROOT / package).rglob("*.py"))
    return [p.relative_to(ROOT).as_posix() for p in found if p.name not in PURE] + list(ALERT_LIFE)


def native_groups(sources: list[str]) -> list[tuple[list[str], str]]:
    """The compiled modules' shared libraries: the rules' own with the alert manager's
    (``rules/native__mypyc...so``), and one per kind (``kinds/<kind>/native__mypyc...so``).

    A process maps and initialises a whole library (its code's relocations, every string and number its
    modules name) as soon as it imports any module of it, so that a site loads the libraries of the kinds it
    runs and no other: the 84 modules a pit-only site imports with the rules took 4.4 MB in one library for
    all, 2.5 MB in these, 2.1 MB from their sources (issue #55). A call from one library into another is an
    indirect call the C compiler cannot inline: 0.7 % more instructions a replay of the example site. Each
    library lies inside its package, not at the top level, where an in-place build is out of reach of the
    venv's commands (sitegw, outside the checkout)."""
    kinds: dict[str, list[str]] = {}
    core: list[str] = []
    for source in sources:
        package, kind, *_ = source.split("/")
        if package == "kinds":
            kinds.setdefault(kind, []).append(source)
        else:
            core.append(source)
    return [(core, "rules.native")] + [
        (files, f"kinds.{kind}.native") for kind, files in sorted(kinds.items())
    ]


def record_sources(sources: list[str]) -> None:
    """rules/compiled_from.json: each compiled source's SHA-256, which rules/__init__.py checks at import
    (a compiled module built from another source than the one beside it is refused)."""
    digests = {s: hashlib.sha256((ROOT / s).read_bytes()).hexdigest() for s in sources}
    (ROOT / "rules" / "compiled_from.json").write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")


if os.environ.get("SITEGW_PURE_PYTHON") == "1":
    setup()
else:
    from mypyc.build import mypycify

    SOURCES = native_sources()
    record_sources(SOURCES)
    setup(
        ext_modules=mypycify(
            ["--config-file", "mypyc.ini", *SOURCES], opt_level="3", separate=native_groups(SOURCES)
        )
    )
