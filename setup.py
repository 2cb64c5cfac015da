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
    # the modules' shared library inside the package (rules/native__mypyc...so), not beside it at the top
    # level, where an in-place build is out of reach of the venv's commands (sitegw, outside the checkout)
    setup(
        ext_modules=mypycify(
            ["--config-file", "mypyc.ini", *SOURCES], opt_level="3", group_name="rules.native"
        )
    )
