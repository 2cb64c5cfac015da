"""``sitegw backup`` and ``sitegw restore``: a gateway's state folder into one archive while it runs, and back
onto a fresh folder (sitegw/backup.py says what is held and why it is consistent)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from sitegw.backup import BackupError
from sitegw.backup import backup as write_backup
from sitegw.backup import restore as read_backup


def backup(
    state_dir: Path = typer.Option(..., "--state-dir", help="the gateway's state folder (running or not)"),
    out: Path | None = typer.Option(
        None, "--out", help="the archive to write (default: sitegw-backup-<UTC time>.tar.gz here)"
    ),
) -> None:
    """Back up a gateway's state (alerts, outbox, local store, users, queued pictures and clips, spool) into
    one archive, consistent while the gateway runs; copy it off the box."""
    target = out or Path(time.strftime("sitegw-backup-%Y%m%dT%H%M%SZ.tar.gz", time.gmtime()))
    try:
        held = write_backup(state_dir, target)
    except (BackupError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    databases = sum(f.sqlite for f in held)
    size = sum(f.size for f in held)
    typer.echo(f"{target}: {len(held)} files ({databases} databases), {size / 1e6:.1f} MB before compression")


def restore(
    archive: Path = typer.Argument(..., help="an archive `sitegw backup` wrote"),
    state_dir: Path = typer.Option(..., "--state-dir", help="the folder to restore into: new or empty"),
    force: bool = typer.Option(False, "--force", help="replace the files of a folder that is not empty"),
) -> None:
    """Restore a gateway's state from a backup onto a new or empty folder (stop the gateway first), every
    file checked against the archive's manifest and every database's integrity; then start `sitegw run`
    with that --state-dir: what was not delivered is sent, and the regulator keeps nothing twice."""
    try:
        held = read_backup(archive, state_dir, force)
    except (BackupError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"restored {len(held)} files into {state_dir}: start the gateway with --state-dir {state_dir}")
