"""The channels' HTTP routes (regulator/channels/): inspections, self-checks (the UI's and the gateways'),
the public form and its reports' verification. Added to the regulator app by `add_routes`.

No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at runtime, and
the session's ``Who`` is local to each group of routes."""

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from contract.self_check import SELF_CHECKS_PATH, SelfCheck, SelfCheckReceipt
from contract.self_check import Finding as Cited
from regulator.answers import RowId
from regulator.channels import public
from regulator.channels.articles import ARTICLES, ITEMS, ArticleError, cite
from regulator.channels.ledger import Finding, record
from regulator.channels.models import (
    Article,
    Articles,
    Districts,
    NewInspection,
    NewPublicReport,
    NewSelfCheck,
    Override,
    PublicReceipt,
    PublicReport,
    PublicReports,
    Recorded,
    Reject,
    Verify,
    answers,
)
from regulator.channels.photos import photo, photos
from regulator.ingest.receive import authenticated, refuse_replay
from regulator.ledger.classify import STANDARD
from regulator.ledger.review import Review, ReviewError
from regulator.ledger.sources import SOURCES
from regulator.routes import STATIC
from regulator.storage.nonces import NonceReused
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from regulator.video.patrol import latest_jpeg

PUBLIC_REPORTS_PATH = "/public/api/reports"
MAX_PUBLIC_BODY = 4_500_000  # one 3 MB photo as base64 and the text around it
KEEP_NONCE_S = 600.0
SESSION = answers(401, 403, 404, 413, 415, 422, 503)
INSPECTORS = ("regulator", "admin")


def finding(project: str, body: Cited, jpegs: list[bytes]) -> Finding:
    """The finding a body describes (an inspector's override with it); ReviewError 422 naming a citation the
    criteria lack."""
    try:
        citation = cite(body.standard, body.article, body.item)
    except ArticleError as exc:
        raise ReviewError(422, str(exc)) from None
    override = body.major if isinstance(body, Override) else None
    reason = body.override_reason if isinstance(body, Override) else ""
    return Finding(project, body.description, citation, override, reason, body.deadline_days, jpegs)


def add_routes(app: FastAPI, review: Review, signed_in: Any, limits: public.Limits) -> None:
    """Add the channels' routes to ``app``; ``signed_in``: the app's dependency for the session's user."""
    _add_findings(app, review, signed_in)
    _add_gateway_self_checks(app, review)
    _add_public_form(app, review.repo, limits)
    _add_public_review(app, review, signed_in)


def inspector(who: Actor) -> None:
    """ReviewError 403 unless ``who`` may record an inspection."""
    if who.role not in INSPECTORS:
        raise ReviewError(403, f"a {who.role} user may not record an inspection (监管人员检查)")


def _add_findings(app: FastAPI, review: Review, signed_in: Any) -> None:
    """The review page's findings: the articles they cite, an inspector's inspection, a project's self-check."""
    repo = review.repo
    Who = Annotated[Actor, Depends(signed_in)]

    @app.get("/ui/api/channels/articles", responses=answers(401))
    async def articles(_: Who) -> Articles:
        """The articles of 建质规〔2024〕5号 a finding may cite (each item a major hazard), and the channels."""
        return Articles(
            standard=STANDARD,
            articles=[
                Article(article=a, subject=s, items=[f"（{i}）" for i in ITEMS[:n]])
                for a, (s, n) in ARTICLES.items()
            ],
            sources=SOURCES,
        )

    @app.post("/ui/api/inspections", responses=SESSION)
    async def inspect(body: NewInspection, who: Who) -> Recorded:
        """An inspector records a hazard on a project of their jurisdiction (监督检查): it enters the ledger
        under rectification with its deadline; ``camera``: the camera's latest patrol picture is evidence."""
        inspector(who)
        jpegs = await run_in_threadpool(photos, body.photos)
        extra: list[bytes] = []
        if body.camera:
            picture = await run_in_threadpool(latest_jpeg, repo, who, body.project, body.camera)
            if picture is None:
                raise ReviewError(404, "no patrol picture of that camera in your jurisdiction")
            extra.append(picture)
        found = finding(body.project, body, jpegs)
        via = f"远程巡查 摄像头 {body.camera}" if body.camera else "现场检查"
        hazard_id, _ = await run_in_threadpool(
            lambda: record(
                review,
                who,
                "inspection",
                f"inspection:{uuid.uuid4()}",
                found,
                state="rectifying",
                note=f"监督检查（{via}）记录隐患，责令限期整改",
                extra=extra,
            )
        )
        return Recorded(hazard_id=hazard_id, status="recorded")

    @app.post("/ui/api/self-checks", responses=SESSION)
    async def self_check(body: NewSelfCheck, who: Who) -> Recorded:
        """The project's safety officer submits what the site found (企业自查); it waits for review (pending)."""
        if who.role not in ("project", "admin"):
            raise ReviewError(403, "a self-check is submitted by the project's own users (项目安全员)")
        jpegs = await run_in_threadpool(photos, body.photos)
        found = finding(body.project, body, jpegs)
        hazard_id, _ = await run_in_threadpool(
            lambda: record(
                review,
                who,
                "self_check",
                f"self_check:ui-{uuid.uuid4()}",
                found,
                state="pending",
                note="企业自查上报",
            )
        )
        return Recorded(hazard_id=hazard_id, status="recorded")

    @app.get("/ui/channels.js", response_class=Response)
    async def channels_script() -> Response:
        """The review page's script for the channels (recording findings, checking public reports)."""
        return Response((STATIC / "channels.js").read_bytes(), media_type="text/javascript; charset=utf-8")


