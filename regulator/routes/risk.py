"""Risk grading (regulator/reports/risk.py): projects and companies graded 高/中/低, and the score's policy."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Query

from regulator.answers import MAX_ID, SESSION
from regulator.paging import MAX_LIST_PAGE, pages
from regulator.reports import risk
from regulator.reports.risk_models import CompanyRisk, ProjectRisk, RiskLists, Weights
from regulator.routes.routing import Who, blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def risk_router(repo: Repository, narrowed: Callable[[Actor, str], Actor]) -> APIRouter:
    """The routes over ``repo``; ``narrowed``: a user narrowed to a place under their jurisdiction (404
    outside)."""
    r = APIRouter()

    @r.get("/ui/api/risk", responses=SESSION)
    async def risk_lists(
        who: Who,
        page: int = Query(1, ge=1, le=MAX_ID // MAX_LIST_PAGE, description="the page of projects, from 1"),
        page_size: int = Query(20, ge=1, le=MAX_LIST_PAGE, description="projects per page"),
        companies: int = Query(20, ge=1, le=1000, description="companies listed"),
        place: str = Query(
            "",
            description="a place under the user's jurisdiction, 省/市/区县, as the overview opens it (empty: "
            "all of it); 404 outside it",
        ),
    ) -> RiskLists:
        """Projects and companies graded 高/中/低 (regulator/reports/risk.py), the riskiest first: one page of the
        projects, every one of them counted per grade; of ``place`` when one is opened."""
        actor = await blocking(narrowed)(who, place)
        graded = await blocking(risk.ranked)(repo, actor, page, page_size, companies)
        in_force = await blocking(risk.policy)(repo)
        return RiskLists(
            policy=Weights.model_validate(in_force, from_attributes=True),
            grades=graded.grades,
            total=graded.total,
            page=page,
            page_size=page_size,
            pages=pages(graded.total, page_size),
            projects=[ProjectRisk.model_validate(risk.as_dict(p)) for p in graded.projects],
            companies=[CompanyRisk.model_validate(risk.as_dict(c)) for c in graded.companies],
        )

    @r.put("/ui/api/risk/policy", responses=SESSION)
    async def risk_policy(body: Weights, who: Who) -> Weights:
        """Change the risk score's weights or thresholds (province level); the policy now in force."""
        changed = {k: v for k, v in body.model_dump().items() if v is not None}
        return Weights.model_validate(
            await blocking(risk.set_weights)(repo, who, changed), from_attributes=True
        )

    return r
