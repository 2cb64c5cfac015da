"""The national export's routes (regulator/reports/national_packages.py): the page, a package for a period as a zip
download, the packages made, one package with its accidents' national clocks, and marking one sent.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as InPath
from fastapi.responses import FileResponse, Response

from regulator.answers import SESSION
from regulator.reports import national_export as ne
from regulator.reports.national_export_models import NewSending, PackageDetail, PackageList, PackageRow
from regulator.reports.national_packages import NationalExports, Sending
from regulator.routes import STATIC
from regulator.routes.responses import download
from regulator.routes.routing import blocking
from regulator.storage.scope import Actor

PAGE = STATIC / "national_export.html"
PackageId = Annotated[str, InPath(min_length=1, max_length=64, description="a package id, NE-...")]


def national_export_router(
    desk: NationalExports, signed_in: Callable[[Request], Awaitable[Actor]]
) -> APIRouter:
    """The routes over one NationalExports; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/national-export", include_in_schema=False)
    async def page() -> FileResponse:
        """The national export's page (全国平台数据交换): make a package, mark one sent."""
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    @r.get(
        "/ui/api/exports/national.zip",
        response_class=Response,
        responses={**SESSION, 200: {"content": {ne.ZIP_TYPE: {}}, "description": "the package"}},
    )
    async def produce(
        who: Who,
        first: str = Query(alias="from", max_length=10, description="the first day, yyyy-MM-dd Beijing time"),
        until: str = Query(alias="to", max_length=10, description="the day after the last, yyyy-MM-dd"),
    ) -> Response:
        """The exchange package of [from, to) for the user's jurisdiction (regulators and admins): a zip of
        package.json, package.xlsx, manifest.json and README.txt, recorded as produced; its id and SHA-256
        in the X-Package-Id and X-Package-Sha256 headers."""
        package = await blocking(desk.produce)(who, ne.period(first, until))
        answer = download(package.zip, ne.ZIP_TYPE, package.filename)
        answer.headers["X-Package-Id"] = package.id
        answer.headers["X-Package-Sha256"] = package.sha256
        return answer

    @r.get("/ui/api/exports/national", responses=SESSION)
    async def packages(who: Who) -> PackageList:
        """The packages made for the user's places, newest first, each with its sending."""
        found = await blocking(desk.packages)(who)
        return PackageList(packages=[PackageRow.model_validate(p) for p in found])

    @r.get("/ui/api/exports/national/{package_id}", responses=SESSION)
    async def package(package_id: PackageId, who: Who) -> PackageDetail:
        """One package with its accidents' national clocks now."""
        return PackageDetail.model_validate(await blocking(desk.one)(who, package_id))

    @r.post("/ui/api/exports/national/{package_id}/sent", responses=SESSION)
    async def sent(package_id: PackageId, body: NewSending, who: Who) -> PackageDetail:
        """Mark the package sent to the national platform: each accident in it is reported there (its 48 h
        clock stops; one past its deadline is kept as 迟报); 409 if marked already."""
        sending = Sending(body.sent_by, body.sent_at)
        return PackageDetail.model_validate(await blocking(desk.mark_sent)(who, package_id, sending))

    return r
