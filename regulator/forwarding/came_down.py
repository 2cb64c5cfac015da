"""Which of this platform's rows came down from its parent (``forward_down``): the parent's id of each row
made from one of the parent's (a decision, a listing, a notice, a warning signal), so that the same row of
the parent is kept once here however often it comes down, and goes back up as the parent's own."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from regulator.storage.db import sql


def local(db: Connection, kind: str, remote: int) -> int | None:
    """This platform's row made from the parent's ``remote`` row of ``kind``, or None."""
    found = db.execute(
        sql("SELECT local_id FROM forward_down WHERE kind = :k AND remote_id = :r"),
        {"k": kind, "r": str(remote)},
    ).scalar()
    return None if found is None else int(found)


def remember(db: Connection, kind: str, mine: int, remote: int) -> None:
    """Row ``mine`` was made from the parent's ``remote`` (in the transaction that made it)."""
    db.execute(
        sql("INSERT INTO forward_down(kind, local_id, remote_id) VALUES (:k, :l, :r)"),
        {"k": kind, "l": str(mine), "r": str(remote)},
    )
