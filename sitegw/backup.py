"""A gateway's state folder backed up while it runs, and restored onto a fresh folder (a new disk, a new box).

What a backup holds: every SQLite database of the state folder (alerts, outbox, local store, users, uplink
positions, warnings, the self-check and safety-log queues, ...) copied with SQLite's online backup API, which
reads a consistent snapshot of each database while the gateway goes on writing (WAL or not), and every other
file (the InfluxDB spool, the patrol pictures and clips queued for the regulator, evidence, the jacking
heights): each a plain file that the gateway writes whole and renames into place. Not held: SQLite's own
``-wal``/``-shm``/``-journal`` files (folded into each snapshot) and the disk-full reserve, which the
gateway makes again at start.

Order matters between two databases: the alert manager writes each event to the alert store as pending,
hands it to the outbox (fsynced there), and only then marks it handed over (gateway/alerts/manager.py); at
start it offers the pending ones again. So the alert store is copied first and the outbox last: an event the
alert store's copy says was handed over is in the outbox's copy (or was delivered and pruned before), and one
it says is pending is offered again by the restored gateway. None is lost; some may be sent again, and the
regulator keeps each event once by its id and answers a second copy ``duplicate``, which counts as delivered,
so a restored gateway stores nothing twice at the regulator.

The archive is a gzipped tar with ``MANIFEST.json`` first: the release that wrote it, when, the state
folder it came from, and each file's size and SHA-256, checked again before a restore writes anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from contract import __version__
from plumbing.sqlite import sqlite3
from plumbing.sqlite_snapshot import snapshot

MANIFEST = "MANIFEST.json"
FORMAT = 1  # the archive's layout; a restore refuses a newer one
# SQLite's companions of a database, folded into its snapshot; the reserve is made again at start
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
SKIPPED_NAMES = frozenset({"reserve.bin"})
# copied first and last: see the module's docstring
FIRST, LAST = "alerts.sqlite", "outbox.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot be done as asked, with what to do."""


@dataclass(frozen=True, slots=True)
class Archived:
    """One file of a backup."""

    path: str  # relative to the state folder, with '/'
    size: int
    sha256: str
    sqlite: bool


def backup(state_dir: Path, out: Path) -> list[Archived]:
    """Write ``state_dir`` (a gateway's, running or not) to the archive ``out``; what it holds."""
    if not state_dir.is_dir():
        raise BackupError(f"{state_dir}: no such state folder (give the --state-dir the gateway runs with)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sitegw-backup-", dir=out.parent) as tmp:
        staged = Path(tmp)
        files = [_stage(state_dir, rel, staged) for rel in _ordered(state_dir)]
        held = [f for f in files if f is not None]
        manifest = {
            "format": FORMAT,
            "release": __version__,
            "created_at": time.time(),
            "state_dir": str(state_dir.resolve()),
            "files": [vars_of(f) for f in held],
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            for f in held:
                tar.add(staged / f.path, arcname=f"state/{f.path}", recursive=False)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        partial.replace(out)
    return held


def restore(archive: Path, state_dir: Path, force: bool = False) -> list[Archived]:
    """Restore ``archive`` into ``state_dir``, which must be empty or missing (``force``: its files are
    replaced), after checking every file against the manifest and every database's integrity; what it held.
    The gateway must not be running on ``state_dir``."""
    if state_dir.exists() and any(state_dir.iterdir()) and not force:
        raise BackupError(
            f"{state_dir} is not empty: restore into a new folder, or give --force to replace its files "
            "(stop the gateway first)"
        )
    with _opened(archive) as tar, tempfile.TemporaryDirectory(prefix=".sitegw-restore-") as tmp:
        files = _manifest_of(tar, archive)
        staged = Path(tmp)
        # the data filter refuses absolute paths, '..', links out of the folder and device files
        try:
            tar.extractall(staged, members=_members(tar, files), filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive}: cannot be read back ({exc})") from None
        for f in files:
            _verify(staged / "state" / f.path, f, archive)
        state_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            target = state_dir / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            for (
                suffix
            ) in SKIPPED_SUFFIXES:  # a stale WAL beside a restored database would be replayed into it
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            shutil.move(staged / "state" / f.path, target)
    return files


@contextmanager
def _opened(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed below: the open alone is what may fail)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive}: not a sitegw backup ({exc})") from None
    with tar:
        yield tar


def vars_of(f: Archived) -> dict[str, object]:
    return {"path": f.path, "size": f.size, "sha256": f.sha256, "sqlite": f.sqlite}


def _ordered(state_dir: Path) -> list[str]:
    """The files to hold, relative, the alert store first and the outbox last."""
    found = sorted(
        p.relative_to(state_dir).as_posix()
        for p in state_dir.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and p.name not in SKIPPED_NAMES
        and not p.name.endswith(SKIPPED_SUFFIXES)
        and not p.name.startswith(".sitegw-")
    )
    return sorted(found, key=lambda rel: (rel != FIRST, rel == LAST))


def _stage(state_dir: Path, rel: str, staged: Path) -> Archived | None:
    """Copy one file into ``staged`` (a database through SQLite's online backup); None if it vanished
    meanwhile (a queued picture delivered and deleted)."""
    source, target = state_dir / rel, staged / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        is_db = _is_sqlite(source)
        if is_db:
            snapshot(source, target)
        else:
            shutil.copyfile(source, target)
    except FileNotFoundError:
        return None
    return Archived(rel, target.stat().st_size, _sha256(target), is_db)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, io.BytesIO(data))


def _manifest_of(tar: tarfile.TarFile, archive: Path) -> list[Archived]:
    member = tar.next()
    if member is None or member.name != MANIFEST:
        raise BackupError(f"{archive}: no {MANIFEST} first: not a sitegw backup")
    raw = tar.extractfile(member)
    if raw is None or member.size > 64 << 20:
        raise BackupError(f"{archive}: {MANIFEST} unreadable")
    manifest = json.loads(raw.read())
    if manifest.get("format", 0) > FORMAT:
        raise BackupError(
            f"{archive} was written by sitegw {manifest.get('release')} in a newer format "
            f"({manifest['format']}): restore it with that release or a later one (this is {__version__})"
        )
    files = [Archived(f["path"], f["size"], f["sha256"], f["sqlite"]) for f in manifest["files"]]
    for f in files:
        parts = f.path.split("/")
        if f.path.startswith("/") or "\\" in f.path or any(part in ("", ".", "..") for part in parts):
            raise BackupError(f"{archive}: {f.path!r} is not a path inside a state folder: not restored")
    return files


def _members(tar: tarfile.TarFile, files: list[Archived]) -> Iterator[tarfile.TarInfo]:
    """The archive's members the manifest names, and nothing else."""
    wanted = {f"state/{f.path}" for f in files}
    for member in tar:
        if member.name in wanted:
            yield member


def _verify(path: Path, f: Archived, archive: Path) -> None:
    if not path.is_file() or path.stat().st_size != f.size or _sha256(path) != f.sha256:
        raise BackupError(
            f"{archive}: {f.path} is missing or damaged (its SHA-256 differs from the manifest)"
        )
    if f.sqlite:
        db = sqlite3.connect(path)
        try:
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
        finally:
            db.close()
        if verdict != "ok":
            raise BackupError(f"{archive}: database {f.path} fails SQLite's integrity check: {verdict}")
