"""Compiles the rules to C extensions with mypyc, from the same type-checked sources.

The rules judge every reading of a site, and ``sitegw replay`` a day of them in seconds: compiled,
they run about twice as fast (``make bench``, docs/benchmarks.md). ``pip install .`` and ``pip wheel .``
(the Dockerfile) build them; ``make native`` builds them in place for a checkout. With
``SITEGW_PURE_PYTHON=1`` nothing is compiled and the same rules run as plain Python.

Not compiled: ``rules/__init__.py`` (it checks that no compiled module is older than its source).
"""

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent

PURE = {"rules/__init__.py"}


def native_sources() -> list[str]:
    """The rules' modules that are compiled, as paths relative to this file."""
    found = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").rglob("*.py"))
    return [p for p in found if p not in PURE]


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
