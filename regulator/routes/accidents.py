"""The routes of an accident's follow-up (regulator/ledger/accident_followup.py) and of the projects' 危大 lists
(regulator/ledger/dangerous_works.py): the 四不放过 steps, the investigation and penalty finished, closing, the
incident alerts the authority's supervisors see in red, and the dangerous works of the projects in scope.

Every route reads through the signed-in user's scope: another district's incident answers 404.
(No ``from __future__ import annotations``: FastAPI resolves the routes' ``Who`` from annotations evaluated
where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from contract.config.dangerous_works import DangerousWork
from regulator.answers import SESSION, RowId
from regulator.ledger import dangerous_works
from regulator.ledger.incident_models import IncidentAlert, IncidentAlerts, IncidentRow, NewStep
from regulator.ledger.incidents import Incidents
from regulator.routes import STATIC
from regulator.routes.routing import blocking
from regulator.storage.scope import Actor

SCRIPT = STATIC / "accidents.js"


class WorkHazard(BaseModel):
    """A major hazard an item of the 危大 list shows."""

    article: str = Field(description="the article of 建质规〔2024〕5号, Chinese")
    message: str = Field(description="what and what to do, Chinese")


class WorkRow(DangerousWork):
    """One item of a 危大 list as the regulator reads it."""

    monitored: bool = Field(description="devices of the site monitor it")
    in_progress: bool = Field(description="under way: started and not ended (Beijing date)")
    major_hazards: list[WorkHazard] = Field(description="empty unless under way and a step is missing")


class ProjectWorks(BaseModel):
    """One project's 危大 list."""

    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    received_at: float = Field(description="when its gateway last sent it, Unix seconds")
    works: list[WorkRow] = Field(description="the items, as the site file orders them")
    monitored: int = Field(description="items with a device attached")
    unmonitored: int = Field(description="items without")
    major: int = Field(description="items showing a major hazard")


class DangerousWorks(BaseModel):
    """The 危大 lists of the projects the user may see."""

    projects: list[ProjectWorks] = Field(description="by project code")


def accident_router(incidents: Incidents, signed_in: Callable[[Request], Awaitable[Actor]]) -> APIRouter:
    """The routes over one Incidents; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/accidents.js", include_in_schema=False)
    async def script() -> FileResponse:
        """The accidents' and 危大 lists' script (the review UI loads it)."""
        return FileResponse(SCRIPT, media_type="text/javascript; charset=utf-8")

    @r.get("/ui/api/incidents/alerts", responses=SESSION)
    async def incident_alerts(who: Who) -> IncidentAlerts:
        """Overdue reporting clocks and accidents proposed for listed supervision, for the banner in red."""
        found = await blocking(incidents.alerts)(who)
        return IncidentAlerts(alerts=[IncidentAlert.model_validate(a) for a in found])

    @r.post("/ui/api/incidents/{incident_id}/steps/{step}", responses=SESSION)
    async def tick_step(incident_id: RowId, step: str, body: NewStep, who: Who) -> IncidentRow:
        """Tick a 四不放过 step: cause_found, responsible_dealt, people_educated or measures_taken."""
        return IncidentRow.model_validate(
            await blocking(incidents.tick_step)(who, incident_id, step, body.note)
        )

    @r.post("/ui/api/incidents/{incident_id}/stages/{stage}", responses=SESSION)
    async def finish_stage(incident_id: RowId, stage: str, who: Who) -> IncidentRow:
        """Mark the investigation or the penalty finished."""
        return IncidentRow.model_validate(await blocking(incidents.finish_stage)(who, incident_id, stage))

    @r.post("/ui/api/incidents/{incident_id}/close", responses=SESSION)
    async def close(incident_id: RowId, who: Who) -> IncidentRow:
        """Close the incident (结案); 409 naming the 四不放过 steps still open."""
        return IncidentRow.model_validate(await blocking(incidents.close)(who, incident_id))

    @r.get("/ui/api/dangerous-works", responses=SESSION)
    async def works(
        who: Who, project: str = Query("", max_length=64, description="one project's code (empty: all)")
    ) -> DangerousWorks:
        """The 危大 lists: which dangerous works are monitored and which not, and the major hazards of
        those under way (建质规〔2024〕5号 Art. 4(四)(五))."""
        found = await blocking(dangerous_works.lists)(incidents.repo, who, project)
        return DangerousWorks(projects=[ProjectWorks.model_validate(p) for p in found])

    return r
