"""A consistent copy of a live SQLite database, for the gateway's and the regulator's backups."""

from __future__ import annotations

from pathlib import Path

from plumbing.sqlite import sqlite3


def snapshot(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with SQLite's online backup API: one consistent state of the database
    while its owner goes on writing (WAL or not), read through a read-only connection."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
