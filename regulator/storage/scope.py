"""Who sees what: the one filter between a signed-in user and the ledger.

Every read of projects' data for a person (the queue, a hazard, the actions on it, the overview and the
map, the warning counters, the projects list, pictures) runs on a `ScopedConnection`
(``Repository.scoped(actor)``). Its statements name the projects they may read as ``{projects}``, which it
replaces with the actor's projects; a statement without it is refused (`ScopeError`), so a query that
forgets the scope fails on its first run instead of showing one district another's hazards. What an
actor may see:

- a project user (and a project's gateway): their one project;
- a regulator with a jurisdiction (regulator/storage/jurisdictions.py): the projects of the districts under it;
- an admin, a regulator without a jurisdiction (every user from before jurisdictions) and the system:
  every project.

What is outside answers as if absent (404, never 403): the existence of another district's hazard is
itself not the user's to know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, CursorResult

from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP

PROJECTS = "{projects}"
SITE_ROLES = ("project", "gateway")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a signed-in user (regulator, project user, admin) or a project's gateway."""

    name: str
    role: str
    project: str | None = None
    # the path of the user's place (广东省/深圳市/南山区); None: every project, as before jurisdictions
    jurisdiction: str | None = None


class ScopeError(RuntimeError):
    """A statement run on a scoped connection that does not read projects through ``{projects}``."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The projects an actor may see: one project, the districts under a place, or (neither) every one."""

    project: str | None = None
    place: str | None = None

    @classmethod
    def of(cls, actor: Actor) -> Scope:
        """The scope of this actor (see the module's docstring)."""
        if actor.role in SITE_ROLES:
            return cls(project=actor.project or "")  # a site user without a project sees nothing
        if actor.jurisdiction:
            return cls(place=actor.jurisdiction)
        return cls()

    def projects(self) -> tuple[str, dict[str, Any]]:
        """The relation that stands for ``{projects}`` and its bind parameters."""
        if self.project is not None:
            return "(SELECT * FROM projects WHERE code = :scope_project)", {"scope_project": self.project}
        if self.place is not None:
            # the place itself (a district) or any place whose path goes on below it; a project with no
            # district yet (written around the repository) is in no place, so only unscoped users see it
            prefix = self.place + SEP
            return (
                "(SELECT * FROM projects WHERE district_id IN (SELECT id FROM jurisdictions "
                "WHERE path = :scope_place OR substr(path, 1, :scope_len) = :scope_prefix))",
                {"scope_place": self.place, "scope_prefix": prefix, "scope_len": len(prefix)},
            )
        return "projects", {}


class ScopedConnection:
    """A connection whose statements read projects only through an actor's scope.

    ``db`` is the connection itself, for what follows a scoped read that found the row (the events of a
    hazard the actor may see, the audit row of an action taken on it).
    """

    def __init__(self, db: Connection, scope: Scope) -> None:
        self.db = db
        self.scope = scope

    def execute(
        self, statement: str, args: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run ``statement`` with ``{projects}`` standing for the actor's projects."""
        if PROJECTS not in statement:
            raise ScopeError(f"a scoped statement must read projects through {PROJECTS}: {statement[:120]}")
        relation, bound = self.scope.projects()
        return self.db.execute(sql(statement.replace(PROJECTS, relation)), {**(args or {}), **bound})
