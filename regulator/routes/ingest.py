"""The gateways' signed requests (docs/design.md's default protocol): events, heartbeats, readings,
rectification reports, patrol pictures, evidence clips, and the feedback poll (the regulator's decisions,
the pictures wanted, the open supervision notices and the warning signals in force)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from contract.wire import (
    CLIPS_PATH,
    EVENTS_PATH,
    FEEDBACK_PATH,
    HEARTBEAT_PATH,
    PICTURES_PATH,
    READINGS_PATH,
    RECTIFICATIONS_PATH,
    CameraPicture,
    ClipReceipt,
    EventReceipt,
    Heartbeat,
    PictureReceipt,
    ReadingsReceipt,
    ReadingsSummary,
    RectificationReport,
)
from regulator.answers import CLIP, PICTURE, SIGNED, After
from regulator.geo import project_map
from regulator.ingest.held import WarningHold
from regulator.ingest.on_loop import LoopIngest
from regulator.ingest.receive import (
    WINDOW_S,
    Refusal,
    authenticate,
    authenticated,
    decode_jpeg,
    ingest,
    parse_signed,
)
from regulator.ledger import dangerous_works
from regulator.ledger.review import Review
from regulator.ledger.review_models import ActionRecord, Feedback
from regulator.ledger.supervision import Supervision
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.routes.responses import signed_path
from regulator.routes.routing import signed
from regulator.storage.readings import ReadingRecord
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from regulator.video.clips import receive_clip
from regulator.video.patrol import picture_jpeg, store_picture, wanted

KEEP_NONCE_S = 2 * WINDOW_S


def ingest_router(
    repo: Repository,
    review: Review,
    hold: WarningHold,
    on_loop: LoopIngest | None,
    supervision: Supervision,
    weather: WeatherWarnings,
) -> APIRouter:
    """The gateways' routes over ``repo``; ``hold``: flood control's hold of warnings; ``on_loop``: the events'
    own pool on PostgreSQL (None: events are stored in the thread pool)."""
    r = APIRouter()
    _add_events_and_heartbeats(r, repo, hold, on_loop)
    _add_site_reports(r, repo, review)
    _add_camera_uploads(r, repo)
    _add_feedback(r, repo, review, supervision, weather)
    return r


def _keep_carried(repo: Repository, beat: Heartbeat) -> None:
    """What a heartbeat may carry besides being alive: its 危大 list, the site's location and the
    gateway's release."""
    if beat.dangerous_works is not None:
        dangerous_works.keep(repo, beat.project, beat.dangerous_works, time.time())
    if beat.lat is not None and beat.lon is not None:
        project_map.first_location(repo, beat.project, beat.lat, beat.lon)
    if beat.release is not None:
        repo.keep_release(beat.project, beat.release)


def _add_events_and_heartbeats(
    r: APIRouter, repo: Repository, hold: WarningHold, on_loop: LoopIngest | None
) -> None:
    """Events and heartbeats: on the events' own pool where there is one (PostgreSQL)."""

    @r.post(EVENTS_PATH, responses=SIGNED)
    async def receive_event(request: Request) -> JSONResponse:
        """Store one signed AlertEvent; 200 stored or duplicate, 401 unauthenticated, 422 malformed."""
        body = await request.body()
        path = signed_path(request)
        accepted = (
            await on_loop.ingest(request.headers, request.method, path, body)
            if on_loop is not None
            else await run_in_threadpool(ingest, repo, request.headers, request.method, path, body, hold)
        )
        receipt = EventReceipt(
            event_id=accepted.event_id, status="duplicate" if accepted.duplicate else "stored"
        )
        return JSONResponse(receipt.model_dump())

    @r.post(HEARTBEAT_PATH, responses=SIGNED)
    async def heartbeat(request: Request) -> dict[str, str]:
        """A gateway is alive: the project's last-seen time moves on; the 危大 list and the release it
        carries are kept."""
        if on_loop is not None:  # PostgreSQL: on the event loop, and a worker thread only for what it carries
            body = await request.body()
            project = await on_loop.authenticate(request.headers, "POST", signed_path(request), body)
            beat = parse_signed(Heartbeat, body, project)
            await on_loop.heartbeat(project, request.headers["X-Sitegw-Nonce"])
            if beat.dangerous_works is not None or beat.lat is not None or beat.release is not None:
                await run_in_threadpool(_keep_carried, repo, beat)
            return {"status": "ok"}

        def handle(body: bytes) -> dict[str, str]:
            beat, nonce = authenticated(repo, request.headers, "POST", signed_path(request), body, Heartbeat)
            repo.heartbeat(beat.project, nonce, KEEP_NONCE_S)
            _keep_carried(repo, beat)
            return {"status": "ok"}

        return await signed(request, handle)


