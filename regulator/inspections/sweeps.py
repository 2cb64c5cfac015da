"""举一反三 (issue 53 §5): after an accident, a sweep of every project of the jurisdiction with the same kind
of work (every site with a suspended platform after a platform accident), as an inspection plan with its
kind of work's checklist and its coverage like any other (coverage.py), inspected on the phone (on_site.py).

The regulator knows a project has a kind of work from what its gateway sent, any of:

- a device of that kind: one of the newest ``RECENT_READINGS`` readings of one of the project's devices is
  a metric only that kind declares (contract/kinds/; one probe of the readings' index per device);
- an alert of that kind's checks in the ledger (``rule`` ``platform.*``);
- an item of its 危大工程清单 not yet ended whose name says the work (``words``: 吊篮).

A project none of these shows (a site without a gateway, or one that sends nothing of the work) is added
by hand: the sweep's ``projects`` are added to what was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contract.kinds import registry
from regulator.inspections.plans import (
    UNDER_PLACE,
    NewPlan,
    insert_plan,
    place_args,
    plan,
    regulator_only,
)
from regulator.ledger.review import ReviewError
from regulator.names import BEIJING
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

RECENT_READINGS = 50  # a device's last minute or two of summaries: every metric it reports, once at least


@dataclass(frozen=True, slots=True)
class Work:
    """A kind of work a sweep reaches: the device kind whose devices and checks show it, the theme whose
    checklist the sweep takes (themes.py), and the words a 危大 item naming it uses."""

    name: str
    kind: str
    theme: str
    words: tuple[str, ...]


WORKS: dict[str, Work] = {
    "platform": Work("高处作业吊篮", "platform", "heights", ("吊篮",)),
    "crane": Work("塔式起重机", "crane", "cranes", ("塔吊", "塔式起重机", "塔机")),
    "hoist": Work("施工升降机", "hoist", "cranes", ("升降机", "施工电梯")),
    "confined": Work("有限空间作业", "confined_space", "confined", ("有限空间",)),
    "pit": Work("深基坑", "pit", "flood", ("基坑",)),
}


def own_metrics(kind: str) -> list[str]:
    """The metrics only ``kind`` declares: a device reporting one is of that kind."""
    others = {m.name for k in registry.kinds() if k.name != kind for m in k.metrics}
    return [m.name for m in registry.get(kind).metrics if m.name not in others]


def _by_devices(db: ScopedConnection, work: Work, args: dict[str, Any]) -> set[str]:
    metrics = own_metrics(work.kind)
    if not metrics:
        return set()
    names = {f"m{i}": m for i, m in enumerate(metrics)}
    rows = db.execute(
        "WITH RECURSIVE d(project, device) AS ("
        f" SELECT p.code, (SELECT MIN(r.device) FROM readings r WHERE r.project = p.code) FROM {PROJECTS} p"
        f" WHERE {UNDER_PLACE}"
        " UNION ALL SELECT d.project, (SELECT MIN(r.device) FROM readings r WHERE r.project = d.project"
        "  AND r.device > d.device) FROM d WHERE d.device IS NOT NULL) "
        "SELECT DISTINCT d.project FROM d WHERE d.device IS NOT NULL AND EXISTS (SELECT 1 FROM (SELECT r.metric "
        "FROM readings r WHERE r.project = d.project AND r.device = d.device ORDER BY r.ts DESC LIMIT :recent) x "
        f"WHERE x.metric IN ({', '.join(':' + n for n in names)}))",
        args | names | {"recent": RECENT_READINGS},
    ).all()
    return {r[0] for r in rows}


def _by_alerts(db: ScopedConnection, work: Work, args: dict[str, Any]) -> set[str]:
    prefix = work.kind + "."
    rows = db.execute(
        f"SELECT DISTINCT p.code FROM {PROJECTS} p JOIN hazards h ON h.project = p.code WHERE {UNDER_PLACE} "
        "AND h.source = 'gateway' AND substr(h.rule, 1, :n) = :prefix",
        args | {"n": len(prefix), "prefix": prefix},
    ).all()
    return {r[0] for r in rows}


def _by_dangerous_works(db: ScopedConnection, work: Work, args: dict[str, Any], today: str) -> set[str]:
    rows = db.execute(
        f"SELECT p.code, w.items FROM {PROJECTS} p JOIN dangerous_works w ON w.project = p.code WHERE {UNDER_PLACE}",
        args,
    ).all()
    found = set()
    for code, items in rows:
        for item in json.loads(items):
            ended = item.get("actual_end") and str(item["actual_end"]) < today
            if not ended and any(word in str(item.get("name", "")) for word in work.words):
                found.add(code)
    return found


def doing(db: ScopedConnection, work: Work, place: str, today: str) -> set[str]:
    """The projects under ``place`` the connection's actor sees that show ``work`` (the module's three ways)."""
    args = place_args(place)
    return (
        _by_devices(db, work, args) | _by_alerts(db, work, args) | _by_dangerous_works(db, work, args, today)
    )


def sweep(
    repo: Repository, actor: Actor, incident_id: int, work_key: str, due_at: float, more: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Start a 举一反三 sweep after the accident: a plan over every project of ``actor``'s jurisdiction that
    shows the work (and ``more``), with the work's checklist; the plan as ``plan`` reads it. 404 for an
    accident ``actor`` may not see or a project in ``more`` they may not see, 422 for an unknown work or a
    sweep that reaches no project."""
    regulator_only(actor)
    if work_key not in WORKS:
        known = "、".join(f"{k}（{w.name}）" for k, w in WORKS.items())
        raise ReviewError(422, f"no kind of work {work_key!r}: choose one of {known}")
    work = WORKS[work_key]
    place = actor.jurisdiction or ""
    now = datetime.now(BEIJING)
    with repo.scoped(actor, write=True) as db:
        accident = db.execute(
            f"SELECT i.project, p.name, i.kind FROM incidents i JOIN {PROJECTS} p ON p.code = i.project "
            "WHERE i.id = :id",
            {"id": incident_id},
        ).first()
        if accident is None:
            raise ReviewError(404, f"no accident {incident_id} in your jurisdiction")
        found = doing(db, work, place, now.date().isoformat())
        seen = {
            r[0]
            for r in db.execute(f"SELECT p.code FROM {PROJECTS} p WHERE {UNDER_PLACE}", place_args(place))
        }
        missing = [code for code in more if code not in seen]
        if missing:
            raise ReviewError(404, f"no project {missing[0]!r} in {place or 'your jurisdiction'}")
        targets = sorted(found | set(more))
        if not targets:
            raise ReviewError(
                422, f"no project of {place or 'your jurisdiction'} shows {work.name}: name them in projects"
            )
        what = "事故" if accident[2] == "accident" else "险情"
        title = f"举一反三：{accident[1]}{what}后{work.name}专项排查"
        new = NewPlan("sweep", title, now.timestamp(), due_at, place, work.theme, tuple(targets))
        if due_at <= new.starts_at:
            raise ReviewError(422, "the deadline is before the sweep starts: give a deadline after today")
        plan_id = insert_plan(db, actor, new, place, targets)
        db.db.execute(
            sql("UPDATE inspection_plans SET incident_id = :i, work = :w WHERE id = :id"),
            {"i": incident_id, "w": work_key, "id": plan_id},
        )
    return plan(repo, actor, plan_id)
