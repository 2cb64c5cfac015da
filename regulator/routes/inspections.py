"""The authority's year's routes (regulator/inspections/): plans and their inspection records, a plan's
coverage (JSON and XLSX), the 双随机 pools, recusals and draws, and the published draws for the public.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from regulator.answers import SESSION, RowId
from regulator.inspections import coverage, draws, plans, sweeps
from regulator.inspections.coverage_export import to_xlsx
from regulator.inspections.models import (
    CoverageOut,
    DrawDetail,
    DrawIn,
    DrawOut,
    MembersIn,
    PlanIn,
    PlanOut,
    PoolOut,
    PublicDraw,
    RecordIn,
    RecordOut,
    RecusalIn,
    RecusalOut,
    SweepIn,
)
from regulator.names import beijing_text
from regulator.reports.export import XLSX_TYPE
from regulator.reports.monthly import month_bounds
from regulator.routes import STATIC
from regulator.routes.responses import download
from regulator.routes.routing import blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

API = "/ui/api/inspections"
PAGE = STATIC / "draws.html"
YEAR_PAGE = STATIC / "year.html"


def _window(starts: str | None, due: str, theme_month: bool) -> tuple[float, float]:
    """A plan's start and deadline from the request's days; a theme's month starts on its first day."""
    due_at = plans.day_end(due, "due")
    if starts:
        return plans.day_end(starts, "starts") - 86_400.0, due_at
    if theme_month:
        return month_bounds(beijing_text(due_at - 1.0)[:7])[0], due_at
    return time.time(), due_at


SignedIn = Callable[[Request], Awaitable[Actor]]