def _add_site_reports(r: APIRouter, repo: Repository, review: Review) -> None:
    """What the site reports besides events: readings summaries and hazards fixed."""

    @r.post(READINGS_PATH, responses=SIGNED)
    async def readings(request: Request) -> ReadingsReceipt:
        """Keep a crane or pit readings summary (shown around the project's hazards)."""

        def handle(body: bytes) -> ReadingsReceipt:
            summary, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, ReadingsSummary
            )
            stored = repo.store_readings(
                summary.project,
                nonce,
                KEEP_NONCE_S,
                [ReadingRecord(r.device, r.point, r.metric, r.ts, r.value, r.unit) for r in summary.readings],
            )
            return ReadingsReceipt(status="stored", readings=stored)

        return await signed(request, handle)

    @r.post(RECTIFICATIONS_PATH, responses=SIGNED)
    async def rectification(request: Request) -> ActionRecord:
        """The site reports a hazard fixed, with a photo; it waits for re-inspection (the audit row)."""

        def handle(body: bytes) -> ActionRecord:
            report, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, RectificationReport
            )
            hazard_id = review.hazard_for_alert(report.project, report.alert_id)
            if hazard_id is None:
                raise Refusal(422, f"no hazard for alert {report.alert_id!r} of project {report.project!r}")
            if not report.photo:
                raise Refusal(
                    422, "photo must be a base64 JPEG", errors=[{"field": "photo", "problem": "empty"}]
                )
            photo = decode_jpeg(report.photo, "photo")
            actor = Actor(f"gateway:{report.actor}", "gateway", report.project)
            return ActionRecord.model_validate(
                review.act(hazard_id, "report", actor, report.note, photo=photo, nonce=(nonce, KEEP_NONCE_S))
            )

        return await signed(request, handle)


def _add_camera_uploads(r: APIRouter, repo: Repository) -> None:
    """The cameras' patrol pictures and vision alerts' evidence clips."""

    @r.post(PICTURES_PATH, responses=PICTURE)
    async def picture(request: Request) -> PictureReceipt:
        """Keep a camera's latest patrol picture with its findings (regulator/video/patrol.py); 413 too large,
        415 not a JPEG, 422 malformed, 401 unauthenticated."""

        def handle(body: bytes) -> PictureReceipt:
            pic, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, CameraPicture
            )
            stored = store_picture(repo, pic, picture_jpeg(pic.jpeg), nonce, KEEP_NONCE_S)
            return PictureReceipt(camera=pic.camera, status="stored" if stored else "older")

        return await signed(request, handle)

    @r.post(CLIPS_PATH, responses=CLIP)
    async def clip(
        request: Request, alert_id: str = Query("", description="the gateway's alert the clip belongs to")
    ) -> ClipReceipt:
        """Keep a vision alert's evidence clip (VP8 WebM body) with its alert's hazard (regulator/video/clips.py);
        409 while the alert is not here yet (send again later), 413 too large, 415 not a WebM, 401
        unauthenticated or replayed."""
        body = await request.body()
        return await run_in_threadpool(
            receive_clip, repo, request.headers, signed_path(request), alert_id, body
        )


def _add_feedback(
    r: APIRouter, repo: Repository, review: Review, supervision: Supervision, weather: WeatherWarnings
) -> None:
    """The feedback poll: what the regulator has for the site."""

    @r.get(FEEDBACK_PATH, responses=SIGNED)
    async def feedback(request: Request, after: After = 0) -> Feedback:
        """The regulator's decisions on this project's hazards after action ``after`` (signed GET, empty body),
        the cameras whose picture is wanted, the open supervision notices and the warning signals in force for
        its place (regulator/ledger/weather_warnings.py)."""

        def handle(body: bytes) -> Feedback:
            project = authenticate(repo, request.headers, "GET", signed_path(request), body)
            repo.heartbeat(project, request.headers["X-Sitegw-Nonce"], KEEP_NONCE_S)
            return Feedback.model_validate(
                {
                    "actions": review.audit(Actor(f"gateway:{project}", "gateway", project), after),
                    "pictures_wanted": wanted(repo, project),
                    "notices": supervision.project_notices(project),
                    "warnings": weather.for_project(project),
                }
            )

        return await signed(request, handle)