def _add_gateway_self_checks(app: FastAPI, review: Review) -> None:
    """A site's gateway's self-checks, signed like its events."""
    repo = review.repo

    @app.post(SELF_CHECKS_PATH, responses=answers(401, 413, 415, 422, 503))
    async def gateway_self_check(request: Request) -> SelfCheckReceipt:
        """A site's gateway delivers a self-check (signed like events); the same ``check_id`` is one hazard."""
        body = await request.body()

        def handle() -> SelfCheckReceipt:
            check, nonce = authenticated(repo, request.headers, "POST", request.url.path, body, SelfCheck)
            jpegs = photos(check.photos)
            found = finding(check.project, check, jpegs)
            actor = Actor(f"gateway:{check.found_by or check.project}", "gateway", check.project)
            try:
                hazard_id, new = record(
                    review,
                    actor,
                    "self_check",
                    f"self_check:{check.check_id}",
                    found,
                    state="pending",
                    note="企业自查上报（经现场网关）",
                    nonce=(nonce, KEEP_NONCE_S),
                )
            except NonceReused as reused:
                raise refuse_replay(str(reused)) from None
            return SelfCheckReceipt(
                check_id=check.check_id, hazard_id=hazard_id, status="recorded" if new else "duplicate"
            )

        return await run_in_threadpool(handle)


def _add_public_form(app: FastAPI, repo: Repository, limits: public.Limits) -> None:
    """The public's form (群众举报): no sign-in, limited per source address, network and district."""

    @app.get("/public/report", response_class=HTMLResponse)
    async def report_page() -> HTMLResponse:
        """The public form (群众举报): no sign-in."""
        # under the regulator's policy (script-src 'self'): its script is /ui/page/report.js
        return HTMLResponse((STATIC / "report.html").read_text(encoding="utf-8"))

    @app.get("/public/api/districts")
    async def report_districts() -> Districts:
        """The districts and counties a report may go to."""
        return Districts(districts=await run_in_threadpool(public.districts, repo))

    @app.post(PUBLIC_REPORTS_PATH, responses=answers(413, 415, 422, 429, 503))
    async def report(body: NewPublicReport, request: Request) -> PublicReceipt:
        """Anyone reports a site, with a photo, anonymous or named; it reaches the ledger only once an inspector
        of the district verified it. Limited per source address, network and district, and in all (429 with
        Retry-After); the photo is looked at only once the limits and the district let the report in."""
        address = request.client.host if request.client else "unknown"
        sent = public.Report(body.district, body.site, body.description, None, body.reporter, body.contact)
        await run_in_threadpool(public.admit, repo, limits, address, sent)
        if body.photo:
            sent = replace(sent, photo=await run_in_threadpool(photo, body.photo, "photo"))
        report_id = await run_in_threadpool(public.submit, repo, limits, address, sent)
        return PublicReceipt(
            id=report_id,
            status="received",
            message=f"举报已收到（编号 {report_id}），将由属地监管人员核查；核实前不计入隐患台账。",
        )


def _add_public_review(app: FastAPI, review: Review, signed_in: Any) -> None:
    """The district's inspectors on the public's reports: listed, looked at, verified or rejected."""
    repo = review.repo
    Who = Annotated[Actor, Depends(signed_in)]

    @app.get("/ui/api/public-reports", responses=SESSION)
    async def reports(
        who: Who, state: str = Query("received", description="received, verified, rejected or all")
    ) -> PublicReports:
        """The public's reports of the user's districts (inspectors only)."""
        rows = await run_in_threadpool(public.listing, repo, who, state)
        return PublicReports(reports=[PublicReport.model_validate(r) for r in rows])

    @app.get("/ui/api/public-reports/{report_id}/photo", response_class=Response, responses=SESSION)
    async def report_photo(report_id: RowId, who: Who) -> Response:
        """A report's photo (an inspector of its district)."""
        jpeg = await run_in_threadpool(public.photo, repo, who, report_id)
        if jpeg is None:
            return JSONResponse({"error": f"public report {report_id} has no photo"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    @app.post(
        "/ui/api/public-reports/{report_id}/verify", responses=answers(401, 403, 404, 409, 413, 415, 422, 503)
    )
    async def verify(report_id: RowId, body: Verify, who: Who) -> PublicReport:
        """群众举报查实: the report becomes a hazard of source public on the named project, under rectification."""
        inspector(who)
        jpegs = await run_in_threadpool(photos, body.photos)
        found = finding(body.project, body, jpegs)
        row = await run_in_threadpool(public.verify, review, who, report_id, found, body.note)
        return PublicReport.model_validate(row)

    @app.post("/ui/api/public-reports/{report_id}/reject", responses=answers(401, 403, 404, 409, 422, 503))
    async def reject(report_id: RowId, body: Reject, who: Who) -> PublicReport:
        """The report is not taken (不予受理), with the reason; it never reaches the ledger."""
        inspector(who)
        return PublicReport.model_validate(
            await run_in_threadpool(public.reject, repo, who, report_id, body.reason)
        )
