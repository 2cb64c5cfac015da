"""The table that classifies gateway alerts by rule and clause (建质规〔2024〕5号): read by every user, kept by
the province's regulators and the admins."""

from __future__ import annotations

import time

from fastapi import APIRouter

from regulator.answers import SESSION, RowId
from regulator.ledger import classify
from regulator.ledger.queue_models import ClassificationEdit, ClassificationRow, ClassificationTable
from regulator.ledger.review import ReviewError
from regulator.routes.routing import Who, blocking
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def classifications_router(repo: Repository) -> APIRouter:
    """The routes over ``repo``'s classification table."""
    r = APIRouter()

    def editor(who: Actor) -> None:
        if who.role not in ("regulator", "admin"):
            raise ReviewError(403, f"a {who.role} may not edit the classification table")
        # the table classifies every project's alerts: a city or district reads it, the province keeps it
        if who.jurisdiction and SEP in who.jurisdiction:
            raise ReviewError(
                403, f"the classification table is kept at province level; {who.jurisdiction} may read it"
            )

    @r.get("/ui/api/classifications", responses=SESSION)
    async def classifications(_: Who) -> ClassificationTable:
        """The table that classifies gateway alerts by rule and clause (建质规〔2024〕5号)."""

        def read() -> list[classify.Rule]:
            with repo.engine.connect() as db:
                return classify.load(db)

        return ClassificationTable(
            standard=classify.STANDARD,
            no_article=classify.NO_ARTICLE,
            rows=[ClassificationRow.model_validate(r, from_attributes=True) for r in await blocking(read)()],
        )

    @r.put("/ui/api/classifications", responses=SESSION)
    async def save_classification(body: ClassificationEdit, who: Who) -> dict[str, int]:
        """Add or change the row of a rule and clause text (regulators and admins)."""
        editor(who)

        def write() -> int:
            with repo.engine.begin() as db:
                return classify.save(db, classify.Seed(**body.model_dump()), who.name, time.time())

        try:
            return {"id": await blocking(write)()}
        except classify.ClassificationError as exc:
            raise ReviewError(422, str(exc)) from None

    @r.delete("/ui/api/classifications/{row_id}", responses=SESSION)
    async def delete_classification(row_id: RowId, who: Who) -> dict[str, str]:
        """Remove a row (regulators and admins)."""
        editor(who)

        def remove() -> bool:
            with repo.engine.begin() as db:
                return classify.delete(db, row_id)

        if not await blocking(remove)():
            raise ReviewError(404, f"no classification row {row_id}")
        return {"status": "deleted"}

    return r
