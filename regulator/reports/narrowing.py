"""A regulator narrowed to a place under their jurisdiction: the place the overview, the map, risk and
grading and the monthly report open."""

from __future__ import annotations

from regulator.ledger.review import ReviewError
from regulator.storage import jurisdictions
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def narrowed(repo: Repository, who: Actor, place: str) -> Actor:
    """``who`` narrowed to ``place`` (省/市/区县) under their jurisdiction, 404 outside it as if absent;
    ``who`` as is for an empty ``place``; 403 for a project user (who sees their project, in no place)."""
    if not place.strip():
        return who
    if who.role not in ("regulator", "admin"):
        raise ReviewError(403, f"a project user sees their project: no place to open ({place!r})")
    with repo.engine.connect() as db:
        try:
            found = jurisdictions.find(db, place)
        except jurisdictions.UnknownPlace as exc:
            raise ReviewError(404, str(exc)) from None
    mine = who.jurisdiction
    if mine and found.path != mine and not found.path.startswith(mine + SEP):
        raise ReviewError(404, f"no place {place!r} in {mine}")
    return Actor(who.name, who.role, None, found.path)
