"""``sitegw regulator backup`` and ``restore``: the ledger's database and evidence folder into one archive
while the regulator serves, and back onto a fresh database (regulator/storage/backup.py says how and why)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from regulator.commands.opening import ensure_database
from regulator.storage.backup import BackupError
from regulator.storage.backup import backup as write_backup
from regulator.storage.backup import restore as read_backup
from regulator.storage.repository import default_evidence_dir

DB_HELP = "postgresql://USER@HOST:PORT/DB (production) or sqlite:///PATH (embedded)"


def _evidence(evidence_dir: str | None, db: str) -> Path | None:
    spec = str(evidence_dir or default_evidence_dir(db))
    if spec.startswith("s3://"):
        typer.echo(
            f"note: the evidence is in {spec}: keep it with the store's own versioning or replication; "
            "only the database is in this archive",
            err=True,
        )
        return None
    return Path(spec)


def backup(
    db: str = typer.Option(..., "--db", envvar="REGULATOR_DB", help=DB_HELP),
    evidence_dir: str | None = typer.Option(
        None, "--evidence-dir", help="the evidence folder `serve` uses (default: serve's default for --db)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="the archive to write (default: regulator-backup-<UTC time>.tar.gz here)"
    ),
) -> None:
    """Back up the regulator's ledger (PostgreSQL: pg_dump, one consistent instant while it serves; SQLite:
    its online backup) and evidence folder into one archive; copy it off the server."""
    target = out or Path(time.strftime("regulator-backup-%Y%m%dT%H%M%SZ.tar.gz", time.gmtime()))
    try:
        manifest = write_backup(db, _evidence(evidence_dir, db), target)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{target}: {manifest['engine']} ledger at schema {manifest['revision']}, "
        f"{manifest['evidence_files']} evidence files"
    )


def restore(
    archive: Path = typer.Argument(..., help="an archive `sitegw regulator backup` wrote"),
    db: str = typer.Option(..., "--db", envvar="REGULATOR_DB", help="an empty database: " + DB_HELP),
    evidence_dir: str | None = typer.Option(
        None, "--evidence-dir", help="a new or empty evidence folder (default: serve's default for --db)"
    ),
) -> None:
    """Restore a regulator backup into an empty database and evidence folder; then `serve` on them (an older
    release's ledger is upgraded at start; a newer one's is refused)."""
    ensure_database(db)  # a new server's database of the README's URL is not there yet
    try:
        manifest = read_backup(archive, db, _evidence(evidence_dir, db))
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"restored the ledger at schema {manifest['revision']} (sitegw {manifest['release']}) and "
        f"{manifest['evidence_files']} evidence files: start `sitegw regulator serve --db {db}`"
    )
