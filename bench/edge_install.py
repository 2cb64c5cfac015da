"""The gateway's process as on an edge box: the regulator extra's packages missing (README, Installing).

This development install has them, and `sitegw`'s command line imported the regulator's commands, with
SQLAlchemy and Alembic (23 MB), when they were there (it builds them only when one is asked for since issue
#55): a memory figure of the gateway taken here without this would count whatever of them a change imports
again, which no edge box holds. ``install()`` makes them missing for this process; run as a script, it is
the `sitegw` command so installed (``python bench/edge_install.py run site.yaml``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Collection, Sequence
from pathlib import Path


class EdgeInstall(importlib.abc.MetaPathFinder):
    """Makes ``packages`` (the regulator extra's) missing, as they are on an edge box."""

    def __init__(self, packages: Collection[str]) -> None:
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not on an edge box)", name=fullname)
        return None


def install() -> None:
    """From now on this process imports as an edge box would: without the regulator extra."""
    from sitegw import extras

    if not any(isinstance(f, EdgeInstall) for f in sys.meta_path):
        sys.meta_path.insert(0, EdgeInstall(extras._REGULATOR_ONLY))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    install()
    from sitegw.cli import main

    main()
