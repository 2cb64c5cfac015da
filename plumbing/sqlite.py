"""The SQLite library every sitegw process opens its databases with: the one pysqlite3's wheel bundles
(SQLite 3.53 or later) where that wheel exists, Python's own elsewhere. Import ``sqlite3`` from here, never
the standard library's (ruff's TID251 refuses it everywhere but this file).

Why not Python's own: SQLite 3.7.0 to 3.51.2 has the WAL-reset bug (https://sqlite.org/wal.html#walresetbug,
fixed in 3.51.3, backported to 3.44.6 and 3.50.7): with two connections to one WAL database, a commit that
resets the WAL while another connection starts a checkpoint can leave the WAL-index wrong, and a later
checkpoint then skips part of a transaction, corrupting the file. The gateway's alert store is written by
several connections (the alerts, the decisions, the baselines) and the embedded regulator by a pool of them,
all in WAL; Debian 12's Python links SQLite 3.40.1.

Why one library for all: two copies of SQLite in one process that both hold a file lose each other's POSIX
locks when either closes it (https://sqlite.org/howtocorrupt.html, 2.2.1), so a process must not open the
same database through both.

pysqlite3's wheels exist for x86-64 Linux only (pyproject installs it there); elsewhere the standard library's
module is used, and :func:`library_warning` says when its SQLite has the bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the same DB-API: pysqlite3 is the standard library's module, packaged with its own SQLite
    import sqlite3  # noqa: TID251
else:
    try:
        from pysqlite3 import dbapi2 as sqlite3
    except ImportError:  # no wheel for this machine (pyproject: x86-64 Linux only)
        import sqlite3  # noqa: TID251

__all__ = ["BUNDLED", "library", "library_warning", "sqlite3", "wal_reset_fixed"]

BUNDLED = sqlite3.__name__.startswith("pysqlite3")

# the first release of each line that carries the WAL-reset fix, per https://sqlite.org/wal.html#walresetbug
_FIXED_IN = {(3, 44): (3, 44, 6), (3, 50): (3, 50, 7), (3, 51): (3, 51, 3)}  # every other line: from 3.52.0


def wal_reset_fixed(version: str) -> bool:
    """Whether SQLite ``version`` ("3.40.1") is past the WAL-reset bug: 3.51.3 or later, or a backport."""
    major, minor, patch = (int(p) for p in [*version.split(".")[:3], "0", "0"][:3])
    return (major, minor, patch) >= _FIXED_IN.get((major, minor), (3, 52, 0))


def library() -> str:
    """What this process opens its databases with, for the start-up log: "SQLite 3.53.4 (pysqlite3)"."""
    return f"SQLite {sqlite3.sqlite_version} ({'pysqlite3' if BUNDLED else 'Python standard library'})"


def library_warning() -> str | None:
    """The warning a start-up logs when the SQLite in use has the WAL-reset bug, with the fix; None if not."""
    if wal_reset_fixed(sqlite3.sqlite_version):
        return None
    return (
        f"{library()} has the WAL-reset bug (https://sqlite.org/wal.html#walresetbug): a store written by "
        "several connections can be corrupted. Install pysqlite3 0.6.1 or later (`pip install "
        "'pysqlite3>=0.6.1'`, bundling SQLite 3.53) or a Python linked with SQLite 3.51.3 or later"
    )
