"""The overview (regulator/reports/overview.py): a place's figures, and the warnings the sites resolved within flood
control's hold (regulator/ingest/held.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Query

from regulator.answers import SESSION
from regulator.ingest.held import WarningHold, counts
from regulator.ledger.queue_models import WarningCountRow, WarningStats
from regulator.reports.overview import overview
from regulator.reports.overview_models import Overview
from regulator.routes.routing import Who, blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def overview_router(
    repo: Repository, offline_after_s: float, hold: WarningHold, narrowed: Callable[[Actor, str], Actor]
) -> APIRouter:
    """The routes over ``repo``; ``offline_after_s``: a gateway not heard for longer is offline; ``narrowed``:
    a user narrowed to a place under their jurisdiction (404 outside)."""
    r = APIRouter()

    @r.get("/ui/api/overview", responses=SESSION)
    async def stats(
        who: Who,
        place: str = Query(
            "",
            description="a place under the user's jurisdiction to open, 省/市/区县 (empty: the user's own); "
            "404 outside it, as the monthly report's place",
        ),
    ) -> Overview:
        """A place's figures summed one level below it (a province's per city, a city's per district, a
        district's per project) and per check; its video-monitored projects and those most overdue (every
        project at district level); where each sits on the map (regulator/reports/overview.py)."""
        actor = await blocking(narrowed)(who, place)
        # typed now that it is a place's areas, not a row per project (20,000 rows took FastAPI's encoder 1.3 s)
        figures = await blocking(overview)(repo, actor, offline_after_s, who)
        return await blocking(Overview.model_validate)(figures)

    @r.get("/ui/api/warnings", responses=SESSION)
    async def warnings(who: Who) -> WarningStats:
        """Warnings the sites resolved within the hold: counted per project and rule, not in the ledger."""
        found, held = await blocking(counts)(repo, who)
        return WarningStats(
            hold_s=hold.hold_s,
            held_now=held,
            counts=[
                WarningCountRow(
                    project=c.project,
                    project_name=c.project_name,
                    rule=c.rule,
                    rule_name=c.rule_name,
                    episodes=c.episodes,
                    events=c.events,
                    first_ts=c.first_ts,
                    last_ts=c.last_ts,
                )
                for c in found
            ],
        )

    return r
