"""The review queue and one hazard: the queue a page at a time, the names the UI shows, a hazard with its
evidence and readings, reclassifying it, the closed loop's actions on it, and the audit trail."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from regulator.answers import SESSION, After, RowId
from regulator.ingest.receive import decode_jpeg
from regulator.ledger.queue_models import HazardPage, HazardRow, Names, Reclassify
from regulator.ledger.queue_query import Filter
from regulator.ledger.review import Review
from regulator.ledger.review_models import ActionRecord, AuditTrail, HazardDetail
from regulator.ledger.supervision import Supervision
from regulator.names import SITE_STATES, kind_names, metric_names, rule_names
from regulator.routes.routing import Who, blocking


class ActionBody(BaseModel):
    """One step of the closed loop, as the review UI sends it."""

    reason: str = ""
    major: bool | None = None
    deadline_days: float | None = Field(None, gt=0, le=365)
    photo: str | None = Field(None, description="JPEG as base64 (a rectification report)")


def hazards_router(review: Review, supervision: Supervision) -> APIRouter:
    """The routes over ``review``; ``supervision``: the listed-supervision label each hazard carries."""
    r = APIRouter()

    @r.get("/ui/api/hazards", responses=SESSION)
    async def hazards(who: Who, f: Filter) -> HazardPage:
        """The review queue: most severe, then newest first, one page of it and the total that match."""
        found = await blocking(review.queue)(f, who)
        listed = await blocking(supervision.labels)(who, [h["id"] for h in found.hazards])
        return HazardPage(
            hazards=[
                HazardRow.model_validate(h | {"supervision": listed.get(h["id"], "")}) for h in found.hazards
            ],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
            pages=found.pages,
        )

    @r.get("/ui/api/names", responses=SESSION)
    async def names(_: Who) -> Names:
        """Chinese names of checks (rule ids), rule kinds, readings' metrics and the site's alert states."""
        return Names(rules=rule_names(), kinds=kind_names(), metrics=metric_names(), site_states=SITE_STATES)

    @r.get("/ui/api/hazards/{hazard_id}", responses=SESSION)
    async def hazard(hazard_id: RowId, who: Who) -> HazardDetail:
        """One hazard: events, evidence, readings around it, clause, audit trail."""
        found = await blocking(review.hazard)(hazard_id, who)
        listed = await blocking(supervision.labels)(who, [hazard_id])
        # validated in the worker: a hazard's 2,000 readings are not checked on the event loop
        return await blocking(HazardDetail.model_validate)(found | {"supervision": listed.get(hazard_id, "")})

    @r.post("/ui/api/hazards/{hazard_id}/reclassify", responses=SESSION)
    async def reclassify(hazard_id: RowId, body: Reclassify, who: Who) -> ActionRecord:
        """An inspector classifies the hazard major or general with a reason (kept in the audit trail: its row)."""
        recorded = await blocking(review.reclassify)(
            hazard_id, who, body.major, body.article, body.item, body.reason
        )
        return ActionRecord.model_validate(recorded)

    @r.post("/ui/api/hazards/{hazard_id}/{action}", responses=SESSION)
    async def act(hazard_id: RowId, action: str, body: ActionBody, who: Who) -> ActionRecord:
        """confirm, dismiss, order, report (with photo), close or reject; the audit row it made."""
        photo = decode_jpeg(body.photo, "photo") if body.photo else None
        recorded = await blocking(review.act)(
            hazard_id,
            action,
            who,
            body.reason,
            major=body.major,
            deadline_days=body.deadline_days,
            photo=photo,
        )
        return ActionRecord.model_validate(recorded)

    @r.get("/ui/api/audit", responses=SESSION)
    async def audit(who: Who, after: After = 0) -> AuditTrail:
        """Every decision, who and when (a project user: their project's), 1,000 at most after ``after``."""
        return await blocking(AuditTrail.model_validate)(
            {"actions": await blocking(review.audit)(who, after)}
        )

    return r