def inspections_router(repo: Repository, signed_in: SignedIn) -> APIRouter:
    """The routes over ``repo``; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    _add_plans(r, repo, signed_in)
    _add_draws(r, repo, signed_in)
    _add_public(r, repo)
    return r


def _add_plans(r: APIRouter, repo: Repository, signed_in: SignedIn) -> None:
    """Plans, their inspection records and their coverage, and the page over them."""
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/year", response_class=HTMLResponse, include_in_schema=False)
    async def year_page() -> HTMLResponse:
        """年度检查: rounds, monthly themes, coverage and 双随机 draws (its script /ui/page/year.js; its data
        from this router's API, which scopes it to the signed-in user)."""
        return HTMLResponse(YEAR_PAGE.read_text(encoding="utf-8"))

    @r.post(f"{API}/plans", responses=SESSION)
    async def new_plan(body: PlanIn, who: Who) -> PlanOut:
        """Plan a 全覆盖 round or a monthly theme over the user's jurisdiction (or a place under it)."""
        starts_at, due_at = _window(body.starts, body.due, body.kind == "theme")
        new = plans.NewPlan(
            body.kind, body.title, starts_at, due_at, body.place, body.theme, tuple(body.projects)
        )
        return PlanOut.model_validate(await blocking(plans.create)(repo, who, new))

    @r.get(f"{API}/plans", responses=SESSION)
    async def list_plans(who: Who) -> list[PlanOut]:
        """The plans of the user's jurisdiction, the latest deadline first."""
        return [PlanOut.model_validate(p) for p in await blocking(plans.plans)(repo, who)]

    @r.get(f"{API}/plans/{{plan_id}}", responses=SESSION)
    async def one_plan(plan_id: RowId, who: Who) -> PlanOut:
        """A plan with its checklist (a theme's)."""
        return PlanOut.model_validate(await blocking(plans.plan)(repo, who, plan_id))

    @r.post(f"{API}/plans/{{plan_id}}/records", responses=SESSION)
    async def inspected(plan_id: RowId, body: RecordIn, who: Who) -> RecordOut:
        """Record that the user inspected one of the plan's projects: it is covered."""
        found = await blocking(plans.record)(repo, who, plan_id, body.project, body.note)
        return RecordOut.model_validate(found)

    @r.post(f"{API}/sweeps", responses=SESSION)
    async def new_sweep(body: SweepIn, who: Who) -> PlanOut:
        """举一反三 after an accident: a plan over every project of the user's jurisdiction doing the same kind
        of work (and those named), with that work's checklist."""
        due_at = plans.day_end(body.due, "due")
        found = await blocking(sweeps.sweep)(
            repo, who, body.incident, body.work, due_at, tuple(body.projects)
        )
        return PlanOut.model_validate(found)

    @r.get(f"{API}/plans/{{plan_id}}/coverage", responses=SESSION)
    async def covered(plan_id: RowId, who: Who) -> CoverageOut:
        """The plan's projects done, due and overdue (the unseen first), per district and per inspector,
        beside the key-risk projects' monthly inspection duty."""
        return CoverageOut.model_validate(await blocking(coverage.coverage)(repo, who, plan_id))

    @r.get(
        f"{API}/plans/{{plan_id}}/coverage.xlsx",
        response_class=Response,
        responses={**SESSION, 200: {"content": {XLSX_TYPE: {}}, "description": "the workbook"}},
    )
    async def covered_xlsx(plan_id: RowId, who: Who) -> Response:
        """The coverage as an XLSX workbook."""
        found = await blocking(coverage.coverage)(repo, who, plan_id)
        stamp = beijing_text(found["as_of"]).replace("-", "").replace(" ", "-").replace(":", "")
        return download(await blocking(to_xlsx)(found), XLSX_TYPE, f"检查覆盖_{plan_id}_{stamp}.xlsx")


def _add_draws(r: APIRouter, repo: Repository, signed_in: SignedIn) -> None:
    """The 双随机 pools, recusals and draws."""
    Who = Annotated[Actor, Depends(signed_in)]

    @r.post(f"{API}/pools/{{pool}}", responses=SESSION)
    async def add_to_pool(pool: str, body: MembersIn, who: Who) -> PoolOut:
        """Add inspectors or projects to a 双随机 pool."""
        found = await blocking(draws.add_members)(repo, who, pool, body.kind, body.members)
        return PoolOut.model_validate(found)

    @r.get(f"{API}/pools/{{pool}}", responses=SESSION)
    async def pool_members(pool: str, who: Who) -> PoolOut:
        """A pool's inspectors and projects."""
        return PoolOut.model_validate(await blocking(draws.members_of)(repo, who, pool))

    @r.post(f"{API}/recusals", responses=SESSION)
    async def recusal(body: RecusalIn, who: Who) -> RecusalOut:
        """Keep an inspector off a project or a company's projects in every draw."""
        found = await blocking(draws.recuse)(
            repo, who, body.inspector, body.reason, body.project, body.company
        )
        return RecusalOut.model_validate(found)

    @r.post(f"{API}/draws", responses=SESSION)
    async def new_draw(body: DrawIn, who: Who) -> DrawDetail:
        """Draw projects and inspectors at random with a fresh, recorded seed; the draw is a plan."""
        new = plans.NewPlan("draw", body.title, time.time(), plans.day_end(body.due, "due"))
        found = await blocking(draws.make_draw)(
            repo, who, new, body.inspector_pool, body.project_pool, body.projects, body.per_project
        )
        return DrawDetail.model_validate(found)

    @r.get(f"{API}/draws", responses=SESSION)
    async def list_draws(who: Who) -> list[DrawOut]:
        """The draws of the user's jurisdiction, the newest first."""
        return [DrawOut.model_validate(d) for d in await blocking(draws.draws)(repo, who)]

    @r.get(f"{API}/draws/{{draw_id}}", responses=SESSION)
    async def one_draw(draw_id: RowId, who: Who) -> DrawDetail:
        """A draw's record, pools and result, checked by drawing again from its seed."""
        return DrawDetail.model_validate(await blocking(draws.one)(repo, who, draw_id))

    @r.post(f"{API}/draws/{{draw_id}}/publish", responses=SESSION)
    async def publish(draw_id: RowId, who: Who) -> DrawDetail:
        """Put the draw on the public page (一公开)."""
        return DrawDetail.model_validate(await blocking(draws.publish)(repo, who, draw_id))


def _add_public(r: APIRouter, repo: Repository) -> None:
    """The published draws, for anyone (一公开)."""

    @r.get("/public/draws", response_class=HTMLResponse, include_in_schema=False)
    async def public_page() -> HTMLResponse:
        """The published draws for anyone (一公开); its script is /ui/page/draws.js."""
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    @r.get("/public/api/draws")
    async def public_draws() -> list[PublicDraw]:
        """The published 双随机 draws: the projects drawn, their inspectors, the seed and when."""
        return [PublicDraw.model_validate(d) for d in await blocking(draws.published)(repo)]
