"""A regulator's database and evidence folder into one archive while it serves, and back onto a fresh
database and folder (docs/regulator/index.md, "Backup and restore").

PostgreSQL is dumped with ``pg_dump --format=custom``: one repeatable-read transaction, so the dump is the
ledger as it stood at one instant while the service goes on writing; a bureau's ledger (hundreds of sites,
a few GB) dumps in minutes, restores on any later PostgreSQL, and needs nothing set up beforehand. What it
cannot give is the minutes between two dumps: a primary's lost disk is covered by the synchronous standby
(deploy/pg_auto_failover), and a bureau that must get back to any instant adds continuous WAL archiving with
``pg_basebackup`` (the procedure is on that page). SQLite (the embedded regulator) is copied with its online
backup API. The database is taken before the evidence folder: evidence files are written before the rows
that name them and never rewritten, so every file the dump names is in the folder's later copy.

A restore goes only into an empty database and a new or empty evidence folder, and refuses a dump of a
schema newer than this release knows (restore it with that release). An older one is upgraded by the
migrations when the regulator next starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from contract import __version__
from plumbing.sqlite_snapshot import snapshot
from regulator.storage.db import create_engine, current, head, known, normalise_url

MANIFEST = "MANIFEST.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done as asked, with what to do."""


def backup(db: str, evidence_dir: Path | None, out: Path) -> dict[str, object]:
    """Write the regulator's database ``db`` (and its local ``evidence_dir``, if any) to ``out``; the
    manifest."""
    url = normalise_url(db)
    engine = create_engine(url)
    try:
        revision = current(engine)
    finally:
        engine.dispose()
    if revision is None:
        raise BackupError(f"{db}: no regulator schema there (is it the database `serve --db` uses?)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".regulator-backup-", dir=out.parent) as tmp:
        staged = Path(tmp)
        engine_name = make_url(url).get_backend_name()
        if engine_name == "postgresql":
            _pg(
                url,
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(staged / "db.dump"),
            )
        else:
            snapshot(Path(make_url(url).database or ""), staged / "db.sqlite")
        evidence = sorted(p for p in evidence_dir.rglob("*") if p.is_file()) if evidence_dir else []
        manifest: dict[str, object] = {
            "format": FORMAT,
            "release": __version__,
            "created_at": time.time(),
            "engine": engine_name,
            "revision": revision,
            "evidence_files": len(evidence),
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False).encode()
            (staged / MANIFEST).write_bytes(body)
            tar.add(staged / MANIFEST, arcname=MANIFEST)
            dumped = "db.dump" if engine_name == "postgresql" else "db.sqlite"
            tar.add(staged / dumped, arcname=dumped)
            for path in evidence:
                assert evidence_dir is not None
                tar.add(
                    path, arcname=f"evidence/{path.relative_to(evidence_dir).as_posix()}", recursive=False
                )
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        partial.replace(out)
    return manifest


def restore(archive: Path, db: str, evidence_dir: Path | None) -> dict[str, object]:
    """Restore ``archive`` into the empty database ``db`` and the new or empty ``evidence_dir``; the manifest."""
    url = normalise_url(db)
    if _holds_tables(url):
        raise BackupError(
            f"{db} is not empty: restore into a new database (createdb, or a new SQLite path), never over "
            "a live ledger"
        )
    if evidence_dir is not None and evidence_dir.exists() and any(evidence_dir.iterdir()):
        raise BackupError(f"{evidence_dir} is not empty: restore the evidence into a new folder")
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive}: not a regulator backup ({exc})") from None
    with tar, tempfile.TemporaryDirectory(prefix=".regulator-restore-") as tmp:
        staged = Path(tmp)
        try:
            tar.extractall(staged, filter="data")  # refuses '..', absolute paths and links out of the folder
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive}: cannot be read back ({exc})") from None
        manifest = _manifest(staged, archive)
        engine_name = make_url(url).get_backend_name()
        if manifest["engine"] != engine_name:
            raise BackupError(
                f"{archive} holds a {manifest['engine']} database; restore it into a {manifest['engine']} "
                f"URL, not {engine_name} (moving between engines is not a restore)"
            )
        if engine_name == "postgresql":
            _pg(
                url,
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(staged / "db.dump"),
                dbname_flag=True,
            )
        else:
            target = Path(make_url(url).database or "")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / "db.sqlite", target)
        if evidence_dir is not None and (staged / "evidence").is_dir():
            evidence_dir.mkdir(parents=True, exist_ok=True)
            shutil.copytree(staged / "evidence", evidence_dir, dirs_exist_ok=True)
    return manifest


def _holds_tables(url: str) -> bool:
    """Whether the database at ``url`` holds any table (a SQLite file not there yet holds none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return False
    engine = create_engine(url)
    try:
        return bool(sa.inspect(engine).get_table_names())
    except sa.exc.OperationalError as exc:  # server down, a wrong password: said, not a traceback
        shown = parsed.render_as_string(hide_password=True)
        raise BackupError(f"cannot open {shown}: {str(exc.orig).strip().splitlines()[-1]}") from None
    finally:
        engine.dispose()


def _manifest(staged: Path, archive: Path) -> dict[str, object]:
    try:
        manifest: dict[str, object] = json.loads((staged / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{archive}: no readable {MANIFEST}: not a regulator backup") from None
    if int(str(manifest.get("format", 0))) > FORMAT:
        raise BackupError(
            f"{archive} was written by sitegw {manifest.get('release')} in a newer format: restore it with that "
            f"release or a later one (this is {__version__})"
        )
    if not known(str(manifest.get("revision"))):
        raise BackupError(
            f"{archive} holds a ledger at schema {manifest.get('revision')}, newer than this release knows "
            f"(its newest is {head()}): restore it with sitegw {manifest.get('release')} or later"
        )
    return manifest


def _pg(url: str, tool: str, *args: str, dbname_flag: bool = False) -> None:
    """Run a PostgreSQL client tool on ``url``'s database (its password in the environment, not the command
    line a process listing shows)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} not found: install PostgreSQL's client tools (apt-get install postgresql-client)"
        )
    where = ["--dbname", libpq] if dbname_flag else [libpq]
    done = subprocess.run([tool, *args, *where], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")
