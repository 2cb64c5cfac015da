"""Registered projects: the list a user may see, a page at a time, and an admin registering one."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from regulator.answers import MAX_ID, SESSION
from regulator.geo import project_map
from regulator.ledger.review import ReviewError
from regulator.paging import MAX_LIST_PAGE, Paged, pages
from regulator.routes.routing import Who, admin
from regulator.storage.repository import Repository


class NewProject(BaseModel):
    """An administrator registering a project."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    city: str = ""
    district: str = ""
    province: str = Field("", description="where the city table does not know the city, e.g. 广西壮族自治区")
    contractor: str = Field("", description="main contractor (施工总承包单位)")
    supervisor: str = Field("", description="supervision company (监理单位)")
    secret: str = Field(min_length=8)
    lat: float | None = Field(None, description="the site's latitude, WGS-84 degrees (with lon)")
    lon: float | None = Field(None, description="the site's longitude, WGS-84 degrees (with lat)")


class ProjectRow(BaseModel):
    """A registered project as a user sees it (without its secret)."""

    code: str = Field(description="project code")
    name: str = Field(description="project name")
    city: str = Field(description="its city")
    district: str = Field(description="its district or county")
    jurisdiction: str | None = Field(
        None, description="its district's path (省/市/区); null: in no place yet"
    )
    contractor: str = Field(description="main contractor (施工单位)")
    supervisor: str = Field(description="supervision company (监理单位)")
    last_seen_at: float | None = Field(
        description="when its gateway was last heard, Unix seconds; null: never"
    )
    gateway_release: str | None = Field(
        None, description="the sitegw release its gateway's last heartbeat named; null: none said one yet"
    )
    devices_online: int | None = Field(
        None,
        description="a city's project: its devices reporting (5 minutes), as the city last said; null: not a city's",
    )
    devices_total: int | None = Field(None, description="a city's project: its devices heard in the last day")
    cameras_online: int | None = Field(
        None, description="a city's project: its cameras whose pictures are current"
    )
    cameras_total: int | None = Field(None, description="a city's project: its patrol cameras")


class ProjectPage(Paged):
    """One page of the projects the user may see, by code."""

    projects: list[ProjectRow] = Field(description="this page's projects")


def projects_router(repo: Repository) -> APIRouter:
    """The routes over ``repo``'s projects."""
    r = APIRouter()

    @r.get("/ui/api/projects", responses=SESSION)
    async def projects(
        who: Who,
        page: int = Query(1, ge=1, le=MAX_ID // MAX_LIST_PAGE, description="the page, from 1"),
        page_size: int = Query(50, ge=1, le=MAX_LIST_PAGE, description="projects per page"),
        q: str = Query("", max_length=100, description="only projects whose code or name holds this"),
    ) -> ProjectPage:
        """Registered projects the user may see (without their secrets), by code, a page at a time, each with
        its jurisdiction's path."""
        rows, total = await run_in_threadpool(
            repo.visible_projects, who, page_size, (page - 1) * page_size, q
        )
        return ProjectPage(
            total=total,
            page=page,
            page_size=page_size,
            pages=pages(total, page_size),
            # a row takes the project's attributes it names (never the secret) and its place's path
            projects=[
                ProjectRow.model_validate(p, from_attributes=True).model_copy(update={"jurisdiction": place})
                for p, place in rows
            ],
        )

    @r.post("/ui/api/projects", responses=SESSION)
    async def register(body: NewProject, who: Who) -> dict[str, str]:
        """Register a project (admin), with its coordinates when given."""
        admin(who)
        try:
            where = project_map.check(body.lat, body.lon)
        except project_map.BadCoordinates as exc:
            raise ReviewError(422, str(exc)) from None
        await run_in_threadpool(
            repo.add_project,
            body.code,
            body.name,
            body.city,
            body.secret,
            body.district,
            body.contractor,
            body.province,
            body.supervisor,
        )
        if where is not None:
            await run_in_threadpool(project_map.locate, repo, body.code, *where)
        return {"status": "registered", "code": body.code}

    return r
