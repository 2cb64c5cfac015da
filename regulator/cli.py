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

from regulator.channels.public import PER_DISTRICT, PER_NETWORK, PER_SENDER, TOTAL
from regulator.commands.opening import DB_HELP, DEFAULT_DB, MIN_SECRET
from regulator.commands.opening import open_repo as _repo
from regulator.routes.body_limit import DEFAULT_MAX_BODY_MB
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
    from regulator.asgi import ServeSettings
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


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8700, "--port", help="TCP port"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
    evidence_dir: str = typer.Option(
        "",
        "--evidence-dir",
        envvar="REGULATOR_EVIDENCE_DIR",
        help="where evidence pictures are kept: a folder (default: next to a SQLite "
        "file, ./regulator-evidence for PostgreSQL) or s3://BUCKET/PREFIX in an "
        "S3-compatible store (MinIO, OSS, COS, S3; credentials from "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)",
    ),
    s3_endpoint: str = typer.Option(
        "",
        "--s3-endpoint",
        envvar="REGULATOR_S3_ENDPOINT",
        help="URL of the S3-compatible store of an s3:// --evidence-dir, e.g. "
        "http://minio.local:9000 (default: AWS_ENDPOINT_URL, else AWS S3)",
    ),
    general_days: float = typer.Option(7.0, "--general-days", help="default rectification deadline, days"),
    major_days: float = typer.Option(
        15.0, "--major-days", help="deadline of a major hazard (挂牌督办), days"
    ),
    county_listing_days: float = typer.Option(
        30.0,
        "--county-listing-days",
        min=0.01,
        help="listed supervision (挂牌督办): a major hazard's county (district) listing deadline, days "
        "(the plans' 县级30日); unanswered past it, it goes up to the city",
    ),
    city_listing_days: float = typer.Option(
        60.0,
        "--city-listing-days",
        min=0.01,
        help="the city listing's deadline, days (the plans' 市级60日); unanswered past it, to the province",
    ),
    investigation_days: float = typer.Option(
        60.0,
        "--investigation-days",
        min=0.01,
        help="an accident whose investigation is not finished this many days after it happened is proposed "
        "for listed supervision or a higher-level investigation (国务院令第493号第二十九条: 60 days)",
    ),
    penalty_days: float = typer.Option(
        75.0,
        "--penalty-days",
        min=0.01,
        help="the same for its penalty (第三十二条: decided within 15 days of the investigation's report)",
    ),
    log_due_hours: float = typer.Option(
        12.0,
        "--log-due-hours",
        min=0.0,
        help="a site's daily safety log (施工安全日志) is due this many hours after its day ends (Beijing "
        "time; 12: noon the next day); one signed later is listed late",
    ),
    log_grace_hours: float = typer.Option(
        24.0,
        "--log-grace-hours",
        min=0.0,
        help="a safety log still missing this many hours after it was due becomes an ordinary hazard",
    ),
    offline_after_min: float = typer.Option(
        10.0, "--offline-after-min", help="a project is offline after this long without a request"
    ),
    warning_hold_min: float = typer.Option(
        10.0,
        "--warning-hold-min",
        min=0.0,
        help="flood control: a warning the site resolves within this many minutes is only counted "
        "(per project and rule), one open longer becomes a hazard; alarms always do (0: every warning)",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="API processes on the one port (about 1,000 events/s each, CPU permitting); "
        "uvicorn restarts one that dies",
    ),
    max_body_mb: float = typer.Option(
        DEFAULT_MAX_BODY_MB,
        "--max-body-mb",
        min=0.01,
        help="larger request bodies (an event with its base64 evidence JPEG, a rectification photo) "
        "are refused with 413 before they are read",
    ),
    public_per_hour: int = typer.Option(
        PER_SENDER,
        "--public-per-hour",
        min=1,
        help="public reports (/public/report) taken per source address an hour",
    ),
    public_total_per_hour: int = typer.Option(
        TOTAL, "--public-total-per-hour", min=1, help="public reports taken an hour from everyone together"
    ),
    public_per_network_per_hour: int = typer.Option(
        PER_NETWORK,
        "--public-per-network-per-hour",
        min=1,
        help="public reports taken an hour from one network (an IPv4 /24, an IPv6 /48)",
    ),
    public_per_district_per_hour: int = typer.Option(
        PER_DISTRICT,
        "--public-per-district-per-hour",
        min=1,
        help="public reports into one district an hour past which a sender's second report is refused "
        "(a sender's first report always counts as received)",
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="reverse proxies (addresses, comma-separated, or *) whose X-Forwarded-For names the client, "
        "so the public form's per-address limit counts the sender, not the proxy; '' trusts none",
    ),
    lock_after: int = typer.Option(
        5, "--lock-after", min=1, help="failed sign-ins in a row that lock a user name (unlock-user lifts it)"
    ),
    lock_min: float = typer.Option(30.0, "--lock-min", min=0.1, help="how long a lockout lasts, minutes"),
    session_idle_min: float = typer.Option(
        30.0, "--session-idle-min", min=0.1, help="a session unused this long ends (sign in again), minutes"
    ),
    password_min_length: int = typer.Option(8, "--password-min-length", min=8, help="characters at least"),
    password_classes: int = typer.Option(
        2,
        "--password-classes",
        min=1,
        max=4,
        help="kinds of character a password needs: of lower-case, upper-case, digits, others (3 for 等保三级 "
        "practice)",
    ),
    password_max_age_days: float = typer.Option(
        90.0, "--password-max-age-days", min=0, help="a password older than this must be changed (0: never)"
    ),
    forward_to: str = typer.Option(
        "",
        "--forward-to",
        envvar="REGULATOR_FORWARD_TO",
        help="a city's platform: forward the ledger to the province's regulator at this URL, e.g. "
        "https://province.example/ (PostgreSQL only; docs/regulator/chain.md)",
    ),
    forward_id: str = typer.Option("", "--forward-id", help="this city's id at the province (its add-city)"),
    forward_secret: str = typer.Option(
        "", "--forward-secret", envvar="REGULATOR_FORWARD_SECRET", help="this city's key at the province"
    ),
    forward_jurisdiction: str = typer.Option(
        "",
        "--forward-jurisdiction",
        help="this city's place, 省/市, as the province registered it, e.g. 广东省/深圳市",
    ),
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--plain-cookies",
        help="the session cookie's Secure flag: always, or never (default: when the request came over TLS, "
        "directly or by a --forwarded-allow-ips proxy's X-Forwarded-Proto)",
    ),
    require_second_factor: bool = typer.Option(
        True,
        "--require-second-factor/--optional-second-factor",
        help="regulators and admins without a TOTP second factor are led to enrol one (a QR code) at sign-in "
        "and can use nothing else until done (等保三级 8.1.4.1 d); optional: they may enrol",
    ),
    second_factor_grace_days: float = typer.Option(
        0.0,
        "--second-factor-grace-days",
        min=0,
        help="with --require-second-factor: days after an account is created that its user may still work "
        "without a second factor",
    ),
    read_only: bool = typer.Option(
        False,
        "--read-only",
        help="serve the pages from a PostgreSQL standby (--db ...?target_session_attrs=prefer-standby): "
        "GET requests only, every other answered 503 naming --primary-url; nothing is migrated or written "
        "(deploy/pg_auto_failover/README.md)",
    ),
    primary_url: str = typer.Option(
        "",
        "--primary-url",
        help="with --read-only: the primary regulator's URL, which refusals name (e.g. https://regulator.example/)",
    ),
) -> None:
    """Run the regulator's service: gateways' ingest (POST /api/v1/events, ...) and the review UI at /."""
    from plumbing.heap import settle_startup_heap
    from plumbing.stop_signals import stop_requested
    from regulator.asgi import ServeSettings
    from regulator.channels.safety_logs import LogPolicy
    from regulator.ledger.accident_followup import FollowupPolicy
    from regulator.ledger.review import DeadlinePolicy
    from regulator.ledger.supervision import ListingPolicy
    from regulator.server import RegulatorServer

    # a clear error for a bad --db (and the schema migrated once, unless read-only) before anything listens
    _repo(db, read_only).close()
    forward = _forward_link(
        db, workers, forward_to, forward_id, forward_secret, forward_jurisdiction, read_only
    )
    spec = str(evidence_dir or default_evidence_dir(db))
    pictures = _pictures(spec, s3_endpoint or None)
    settings = ServeSettings(
        db,
        spec,
        s3_endpoint or None,
        general_days,
        major_days,
        offline_after_min * 60,
        warning_hold_s=warning_hold_min * 60,
        max_body_mb=max_body_mb,
        county_listing_days=county_listing_days,
        city_listing_days=city_listing_days,
        public_per_sender=public_per_hour,
        public_total=public_total_per_hour,
        public_per_network=public_per_network_per_hour,
        public_per_district=public_per_district_per_hour,
        forwarded_allow_ips=forwarded_allow_ips,
        lock_after=lock_after,
        lock_min=lock_min,
        session_idle_min=session_idle_min,
        password_min_length=password_min_length,
        password_classes=password_classes,
        password_max_age_days=password_max_age_days,
        secure_cookies=secure_cookies,
        require_second_factor=require_second_factor,
        second_factor_grace_days=second_factor_grace_days,
        read_only=read_only,
        primary_url=primary_url,
        log_due_h=log_due_hours,
        log_grace_h=log_grace_hours,
    )
    if workers > 1:
        _serve_workers(
            settings,
            host,
            port,
            workers,
            pictures,
        )
        return

    async def _run() -> None:
        with stop_requested() as stop:
            await _serve_until_stopped(stop)

    async def _serve_until_stopped(stop: asyncio.Event) -> None:
        server = RegulatorServer(
            db,
            host,
            port,
            evidence_dir=pictures,
            policy=DeadlinePolicy(general_days, major_days),
            offline_after_s=offline_after_min * 60,
            warning_hold_s=warning_hold_min * 60,
            max_body_mb=max_body_mb,
            listing=ListingPolicy(county_listing_days, city_listing_days),
            public_limits=settings.public_limits(),
            forwarded_allow_ips=forwarded_allow_ips,
            login_policy=settings.login_policy(),
            secure_cookies=secure_cookies,
            followup=FollowupPolicy(investigation_days, penalty_days),
            log_policy=LogPolicy(log_due_hours, log_grace_hours),
            forward=forward,
            read_only=settings.read_only_setting(),
        )
        await server.start()
        settle_startup_heap()
        typer.echo(
            f"regulator on {server.base_url}/ (review UI), "
            + (
                f"read-only: writes go to {primary_url or 'the primary'} "
                if read_only
                else f"gateways POST {server.base_url}/api/v1/events "
            )
            + f"(db {db}, evidence in {pictures.describe()})"
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
        typer.echo(f"cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def _forward_link(
    db: str, workers: int, url: str, city_id: str, secret: str, jurisdiction: str, read_only: bool = False
) -> ForwardLink | None:
    """The city's link to its province from serve's --forward-* options (None without --forward-to); exit 2
    naming what is missing or wrong."""
    if not url:
        return None
    from regulator.forwarding.sender import ForwardLink

    problems = [
        f"{option} is missing"
        for option, value in (
            ("--forward-id", city_id),
            ("--forward-secret", secret),
            ("--forward-jurisdiction", jurisdiction),
        )
        if not value
    ]
    if not url.startswith(("http://", "https://")):
        problems.append(f"--forward-to {url!r} is not an http(s) URL")
    if not normalise_url(db).startswith("postgresql"):
        problems.append("forwarding runs on PostgreSQL only: --db postgresql://USER@HOST:PORT/DB")
    if workers > 1:
        problems.append("forwarding runs in one process: leave --workers at 1")
    if read_only:
        problems.append("a --read-only process changes nothing: forward from the primary's process")
    if problems:
        typer.echo(
            "cannot forward to the province: " + "; ".join(problems) + " (the province registers the city "
            "with `sitegw regulator add-city ID --jurisdiction 省/市` and prints its key)",
            err=True,
        )
        raise typer.Exit(2)
    return ForwardLink(url, city_id, secret, jurisdiction)


def _serve_workers(
    settings: ServeSettings, host: str, port: int, workers: int, pictures: PictureStore
) -> None:
    from regulator.asgi import serve_workers

    writes = (
        f"read-only: writes go to {settings.primary_url or 'the primary'}"
        if settings.read_only
        else f"gateways POST http://{host}:{port}/api/v1/events"
    )
    typer.echo(
        f"regulator on http://{host}:{port}/ (review UI) in {workers} worker processes, {writes} "
        f"(db {settings.db}, evidence in {pictures.describe()})"
    )
    try:
        serve_workers(settings, host, port, workers)
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
    from regulator.ledger.review import ReviewError
    from regulator.reports.monthly import figures
    from regulator.reports.report_pdf import render
    from regulator.storage.jurisdictions import UnknownPlace, find
    from regulator.storage.scope import Actor

    repo = _repo(db)
    try:
        path = ""
        if place.strip():
            with repo.engine.connect() as conn:
                path = find(conn, place).path
        fig = figures(repo, Actor("cli", "admin", None, path or None), month)
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
