"""The routes of the authority's warning signals (regulator/ledger/weather_warnings.py): the page, issuing a
warning, the list and one warning with its sites, and the gateway's signed acknowledgement.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from contract.wire import WARNING_ACK_PATH
from regulator.answers import SESSION, SIGNED, RowId
from regulator.ingest.receive import WINDOW_S, Refusal, authenticated, refuse_replay
from regulator.ledger.review import ReviewError
from regulator.ledger.weather_warning_models import (
    AckReceipt,
    NewWarning,
    WarningAck,
    WarningDetail,
    WarningList,
    WarningRow,
)
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.routes import STATIC
from regulator.routes.responses import signed_path
from regulator.routes.routing import blocking
from regulator.storage.nonces import NonceReused
from regulator.storage.scope import Actor

PAGE = STATIC / "warnings.html"


def warnings_router(desk: WeatherWarnings, signed_in: Callable[[Request], Awaitable[Actor]]) -> APIRouter:
    """The routes over one WeatherWarnings; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/warnings", include_in_schema=False)
    async def page() -> FileResponse:
        """The warnings page (气象预警): issue one, see who received and acknowledged it."""
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    @r.get("/ui/api/weather-warnings", responses=SESSION)
    async def warnings(who: Who) -> WarningList:
        """The warnings of places that concern the user, newest first, with their sites' figures."""
        found = await blocking(desk.visible)(who)
        return WarningList(warnings=[WarningRow.model_validate(w) for w in found])

    @r.post("/ui/api/weather-warnings", responses=SESSION)
    async def issue(body: NewWarning, who: Who) -> WarningDetail:
        """Issue a warning for the regulator's jurisdiction or a place under it (regulators)."""
        return WarningDetail.model_validate(await blocking(desk.issue)(who, body))

    @r.get("/ui/api/weather-warnings/{warning_id}", responses=SESSION)
    async def warning(warning_id: RowId, who: Who) -> WarningDetail:
        """One warning: each site's receipt and acknowledgement, and the sites that kept working (冒险作业)."""
        return WarningDetail.model_validate(await blocking(desk.detail)(who, warning_id))

    @r.post("/ui/api/weather-warnings/{warning_id}/lift", responses=SESSION)
    async def lift(warning_id: RowId, who: Who) -> WarningDetail:
        """Lift a warning now (解除): its sites' gateways clear it on their next poll (regulators)."""
        return WarningDetail.model_validate(await blocking(desk.lift)(who, warning_id))

    @r.post(WARNING_ACK_PATH, responses=SIGNED)
    async def acknowledge(warning_id: RowId, request: Request) -> AckReceipt:
        """A supervisor of the project acknowledged the warning on the site's dashboard (signed by its gateway;
        repeating it changes nothing)."""
        body = await request.body()

        def handle() -> AckReceipt:
            ack, nonce = authenticated(
                desk.repo, request.headers, "POST", signed_path(request), body, WarningAck
            )
            try:
                desk.repo.heartbeat(ack.project, nonce, 2 * WINDOW_S)
            except NonceReused as reused:
                raise refuse_replay(str(reused)) from None
            try:
                return AckReceipt.model_validate(
                    desk.acknowledge(ack.project, warning_id, ack.actor, ack.acked_at)
                )
            except ReviewError as exc:
                raise Refusal(exc.status, exc.reason) from None

        return await run_in_threadpool(handle)

    return r
