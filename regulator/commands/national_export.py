"""``sitegw regulator national-export``: the national platform's exchange package of a period from the
command line, as the UI's 全国平台报送 page makes it, and marking a package sent (which stops the 48 h clock
of each accident in it; regulator/reports/national_packages.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from regulator.commands.opening import DB_HELP, DEFAULT_DB, open_repo
from regulator.ledger.incidents import HOUR_S, Incidents
from regulator.ledger.review import Review, ReviewError
from regulator.ledger.supervision import Supervision
from regulator.names import BEIJING
from regulator.reports import national_export as ne
from regulator.reports.national_packages import NationalExports, Sending
from regulator.storage.jurisdictions import UnknownPlace, find
from regulator.storage.scope import Actor


def _sent_at(text: str) -> float | None:
    """``yyyy-MM-dd HH:mm`` Beijing time as Unix seconds (empty: None, now); exit 2 naming the fix."""
    if not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING).timestamp()
    except ValueError:
        typer.echo(
            f"--sent-at {text!r}: give yyyy-MM-dd HH:mm (Beijing time), e.g. 2026-12-02 09:30", err=True
        )
        raise typer.Exit(2) from None


def national_export(
    first: str = typer.Option("", "--from", help="the period's first day, yyyy-MM-dd (Beijing time)"),
    until: str = typer.Option(
        "", "--to", help="the day after its last, yyyy-MM-dd: the period is [from, to)"
    ),
    place: str = typer.Option(
        "", "--place", help="the jurisdiction, 省/市/区县 from the province down (empty: every project)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="where to write the zip (default: 全国平台交换包_<place>_<from>_<to>.zip here)"
    ),
    mark_sent: str = typer.Option(
        "",
        "--mark-sent",
        help="instead: the id of a package uploaded to the national platform; each accident in it is reported "
        "there (its 48 h clock stops, 迟报 if past it)",
    ),
    sent_by: str = typer.Option("", "--sent-by", help="with --mark-sent: who uploaded it (报送人)"),
    sent_at: str = typer.Option(
        "", "--sent-at", help="with --mark-sent: when, yyyy-MM-dd HH:mm Beijing time (default: now)"
    ),
    by: str = typer.Option("cli", "--by", help="the user recorded as making or marking the package"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Write the national platform's exchange package of a period (全国平台数据交换包: projects, hazards, 挂牌督办, accidents, enforcement; JSON and XLSX with the fields' meanings), or mark one sent."""
    when = _sent_at(sent_at)
    repo = open_repo(db)
    try:
        review = Review(repo)
        desk = NationalExports(review, Supervision(repo, review), Incidents(repo))
        if mark_sent:
            done = desk.mark_sent(Actor(by, "admin"), mark_sent, Sending(sent_by, when))
            typer.echo(f"{done['id']} marked sent {done['sent_at_text']} by {done['sent_by']}")
            for a in done["accidents"]:
                late = f"（迟{a['late_s'] / HOUR_S:.1f}小时）" if a["late_s"] else ""
                typer.echo(f"  #{a['id']} {a['project_name']} {a['kind_name']}: {a['state_name']}{late}")
            return
        path = ""
        if place.strip():
            with repo.engine.connect() as conn:
                path = find(conn, place).path
        package = desk.produce(Actor(by, "admin", None, path or None), ne.period(first, until))
    except (UnknownPlace, ReviewError) as exc:
        typer.echo(getattr(exc, "reason", str(exc)), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    target = out or Path(package.filename)
    target.write_bytes(package.zip)
    counts = ", ".join(f"{k} {n}" for k, n in package.counts.items())
    typer.echo(f"{package.id}: {counts} -> {target} (sha256 {package.sha256})")
