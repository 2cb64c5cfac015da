"""Command functions of ``sitegw regulator ...`` (registered on the CLI by sitegw/cli.py)."""

from __future__ import annotations

import asyncio
import difflib
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import uvloop

from plumbing.model_options import options_from
from regulator.commands.opening import DB_HELP, DEFAULT_DB, MIN_SECRET
from regulator.commands.opening import open_repo as _repo
from regulator.serve_settings import ServeSettings
from regulator.storage.db import normalise_url
from regulator.storage.evidence import (
    EvidenceConfigError,
    EvidenceUnavailable,
    PictureStore,
)
from regulator.storage.evidence_spec import open_evidence_store
from regulator.storage.jurisdictions import SEP, UNPLACED_PROVINCE
from regulator.storage.repository import default_evidence_dir

if TYPE_CHECKING:
    from regulator.forwarding.sender import ForwardLink


def _pictures(spec: str | Path, s3_endpoint: str | None) -> PictureStore:
    """The evidence store, checked (bucket there, credentials accepted, folder writable); exit 2 if not."""
    try:
        store = open_evidence_store(spec, s3_endpoint)
        store.check()
    except (EvidenceConfigError, EvidenceUnavailable) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    return store


@options_from(ServeSettings)
def serve(settings: ServeSettings) -> None:
    """Run the regulator's service: gateways' ingest (POST /api/v1/events, ...) and the review UI at /."""
    # a clear error for a bad --db (and the schema migrated once, unless read-only) before anything listens
    _repo(settings.db, settings.read_only).close()
    forward = _forward_link(settings)
    # the workers are handed the store's resolved place: they must not each work it out again
    settings = settings.model_copy(
        update={"evidence_dir": str(settings.evidence_dir or default_evidence_dir(settings.db))}
    )
    pictures = _pictures(settings.evidence_dir, settings.s3_endpoint or None)
    if settings.workers > 1:
        _serve_workers(settings, pictures)
    else:
        _serve_one(settings, pictures, forward)


