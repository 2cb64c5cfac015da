"""``sitegw regulator video-set``: keep the provincial video-monitoring set from the command line (a batch of
inclusions after a meeting, a script), as the UI's 视频监控项目集 tab does: include (纳入) or change a
project's category, remove (移出) it, each with a reason and date, and print the set, its history, and the
patrol coverage of the last period (regulator/ledger/patrol_duty.py)."""

from __future__ import annotations

import typer

from regulator.commands.opening import DB_HELP, DEFAULT_DB, open_repo
from regulator.ledger.patrol_duty import PERIOD_DAYS, recent_coverage
from regulator.ledger.review import ReviewError
from regulator.ledger.video_set import CATEGORIES, Decision, changes, include, members, remove
from regulator.names import beijing_text
from regulator.storage.scope import Actor

video_set_app = typer.Typer(
    help="The provincial video-monitoring set (省级视频监控项目集): include, remove, list, history, coverage.",
    no_args_is_help=True,
)
DB = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP)
BY = typer.Option(..., "--by", help="who decided (kept in the history), e.g. 省厅 张三")
DAY = typer.Option("", "--date", help="the decision's day, yyyy-MM-dd, Beijing time (empty: today)")
REASON = typer.Option(..., "--reason", help="why (纳入/移出原因, kept in the history)")


def _decide(db: str, by: str, act: str, decision: Decision) -> None:
    repo = open_repo(db)
    try:
        done = (include if act == "include" else remove)(repo, Actor(by, "admin"), decision)
    except ReviewError as exc:
        typer.echo(exc.reason, err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    typer.echo(
        f"{done['effective_on']} {done['action_name']} {done['project']} {done['name']}: {done['category_name']}"
    )


@video_set_app.command("include")
def include_project(
    project: str = typer.Argument(..., help="the project's code"),
    category: str = typer.Option(
        ..., "--category", help=", ".join(f"{k} ({v})" for k, v in CATEGORIES.items())
    ),
    reason: str = REASON,
    by: str = BY,
    day: str = DAY,
    db: str = DB,
) -> None:
    """Put a project in the set with its category (or change its category)."""
    _decide(db, by, "include", Decision(project, reason, day, category))


@video_set_app.command("remove")
def remove_project(
    project: str = typer.Argument(..., help="the project's code"),
    reason: str = REASON,
    by: str = BY,
    day: str = DAY,
    db: str = DB,
) -> None:
    """Take a project out of the set (its history stays)."""
    _decide(db, by, "remove", Decision(project, reason, day))


@video_set_app.command("list")
def list_members(db: str = DB) -> None:
    """The set's projects now, by category then code."""
    repo = open_repo(db)
    try:
        found = members(repo, Actor("cli", "admin"))
    finally:
        repo.close()
    for m in found:
        typer.echo(
            f"{m['project']}\t{m['name']}\t{m['city']}/{m['district']}\t{m['category_name']}\t{m['effective_on']}"
        )
    typer.echo(f"{len(found)} projects in the set")


@video_set_app.command("history")
def history(
    project: str = typer.Argument("", help="one project's history (empty: every project's)"), db: str = DB
) -> None:
    """Every inclusion, change of category and removal, oldest first, with its reason, date and decider."""
    repo = open_repo(db)
    try:
        found = changes(repo, Actor("cli", "admin"), project or None)
    finally:
        repo.close()
    for c in found:
        typer.echo(
            f"{c['effective_on']}\t{c['action_name']}\t{c['project']}\t{c['category_name']}\t{c['reason']}\t"
            f"{c['decided_by']}"
        )


@video_set_app.command("coverage")
def coverage(
    days: float = typer.Option(PERIOD_DAYS, "--days", help="the period: each project seen once in it"),
    db: str = DB,
) -> None:
    """The set's projects seen by a patrol in the last --days, and those not seen (exit 1 if any)."""
    repo = open_repo(db)
    try:
        found = recent_coverage(repo, Actor("cli", "admin"), days)
    finally:
        repo.close()
    for m in found["unseen"]:
        typer.echo(f"未巡查\t{m['project']}\t{m['name']}\t{m['city']}/{m['district']}\t{m['category_name']}")
    for m in found["covered"]:
        typer.echo(
            f"已巡查\t{m['project']}\t{m['name']}\t{beijing_text(m['last_seen_at'])[:16]}\t{m['last_seen_by']}"
        )
    typer.echo(f"{found['seen']} of {found['total']} projects of the set seen in the last {days:g} days")
    if found["unseen"]:
        raise typer.Exit(1)
