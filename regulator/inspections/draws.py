"""双随机一公开 (issue 53 §2): the pools of inspectors and of projects, the inspectors' recusals, and the
draws made from them.

A draw records who drew, when, from which pools, the seed (from ``secrets``) and the pools and recusals as
they stood; its result is a plan of kind ``draw`` (plans.py) whose targets are the projects drawn and whose
assignments are the inspectors drawn for each, so its coverage reads like any plan's. Reading a draw draws
again from the recorded pools and seed (draw.py) and says whether the result is the one stored: the audit
needs nothing but the record. A published draw shows on the public page (/public/api/draws): the projects
drawn, their inspectors, the seed and when.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from regulator.inspections.draw import Candidate, DrawError, Inspector, Pools, Recusal, draw
from regulator.inspections.plans import (
    UNDER_PLACE,
    NewPlan,
    insert_plan,
    place_args,
    regulator_only,
    visible,
    within,
)
from regulator.ledger.review import ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

MEMBER_KINDS = ("inspector", "project")
DRAW_KEYS = (
    "id", "plan_id", "inspector_pool", "project_pool", "seed", "projects", "per_project", "drawn_by",
    "drawn_at", "published_at", "title", "place", "due_at",
)  # fmt: skip


def add_members(repo: Repository, actor: Actor, pool: str, kind: str, members: list[str]) -> dict[str, Any]:
    """Add inspectors (regulator users) or projects (ones ``actor`` sees) to ``pool``; the pool. 422 for an
    unknown kind or a name that is no regulator, 404 for a project outside the user's jurisdiction."""
    regulator_only(actor)
    if kind not in MEMBER_KINDS:
        raise ReviewError(422, f"a pool holds {' or '.join(MEMBER_KINDS)}s, not {kind!r}")
    if not pool.strip():
        raise ReviewError(422, "a pool needs a name, e.g. 深圳市执法人员库")
    with repo.scoped(actor, write=True) as db:
        for member in members:
            if kind == "inspector":
                role = db.db.execute(
                    sql("SELECT role FROM users WHERE username = :u"), {"u": member}
                ).scalar_one_or_none()
                if role != "regulator":
                    raise ReviewError(
                        422, f"{member!r} is no regulator user: add-user --role regulator first"
                    )
            elif db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :p", {"p": member}).first() is None:
                raise ReviewError(404, f"no project {member!r}")
            db.db.execute(
                sql(
                    "INSERT INTO draw_pool_members(pool, kind, member) VALUES (:pool, :kind, :m) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"pool": pool.strip(), "kind": kind, "m": member},
            )
    return members_of(repo, actor, pool.strip())


def members_of(repo: Repository, actor: Actor, pool: str) -> dict[str, Any]:
    """A pool's inspectors and the projects of it ``actor`` sees."""
    regulator_only(actor)
    with repo.scoped(actor) as db:
        inspectors = db.db.execute(
            sql(
                "SELECT member FROM draw_pool_members WHERE pool = :pool AND kind = 'inspector' ORDER BY member"
            ),
            {"pool": pool},
        ).scalars()
        projects = db.execute(
            f"SELECT m.member FROM draw_pool_members m JOIN {PROJECTS} p ON p.code = m.member "
            "WHERE m.pool = :pool AND m.kind = 'project' ORDER BY m.member",
            {"pool": pool},
        ).scalars()
        return {"pool": pool, "inspectors": list(inspectors), "projects": list(projects)}


def recuse(
    repo: Repository, actor: Actor, inspector: str, reason: str, project: str | None, company: str | None
) -> dict[str, Any]:
    """Record that ``inspector`` must not inspect ``project`` (a past role on it) or any project of
    ``company``; the recusal. 422 without exactly one of them or a reason."""
    regulator_only(actor)
    if bool(project) == bool(company):
        raise ReviewError(422, "a recusal names a project or a company (one of them)")
    if not reason.strip():
        raise ReviewError(422, "a recusal needs its reason, e.g. 曾任该项目监理")
    with repo.engine.begin() as db:
        new = db.execute(
            sql(
                "INSERT INTO draw_recusals(inspector, project, company, reason, recorded_by, recorded_at) "
                "VALUES (:i, :p, :c, :r, :by, :now) RETURNING id"
            ),
            {
                "i": inspector,
                "p": project,
                "c": company,
                "r": reason.strip(),
                "by": actor.name,
                "now": time.time(),
            },
        ).scalar_one()
    return {"id": int(new), "inspector": inspector, "project": project, "company": company, "reason": reason}


def _pools(repo: Repository, actor: Actor, inspector_pool: str, project_pool: str, place: str) -> Pools:
    with repo.scoped(actor) as db:
        inspectors = db.db.execute(
            sql(
                "SELECT u.username, COALESCE(j.path, '') FROM draw_pool_members m "
                "JOIN users u ON u.username = m.member LEFT JOIN jurisdictions j ON j.id = u.jurisdiction_id "
                "WHERE m.pool = :pool AND m.kind = 'inspector' AND u.role = 'regulator' ORDER BY u.username"
            ),
            {"pool": inspector_pool},
        ).all()
        projects = db.execute(
            f"SELECT p.code, COALESCE(p.contractor, ''), COALESCE(j.path, '') FROM draw_pool_members m "
            f"JOIN {PROJECTS} p ON p.code = m.member LEFT JOIN jurisdictions j ON j.id = p.district_id "
            f"WHERE m.pool = :pool AND m.kind = 'project' AND {UNDER_PLACE} ORDER BY p.code",
            {"pool": project_pool, **place_args(place)},
        ).all()
        recusals = db.db.execute(
            sql("SELECT inspector, project, company FROM draw_recusals ORDER BY id")
        ).all()
    names = {name for name, _ in inspectors}
    return Pools(
        tuple(Inspector(n, p) for n, p in inspectors),
        tuple(Candidate(c, co, d) for c, co, d in projects),
        tuple(Recusal(i, p, c) for i, p, c in recusals if i in names),
    )


def _as_json(pools: Pools) -> str:
    return json.dumps(
        {
            "inspectors": [[i.name, i.place] for i in pools.inspectors],
            "projects": [[p.code, p.company, p.district] for p in pools.projects],
            "recusals": [[r.inspector, r.project, r.company] for r in pools.recusals],
        },
        ensure_ascii=False,
    )


def _from_json(text: str) -> Pools:
    data = json.loads(text)
    return Pools(
        tuple(Inspector(*i) for i in data["inspectors"]),
        tuple(Candidate(*p) for p in data["projects"]),
        tuple(Recusal(*r) for r in data["recusals"]),
    )


def make_draw(
    repo: Repository,
    actor: Actor,
    new: NewPlan,
    inspector_pool: str,
    project_pool: str,
    projects: int,
    per_project: int = 2,
) -> dict[str, Any]:
    """Draw ``projects`` projects of ``project_pool`` (those of the user's jurisdiction) and ``per_project``
    inspectors of ``inspector_pool`` for each, with a fresh seed; the draw as ``one`` reads it. 422 when
    the pools cannot give it (DrawError's reason)."""
    regulator_only(actor)
    place = actor.jurisdiction or ""
    pools = _pools(repo, actor, inspector_pool, project_pool, place)
    seed = secrets.token_hex(16)
    try:
        result = draw(pools, seed, projects, per_project)
    except DrawError as exc:
        raise ReviewError(422, str(exc)) from None
    with repo.scoped(actor, write=True) as db:
        plan_id = insert_plan(db, actor, new, place, sorted(code for code, _ in result))
        db.db.execute(
            sql("INSERT INTO inspection_assignments(plan_id, project, inspector) VALUES (:id, :p, :i)"),
            [{"id": plan_id, "p": code, "i": who} for code, names in result for who in names],
        )
        draw_id = db.db.execute(
            sql(
                "INSERT INTO draws(plan_id, inspector_pool, project_pool, seed, projects, per_project, pools, "
                "drawn_by, drawn_at) VALUES (:plan, :ip, :pp, :seed, :n, :k, :pools, :by, :now) RETURNING id"
            ),
            {
                "plan": plan_id,
                "ip": inspector_pool,
                "pp": project_pool,
                "seed": seed,
                "n": projects,
                "k": per_project,
                "pools": _as_json(pools),
                "by": actor.name,
                "now": time.time(),
            },
        ).scalar_one()
    return one(repo, actor, int(draw_id))


DRAWS = (
    "SELECT d.id, d.plan_id, d.inspector_pool, d.project_pool, d.seed, d.projects, d.per_project, d.drawn_by, "
    "d.drawn_at, d.published_at, ip.title, ip.place, ip.due_at, d.pools FROM draws d "
    "JOIN inspection_plans ip ON ip.id = d.plan_id"
)


def _result(db: Any, plan_id: int) -> list[dict[str, Any]]:
    rows = db.execute(
        sql(
            "SELECT a.project, p.name, COALESCE(j.path, ''), a.inspector FROM inspection_assignments a "
            "JOIN projects p ON p.code = a.project LEFT JOIN jurisdictions j ON j.id = p.district_id "
            "WHERE a.plan_id = :id ORDER BY a.project, a.inspector"
        ),
        {"id": plan_id},
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for code, name, district, inspector in rows:
        found.setdefault(code, {"project": code, "name": name, "district": district, "inspectors": []})
        found[code]["inspectors"].append(inspector)
    return list(found.values())


def one(repo: Repository, actor: Actor, draw_id: int) -> dict[str, Any]:
    """A draw ``actor`` sees (404 otherwise): the audit record, the pools as drawn from, the result, and
    whether drawing again from the recorded pools and seed gives that result (``reproduced``); a user below
    the draw's place sees the projects of theirs and not the pools."""
    regulator_only(actor)
    with repo.engine.connect() as db:
        row = db.execute(sql(f"{DRAWS} WHERE d.id = :id"), {"id": draw_id}).first()
        if row is None or not visible(actor, row[11]):
            raise ReviewError(404, f"no draw {draw_id}")
        result = _result(db, row[1])
    found = dict(zip(DRAW_KEYS, row[:-1], strict=True))
    again = draw(_from_json(row[-1]), found["seed"], found["projects"], found["per_project"])
    stored = sorted((r["project"], r["inspectors"]) for r in result)
    own = actor.jurisdiction or ""
    # the whole record to those whose place holds the draw's; to a district's inspector, their projects
    whole = within(found["place"], own)
    return found | {
        "pools": json.loads(row[-1]) if whole else None,
        "result": [r for r in result if within(r["district"], own)],
        "reproduced": sorted(again) == stored,
    }


def draws(repo: Repository, actor: Actor) -> list[dict[str, Any]]:
    """The draws ``actor`` sees, the newest first (their records, without result)."""
    regulator_only(actor)
    with repo.engine.connect() as db:
        rows = db.execute(sql(f"{DRAWS} ORDER BY d.id DESC")).all()
    return [dict(zip(DRAW_KEYS, r[:-1], strict=True)) for r in rows if visible(actor, r[11])]


def publish(repo: Repository, actor: Actor, draw_id: int) -> dict[str, Any]:
    """Put the draw on the public page (once; publishing again changes nothing); the draw."""
    one(repo, actor, draw_id)  # 404 unless seen
    with repo.engine.begin() as db:
        db.execute(
            sql("UPDATE draws SET published_at = :now WHERE id = :id AND published_at IS NULL"),
            {"now": time.time(), "id": draw_id},
        )
    return one(repo, actor, draw_id)


def published(repo: Repository) -> list[dict[str, Any]]:
    """The published draws, the newest first, as the public page shows them: title, place, when drawn and
    published, the seed, and each project drawn with its inspectors."""
    with repo.engine.connect() as db:
        rows = db.execute(sql(f"{DRAWS} WHERE d.published_at IS NOT NULL ORDER BY d.id DESC")).all()
        return [
            {
                "id": r[0],
                "title": r[10],
                "place": r[11],
                "drawn_at": r[8],
                "published_at": r[9],
                "seed": r[4],
                "result": _result(db, r[1]),
            }
            for r in rows
        ]