def _serve_one(settings: ServeSettings, pictures: PictureStore, forward: ForwardLink | None) -> None:
    """The regulator in this process until SIGINT/SIGTERM or its server failing; exit 1 if it cannot listen."""
    from plumbing.heap import settle_startup_heap
    from plumbing.stop_signals import stop_requested
    from regulator.server import RegulatorServer

    async def _run() -> None:
        with stop_requested() as stop:
            await _serve_until_stopped(stop)

    async def _serve_until_stopped(stop: asyncio.Event) -> None:
        server = RegulatorServer(
            settings.db,
            settings.host,
            settings.port,
            evidence_dir=pictures,
            policy=settings.deadline_policy(),
            offline_after_s=settings.offline_after_s,
            warning_hold_s=settings.warning_hold_s,
            max_body_mb=settings.max_body_mb,
            listing=settings.listing_policy(),
            public_limits=settings.public_limits(),
            forwarded_allow_ips=settings.forwarded_allow_ips,
            login_policy=settings.login_policy(),
            secure_cookies=settings.secure_cookies,
            followup=settings.followup_policy(),
            log_policy=settings.log_policy(),
            forward=forward,
            read_only=settings.read_only_setting(),
        )
        await server.start()
        settle_startup_heap()
        typer.echo(
            f"regulator on {server.base_url}/ (review UI), {_writes(settings, server.base_url)} "
            f"(db {settings.db}, evidence in {pictures.describe()})"
        )
        try:
            # SIGINT/SIGTERM (Ctrl-C, systemd) or the server failing by itself, whichever comes first
            stopped = asyncio.ensure_future(server.wait())
            await asyncio.wait([stopped, asyncio.ensure_future(stop.wait())], return_when="FIRST_COMPLETED")
        finally:
            await server.stop()

    try:
        uvloop.run(_run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        typer.echo(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def _writes(settings: ServeSettings, base_url: str) -> str:
    """Where writes go, as serve's first line says: the gateways' ingest, or a standby's primary."""
    if settings.read_only:
        return f"read-only: writes go to {settings.primary_url or 'the primary'}"
    return f"gateways POST {base_url}/api/v1/events"


def _forward_link(settings: ServeSettings) -> ForwardLink | None:
    """The city's link to its province from serve's --forward-* options (None without --forward-to); exit 2
    naming what is missing or wrong."""
    url = settings.forward_to
    if not url:
        return None
    from regulator.forwarding.sender import ForwardLink

    problems = [
        f"{option} is missing"
        for option, value in (
            ("--forward-id", settings.forward_id),
            ("--forward-secret", settings.forward_secret),
            ("--forward-jurisdiction", settings.forward_jurisdiction),
        )
        if not value
    ]
    if not url.startswith(("http://", "https://")):
        problems.append(f"--forward-to {url!r} is not an http(s) URL")
    if not normalise_url(settings.db).startswith("postgresql"):
        problems.append("forwarding runs on PostgreSQL only: --db postgresql://USER@HOST:PORT/DB")
    if settings.workers > 1:
        problems.append("forwarding runs in one process: leave --workers at 1")
    if settings.read_only:
        problems.append("a --read-only process changes nothing: forward from the primary's process")
    if problems:
        typer.echo(
            "cannot forward to the province: " + "; ".join(problems) + " (the province registers the city "
            "with `sitegw regulator add-city ID --jurisdiction 省/市` and prints its key)",
            err=True,
        )
        raise typer.Exit(2)
    return ForwardLink(url, settings.forward_id, settings.forward_secret, settings.forward_jurisdiction)


def _serve_workers(settings: ServeSettings, pictures: PictureStore) -> None:
    from regulator.asgi import serve_workers

    base_url = f"http://{settings.host}:{settings.port}"
    typer.echo(
        f"regulator on {base_url}/ (review UI) in {settings.workers} worker processes, "
        f"{_writes(settings, base_url)} (db {settings.db}, evidence in {pictures.describe()})"
    )
    try:
        serve_workers(settings)
    except OSError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def add_project(
    code: str = typer.Argument(..., help="project code, e.g. GD-SZ-2026-0001"),
    name: str = typer.Option(..., "--name", help="project name"),
    city: str = typer.Option("", "--city", help="city, e.g. 深圳"),
    secret: str = typer.Option(
        "",
        "--secret",
        envvar="REGULATOR_SECRET",
        help=f"the project's signing secret, at least {MIN_SECRET} characters (left out: a new project gets "
        "a random one, printed once; a registered project keeps its own)",
    ),
    district: str = typer.Option("", "--district", help="district, e.g. 南山区"),
    contractor: str = typer.Option("", "--contractor", help="main contractor (施工总承包单位)"),
    supervisor: str = typer.Option("", "--supervisor", help="supervision company (监理单位)"),
    province: str = typer.Option(
        "",
        "--province",
        help="province, where the city is not in the map's table (regulator/places.py), e.g. 广西壮族自治区",
    ),
    lat: float | None = typer.Option(None, "--lat", help="the site's latitude, WGS-84 degrees, e.g. 22.53"),
    lon: float | None = typer.Option(None, "--lon", help="the site's longitude, WGS-84 degrees, e.g. 113.93"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Register a project (or change its details and secret) so its gateway's requests are accepted; it sits in the district its city and district name."""
    if secret and len(secret) < MIN_SECRET:
        typer.echo(
            f"--secret is {len(secret)} characters: at least {MIN_SECRET}, as anyone who guesses it can post "
            "alerts in this project's name; leave it out to have one made, or use `openssl rand -hex 16`",
            err=True,
        )
        raise typer.Exit(2)
    from regulator.geo.project_map import BadCoordinates, check, locate

    try:
        where = check(lat, lon)
    except BadCoordinates as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    repo = _repo(db)
    try:
        registered = repo.project(code)
        made = not secret and registered is None
        if not secret:
            secret = registered.secret if registered is not None else secrets.token_hex(16)
        place = repo.add_project(code, name, city, secret, district, contractor, province, supervisor)
        if where is not None:
            locate(repo, code, *where)
    finally:
        repo.close()
    typer.echo(f"project {code} registered in {db}, jurisdiction {place}")
    if made:
        typer.echo(
            f"its secret, shown only now (the gateway's --regulator-secret or uplink secret): {secret}"
        )
    if place.startswith(UNPLACED_PROVINCE + SEP):
        typer.echo(_unknown_city_hint(city), err=True)


def _unknown_city_hint(city: str) -> str:
    """Why a project went to 未定省份 and the option that files it in its province."""
    from regulator.places import CITIES

    names = [c.name for c in CITIES] + [c.pinyin for c in CITIES]
    close = difflib.get_close_matches(city.strip().removesuffix("市").lower(), names, n=1)
    maybe = f"did you mean --city {close[0]}? or " if close else ""
    return (
        f"warning: city {city!r} is not in the map's table (regulator/places.py), so the project is filed "
        f"under {UNPLACED_PROVINCE}, where only admins and regulators with --all see it; {maybe}give "
        "its province, e.g. --province 广西壮族自治区"
    )


def add_place(
    path: str = typer.Argument(..., help="省/市/区县 from the province down, e.g. 广东省/深圳市/宝安区"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Add a jurisdiction (省/市/区县) before any project there is registered, for add-user --jurisdiction."""
    from regulator.storage.jurisdictions import UnknownPlace, add

    repo = _repo(db)
    try:
        with repo.engine.begin() as conn:
            place = add(conn, path)
    except UnknownPlace as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    typer.echo(f"jurisdiction {place.path} ({place.level}) in {db}")


def add_user(
    username: str = typer.Argument(..., help="sign-in name"),
    role: str = typer.Option(..., "--role", help="regulator, project or admin"),
    password: str = typer.Option(
        ...,
        "--password",
        envvar="REGULATOR_PASSWORD",
        prompt=True,
        hide_input=True,
        help="at least 8 characters of 2 kinds (letters, digits, others)",
    ),
    project: str | None = typer.Option(None, "--project", help="the project a project user reports for"),
    jurisdiction: str | None = typer.Option(
        None,
        "--jurisdiction",
        help="a regulator's place: 省/市/区县 from the province down, e.g. 广东省/深圳市/南山区 "
        "(a district), 广东省/深圳市 (a city) or 广东省; they see only the projects under it "
        "(a regulator needs it, or --all)",
    ),
    every_project: bool = typer.Option(
        False,
        "--all",
        help="a regulator without a jurisdiction, who sees every project of every province (a ministry's)",
    ),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Create a user of the review UI (or reset their password, role and jurisdiction)."""
    from regulator.access.auth import Accounts, AuthError

    _check_reach(role, jurisdiction, every_project)
    repo = _repo(db)
    try:
        saved = Accounts(repo).add_user(username, password, role, project, jurisdiction=jurisdiction)
    except AuthError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    place = saved.jurisdiction
    sees = (
        f"jurisdiction {place}" if place else ("every project" if role != "project" else f"project {project}")
    )
    typer.echo(f"user {username} ({role}, {sees}) saved in {db}")
    if saved.enrolment_code:
        _tell_enrolment_code(username, saved.enrolment_code)


def enrolment_code(
    username: str = typer.Argument(..., help="the regulator or admin user who is to enrol a second factor"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Issue a new one-time enrolment code for an authority user's second factor (a first enrolment, or an
    expired code); an earlier code stops working. A lost phone: `add-user` resets the account instead."""
    from regulator.access.auth import Accounts, AuthError

    repo = _repo(db)
    try:
        code = Accounts(repo).issue_enrolment_code(username, "cli")
    except AuthError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    _tell_enrolment_code(username, code)


def _tell_enrolment_code(username: str, code: str) -> None:
    from regulator.access.second_factor import ENROLMENT_TTL_S

    typer.echo(
        f"enrolment code of {username}'s second factor (绑定码, one use, {ENROLMENT_TTL_S / 3600:.0f} h): {code}\n"
        "hand it over in person or by a channel other than the password's; they type it on the enrolment "
        "screen at their first sign-in"
    )


def _check_reach(role: str, jurisdiction: str | None, every_project: bool) -> None:
    """A regulator sees only their jurisdiction: one left out by mistake would see every project, so that
    takes --all, said out loud (exit 2 with the fix otherwise)."""
    if every_project and role != "regulator":
        typer.echo("--all is for --role regulator (an admin sees every project anyway)", err=True)
        raise typer.Exit(2)
    if every_project and jurisdiction:
        typer.echo("give either --jurisdiction or --all, not both", err=True)
        raise typer.Exit(2)
    if role == "regulator" and not jurisdiction and not every_project:
        typer.echo(
            "a regulator user needs --jurisdiction 省/市/区县 (e.g. 广东省/深圳市/南山区): they see only the "
            "projects under it; --all gives them every project of every province instead",
            err=True,
        )
        raise typer.Exit(2)
    if every_project:
        typer.echo("warning: this regulator user sees every project of every province (--all)", err=True)


def unlock_user(
    username: str = typer.Argument(..., help="the locked user's sign-in name"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Lift a user's lockout after failed sign-ins (recorded in the sign-in audit trail)."""
    from regulator.access.auth import Accounts

    repo = _repo(db)
    try:
        was = Accounts(repo).unlock(username, "cli")
    finally:
        repo.close()
    typer.echo(f"user {username} unlocked" if was else f"user {username} was not locked (recorded anyway)")


def monthly_report(
    month: str = typer.Argument(..., help="the month, yyyy-MM (Beijing time), e.g. 2026-11"),
    place: str = typer.Option(
        "", "--place", help="the jurisdiction, 省/市/区县 from the province down (empty: every project)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="where to write the PDF (default: 隐患月报_<place>_<month>.pdf here)"
    ),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Write a jurisdiction's monthly report (隐患排查治理月报) as PDF, as the UI's 月报 PDF makes it."""
    from plumbing.cjk_pdf import ReportError
    from regulator.inspections.coverage import monthly_figures
    from regulator.ledger.review import ReviewError
    from regulator.reports.report_pdf import render
    from regulator.storage.jurisdictions import UnknownPlace, find
    from regulator.storage.scope import Actor

    repo = _repo(db)
    try:
        path = ""
        if place.strip():
            with repo.engine.connect() as conn:
                path = find(conn, place).path
        fig = monthly_figures(repo, Actor("cli", "admin", None, path or None), month)
        pdf = render(fig)
    except (UnknownPlace, ReviewError, ReportError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    target = out or Path(f"隐患月报_{fig.place.replace('/', '')}_{month}.pdf")
    target.write_bytes(pdf)
    typer.echo(
        f"{fig.title}: {fig.found} hazards found, {fig.closed} closed, {fig.overdue} overdue -> {target}"
    )


def add_record(
    project: str = typer.Argument(..., help="project code, e.g. GD-SZ-2026-0001"),
    kind: str = typer.Option(
        ...,
        "--kind",
        help="deduction (动态扣分), stop_work (责令停工), inspection (监督检查) or report (月度报告)",
    ),
    on: str = typer.Option("", "--on", help="the day it happened, yyyy-MM-dd (Beijing time; default: now)"),
    company: str = typer.Option("", "--company", help="a deduction's company (被扣分企业)"),
    points: float = typer.Option(0.0, "--points", help="a deduction's points"),
    note: str = typer.Option("", "--note", help="the decision's number, what was found"),
    lift: int | None = typer.Option(
        None, "--lift", help="instead: the id of a stop-work order lifted (复工) on --on"
    ),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Record a supervision fact the campaign's grading needs (动态扣分, 责令停工, 监督检查, 月度报告), or lift a stop-work order."""
    from datetime import datetime

    from regulator.ledger import enforcement
    from regulator.ledger.review import ReviewError
    from regulator.names import BEIJING
    from regulator.storage.scope import Actor

    try:
        at = datetime.strptime(on, "%Y-%m-%d").replace(tzinfo=BEIJING).timestamp() if on else time.time()
    except ValueError:
        typer.echo(f"--on {on!r}: give the day as yyyy-MM-dd, e.g. --on 2026-11-20", err=True)
        raise typer.Exit(2) from None
    repo = _repo(db)
    actor = Actor("cli", "admin")
    try:
        if lift is not None:
            enforcement.lift(repo, actor, lift, at)
            typer.echo(f"stop-work order #{lift} lifted")
        else:
            entry = enforcement.Entry(project, kind, at, company, points, note)
            typer.echo(
                f"{enforcement.KINDS.get(kind, kind)} #{enforcement.record(repo, actor, entry)} recorded"
            )
    except ReviewError as exc:
        typer.echo(exc.reason, err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
