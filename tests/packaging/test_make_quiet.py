"""`make demo`'s first step, compiling the rules with mypyc, keeps its minutes of warnings out of a newcomer's
terminal (issue 49 §5): they go to a log the Makefile names, shown only when the build fails.

The real Makefile is run by make; only the compiler is a stand-in (a script printing what mypyc's build
prints, or failing), since the real build takes minutes and another test (tests/rules/test_native.py)
checks what it builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WARNINGS = "build/rules/crane_load.c:123: warning: unused variable 'cpy_r_r7' [-Wunused-variable]"


def native(tmp_path: Path, exit_code: int) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # the install step done: only the compile runs
    compiler = tmp_path / "python"
    compiler.write_text(f'#!/bin/sh\necho "{WARNINGS}"\necho "{WARNINGS}" >&2\nexit {exit_code}\n')
    compiler.chmod(0o755)
    return subprocess.run(
        ["make", "-C", str(REPO), "--no-print-directory", "native", f"VENV={venv}", f"PY={compiler}"],
        capture_output=True,
        text=True,
        env=os.environ | {"MAKEFLAGS": ""},
        timeout=60,
    )


def test_the_rules_build_prints_one_line_and_logs_its_warnings(tmp_path: Path) -> None:
    done = native(tmp_path, 0)
    assert done.returncode == 0, done.stderr
    log = tmp_path / "venv" / "native-build.log"
    assert done.stdout.splitlines() == [
        f"compiling the rules with mypyc (a few minutes the first time; log: {log})"
    ]
    assert done.stderr == ""
    assert log.read_text().count(WARNINGS) == 2  # kept, both streams


def test_a_failed_rules_build_shows_its_log(tmp_path: Path) -> None:
    done = native(tmp_path, 1)
    assert done.returncode != 0
    assert WARNINGS in done.stdout + done.stderr


def test_installing_sitegw_prints_no_setuptools_package_warnings(tmp_path: Path) -> None:
    """`make demo`'s install step (pip install -e) and `pip wheel .` printed two screens of setuptools'
    "Package would be ignored" for config/examples and config/profiles, folders of data that the package
    discovery left out while the package data took them in. setuptools' own build of the packages (pure
    Python: no compiler) must say nothing of the kind and still carry the example site."""
    done = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "-d", str(tmp_path / "lib")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=os.environ | {"SITEGW_PURE_PYTHON": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "absent from the `packages` configuration" not in done.stdout + done.stderr, done.stderr
    assert (tmp_path / "lib" / "config" / "examples" / "site.yaml").is_file()
    assert (tmp_path / "lib" / "config" / "profiles" / "README.md").is_file()
