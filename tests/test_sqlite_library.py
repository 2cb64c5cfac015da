"""The SQLite the gateway's stores and the embedded regulator run on (plumbing/sqlite.py): past the WAL-reset
bug (https://sqlite.org/wal.html#walresetbug: 3.7.0 to 3.51.2, fixed in 3.51.3, backported to 3.44.6 and
3.50.7), and one library per process."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from plumbing.sqlite import library_warning, wal_reset_fixed

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("version", "fixed"),
    [
        ("3.40.1", False),  # Debian 12's
        ("3.44.5", False),
        ("3.44.6", True),  # the 3.44 backport
        ("3.45.0", False),  # a later line the backport does not reach
        ("3.50.6", False),
        ("3.50.7", True),
        ("3.51.2", False),  # the last release with the bug
        ("3.51.3", True),
        ("3.52.0", True),
        ("3.53.4", True),
    ],
)
def test_the_fix_is_read_per_release_line(version: str, fixed: bool) -> None:
    assert wal_reset_fixed(version) is fixed


PROBE = """
import json, sys
from pathlib import Path
import sitegw.cli, sitegw.runtime  # what `sitegw run` imports
from gateway.sqlite_tx import connect
from regulator.storage.db import open_engine
import sqlalchemy as sa

tmp = Path(sys.argv[1])
gateway = connect(tmp / "alerts.sqlite").execute("SELECT sqlite_version()").fetchone()[0]
engine = open_engine(tmp / "regulator.sqlite")
with engine.connect() as conn:
    regulator = conn.execute(sa.text("SELECT sqlite_version()")).scalar()
engine.dispose()
print(json.dumps({"gateway": gateway, "regulator": regulator, "stdlib": "_sqlite3" in sys.modules}))
"""


@pytest.mark.skipif(
    (sys.platform, platform.machine()) != ("linux", "x86_64"),
    reason="pysqlite3's wheels are x86-64 Linux only",
)
def test_the_stores_and_the_embedded_regulator_run_on_a_sqlite_past_the_bug(tmp_path: Path) -> None:
    """As `sitegw run` and `sitegw regulator serve --db FILE` open them, in a process of their own; and
    Python's own sqlite3 never loaded beside it (two libraries on one file lose each other's locks)."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.splitlines()[-1])
    assert wal_reset_fixed(seen["gateway"]), seen
    assert seen["regulator"] == seen["gateway"], seen
    assert not seen["stdlib"], "Python's own sqlite3 was loaded beside the bundled one"
    assert library_warning() is None


def test_an_old_library_is_warned_of_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from plumbing import sqlite

    monkeypatch.setattr(sqlite.sqlite3, "sqlite_version", "3.40.1")
    warning = library_warning()
    assert warning is not None
    assert "3.40.1" in warning and "WAL-reset" in warning and "pysqlite3>=0.6.1" in warning
