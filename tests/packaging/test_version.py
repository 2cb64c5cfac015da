"""The release, in one place (contract/__init__.py): `sitegw --version` prints it, it is a version pip and
PEP 440 read, and a release's git tag names the version its tree says (docs/releases.md). The wheel's
metadata says the same: tests/packaging/test_wheel.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from contract import __version__

REPO = Path(__file__).resolve().parents[2]
IN_TREE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)


def test_sitegw_version_prints_the_release() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from sitegw.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"PYTHONPATH": str(REPO)},  # this tree's code, not an installed one
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"sitegw {__version__}\n"
    assert str(Version(__version__)) == __version__  # PEP 440, in its normal form (what pip and wheels say)


def test_each_release_tag_names_the_version_its_tree_says() -> None:
    tags = subprocess.run(
        ["git", "-C", str(REPO), "tag", "--list", "v[0-9]*"], capture_output=True, text=True, check=False
    ).stdout.split()
    if not tags:
        pytest.skip("no release tags in this clone (a shallow or tagless CI clone): nothing to compare")
    for tag in tags:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{tag}:contract/__init__.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = IN_TREE.search(source)
        assert found is not None, f"{tag}: contract/__init__.py has no __version__ line"
        assert f"v{found.group(1)}" == tag, f"tag {tag} is on a tree whose release is {found.group(1)}"
