"""The ledger of accidents and serious near misses (非亡人事故和重大险情台账, regulator/ledger/incidents.py): the
list with its reporting clocks, recording one, and its reports."""

from __future__ import annotations

import time

from fastapi import APIRouter

from regulator.answers import SESSION, RowId
from regulator.ledger.incident_models import IncidentLedger, IncidentRow, NewIncident, NewReport
from regulator.ledger.incidents import DESTINATIONS, Incidents
from regulator.routes.routing import Who, blocking


def incidents_router(incidents: Incidents) -> APIRouter:
    """The routes over ``incidents``."""
    r = APIRouter()

    @r.get("/ui/api/incidents", responses=SESSION)
    async def incident_ledger(who: Who) -> IncidentLedger:
        """Accidents and serious near misses (非亡人事故和重大险情台账) with their reports and reporting clocks."""
        now = time.time()
        rows = await blocking(incidents.ledger)(who, now)
        return IncidentLedger(
            now=now, destinations=DESTINATIONS, incidents=[IncidentRow.model_validate(r) for r in rows]
        )

    @r.post("/ui/api/incidents", responses=SESSION)
    async def record_incident(body: NewIncident, who: Who) -> IncidentRow:
        """Record an accident or serious near miss of a project the user may see."""
        row = await blocking(incidents.record)(
            who, body.project, body.kind, body.occurred_at, body.deaths, body.injuries, body.description
        )
        return IncidentRow.model_validate(row)

    @r.post("/ui/api/incidents/{incident_id}/reports", responses=SESSION)
    async def report_incident(incident_id: RowId, body: NewReport, who: Who) -> IncidentRow:
        """Record a report of the incident: who reported, when, to which level or system and how; it stops
        that clock, and a report past the deadline is kept as late (迟报)."""
        row = await blocking(incidents.report)(
            who, incident_id, body.to, body.reported_by, body.reported_at, body.note, body.how
        )
        return IncidentRow.model_validate(row)

    return r
