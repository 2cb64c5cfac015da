"""A project's 危大工程清单 and its membership of the video-monitoring set at the parent (issue 50 §4), so the
province's 危大 screen and its 举一反三 sweeps (regulator/ledger/dangerous_works.py, inspections/sweeps.py), its
patrol wall's set filter and its patrol coverage (video/patrol.py, ledger/patrol_duty.py) count a city's
projects as its own.

Each is one record per project, keyed by its code, read whole when it is sent: a ``dangerous_works`` record
holds the list as the site last sent it, a ``video_set`` record the project's category and the decision behind
it. Both say when they are gone (``items`` or ``category`` null), which the outbox's trigger queues on a
DELETE as on any change: the parent then removes its copy. The 危大 list's trigger fires only when the list
changed, not at every heartbeat that repeats it (outbox.CHANGED).

A list too long for one value of the wire (MAX_TEXT) goes as consecutive parts (``items``, ``items_1``, ...),
joined by the parent before it reads the list; past ``MAX_PARTS`` the parent cannot read it and the record is
set aside at the city with the reason, as any record the parent refuses.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.engine import Connection

from contract.config.dangerous_works import DangerousWork
from regulator.forwarding.wire import MAX_TEXT
from regulator.storage.db import sql

MAX_PARTS = 60  # a list's parts at most: 1.2 M characters, far above the 500 items a heartbeat carries
MAX_WORKS = 500  # items of a list at most, as contract.wire.Heartbeat.dangerous_works
WORKS = TypeAdapter(list[DangerousWork])
DECISION = ("category", "reason", "effective_on", "decided_by", "decided_at")
# the set's history at a city that does not say why a project left it (its row deleted by other means)
REMOVED_UNSAID = "下级平台移出（未记录原因）"


def part_name(n: int) -> str:
    return "items" if n == 0 else f"items_{n}"


def works_row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The ``dangerous_works`` record's row of project ``ref``: its list (without the items' default values,
    in parts of at most MAX_TEXT characters) and when it was received, or ``items`` null when the project
    holds none any more; None when the project itself is gone."""
    found = db.execute(
        sql("SELECT items, received_at FROM dangerous_works WHERE project = :p"), {"p": ref}
    ).first()
    if found is None:
        known = db.execute(sql("SELECT 1 FROM projects WHERE code = :p"), {"p": ref}).first()
        return None if known is None else {"project": ref, "items": None}
    text = WORKS.dump_json(WORKS.validate_json(found[0]), exclude_defaults=True).decode()
    parts = [text[i : i + MAX_TEXT] for i in range(0, len(text), MAX_TEXT)][:MAX_PARTS] or ["[]"]
    return {"project": ref, "received_at": found[1], **{part_name(n): p for n, p in enumerate(parts)}}


def joined(row: dict[str, Any]) -> dict[str, Any]:
    """A ``dangerous_works`` row with its parts joined into ``items`` (the others dropped)."""
    if row.get("items") is None:
        return row
    parts = [row[part_name(n)] for n in range(MAX_PARTS + 1) if isinstance(row.get(part_name(n)), str)]
    return {k: v for k, v in row.items() if not k.startswith("items_")} | {"items": "".join(parts)}


def keep_works(db: Connection, kept: dict[str, Any], now: float) -> None:
    """Keep the city's list ``kept`` (checked: rows.DangerousWorksRow, ``project`` the parent's) as the
    project's, or remove the parent's copy when ``items`` is null."""
    if kept["items"] is None:
        db.execute(sql("DELETE FROM dangerous_works WHERE project = :p"), {"p": kept["project"]})
        return
    db.execute(
        sql(
            "INSERT INTO dangerous_works(project, items, received_at) VALUES (:p, :items, :at) ON CONFLICT "
            "(project) DO UPDATE SET items = excluded.items, received_at = excluded.received_at"
        ),
        {
            "p": kept["project"],
            "items": WORKS.dump_json(WORKS.validate_python(kept["items"])).decode(),
            "at": now if kept["received_at"] is None else kept["received_at"],
        },
    )


def member_row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The ``video_set`` record's row of project ``ref``: its category and the decision, or ``category``
    null with the decision that took it out (the set's history) when it is not in the set; None when the
    project itself is gone."""
    found = db.execute(
        sql(f"SELECT {', '.join(DECISION)} FROM video_set WHERE project = :p"), {"p": ref}
    ).first()
    if found is not None:
        return {"project": ref, **dict(zip(DECISION, found, strict=True))}
    if db.execute(sql("SELECT 1 FROM projects WHERE code = :p"), {"p": ref}).first() is None:
        return None
    left = db.execute(
        sql(
            "SELECT reason, effective_on, decided_by, decided_at FROM video_set_changes "
            "WHERE project = :p AND action = 'remove' ORDER BY id DESC LIMIT 1"
        ),
        {"p": ref},
    ).first()
    said = dict(zip(DECISION[1:], left, strict=True)) if left is not None else {"reason": REMOVED_UNSAID}
    return {"project": ref, "category": None, **said}


def keep_member(db: Connection, kept: dict[str, Any], now: float) -> None:
    """The city's decision ``kept`` (checked: rows.VideoSetRow, ``project`` the parent's) on the parent's set:
    the project included, its category changed or removed, each step in the set's history as the parent's
    own are; a decision the parent holds already (a record sent again) changes nothing."""
    project = kept["project"]
    held = db.execute(
        sql(f"SELECT {', '.join(DECISION)} FROM video_set WHERE project = :p"), {"p": project}
    ).first()
    was = None if held is None else dict(zip(DECISION, held, strict=True))
    decision = {k: kept.get(k) for k in DECISION}
    decision["effective_on"] = decision["effective_on"] or ""
    decision["decided_by"] = decision["decided_by"] or ""
    decision["decided_at"] = decision["decided_at"] if decision["decided_at"] is not None else now
    args = {"p": project, **decision}
    if kept["category"] is None:
        if was is None:
            return
        db.execute(sql("DELETE FROM video_set WHERE project = :p"), {"p": project})
        action, args["category"] = "remove", was["category"]
    elif was == decision:
        return
    else:
        columns = ", ".join(DECISION)
        db.execute(
            sql(
                f"INSERT INTO video_set(project, {columns}) VALUES (:p, {', '.join(':' + c for c in DECISION)}) "
                f"ON CONFLICT (project) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in DECISION)}"
            ),
            args,
        )
        action = "include" if was is None else "change"
    db.execute(
        sql(
            f"INSERT INTO video_set_changes(project, action, {', '.join(DECISION)}) "
            f"VALUES (:p, :a, {', '.join(':' + c for c in DECISION)})"
        ),
        {**args, "a": action},
    )
