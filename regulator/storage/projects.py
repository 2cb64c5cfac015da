"""The registered projects and their signing secrets, each in its district of the places tree
(regulator/storage/jurisdictions.py), and the connection that reads only the projects an actor may see
(regulator/storage/scope.py). Part of the repository (regulator/storage/repository.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP, chain, ensure
from regulator.storage.scope import PROJECTS, Actor, Scope, ScopedConnection

PROJECT_CACHE_S = 5.0  # a changed secret reaches every replica within this (ingest reads it per request)


@dataclass(frozen=True, slots=True)
class Project:
    """A registered project and its signing secret."""

    code: str
    name: str
    city: str
    secret: str
    district: str = ""
    contractor: str = ""
    last_seen_at: float | None = None
    supervisor: str = ""  # the supervision company (监理单位)
    gateway_release: str | None = None  # the sitegw release its gateway's last heartbeat named; None: never
    # a forwarded project's devices and cameras, online and known, as its city last summed them up
    # (regulator/forwarding/liveness.py); None: its gateway reports here, or no summary came yet
    devices_online: int | None = None
    devices_total: int | None = None
    cameras_online: int | None = None
    cameras_total: int | None = None


# a forwarded project's counts as its city last summed them up (regulator/forwarding/liveness.py), on its row
LIVENESS = ("devices_online", "devices_total", "cameras_online", "cameras_total")
# a project ``p`` a child platform (a city's, a district's) forwarded here (issue 50): its gateway reports to
# that platform, never here, so it has no readings or pictures of its own here and hears nothing asked here
RELAYED = "EXISTS (SELECT 1 FROM forward_records f WHERE f.kind = 'project' AND f.local_id = p.code)"

PROJECT_OF = "SELECT code, name, city, secret, district, contractor, last_seen_at, supervisor FROM projects WHERE code=:code"


class Projects:
    """Registering projects and reading them (``cached``: as ingest does, per request)."""

    engine: Engine
    _projects: dict[str, tuple[float, Project]]

    def add_project(
        self,
        code: str,
        name: str,
        city: str,
        secret: str,
        district: str = "",
        contractor: str = "",
        province: str = "",
        supervisor: str = "",
    ) -> str:
        """Register a project, or replace its name, place, companies and secret; it goes in the district its
        city and district name (regulator/storage/jurisdictions.py, ``province`` where the city table does not know
        the city), created with its city and province where new. ``supervisor``: the supervision company
        (监理单位). Returns that district's path."""
        place = chain(city, district, province)
        with self.engine.begin() as db:
            db.execute(
                sql(
                    "INSERT INTO projects(code, name, city, district, contractor, supervisor, secret, created_at, "
                    "district_id) VALUES (:code, :name, :city, :district, :contractor, :supervisor, :secret, :now, "
                    ":district_id) ON CONFLICT (code) DO UPDATE SET name=excluded.name, city=excluded.city, "
                    "district=excluded.district, contractor=excluded.contractor, supervisor=excluded.supervisor, "
                    "secret=excluded.secret, district_id=excluded.district_id"
                ),
                {
                    "code": code,
                    "name": name,
                    "city": city,
                    "district": district,
                    "contractor": contractor,
                    "supervisor": supervisor,
                    "secret": secret,
                    "now": time.time(),
                    "district_id": ensure(db, place),
                },
            )
        self._projects.pop(code, None)
        return SEP.join(place)

    @contextmanager
    def scoped(self, actor: Actor, write: bool = False) -> Iterator[ScopedConnection]:
        """A connection (a transaction with ``write``) that reads only the projects ``actor`` may see
        (regulator/storage/scope.py): every read of the ledger for a person goes through here."""
        with self.engine.begin() if write else self.engine.connect() as db:
            yield ScopedConnection(db, Scope.of(actor))

    def cached_project(self, code: str) -> Project | None:
        """The project with this code as project(code, cached=True) last read it, if that was at most
        PROJECT_CACHE_S ago; None otherwise (no query: project(code, cached=True) asks the database)."""
        hit = self._projects.get(code)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def project(self, code: str, cached: bool = False) -> Project | None:
        """The project with this code, if registered (``cached``: as read at most PROJECT_CACHE_S ago)."""
        if cached:
            return self.cached_project(code) or self.keep_project(code, self.project(code))
        with self.engine.connect() as db:
            row = db.execute(sql(PROJECT_OF), {"code": code}).first()
        return Project(*row) if row else None

    def keep_project(self, code: str, found: Project | None) -> Project | None:
        """``found``, the project PROJECT_OF just read for ``code``, kept for cached_project during
        PROJECT_CACHE_S; returns it."""
        if (
            found is not None
        ):  # only registered codes: a cache of every code anyone sends would grow without end
            self._projects[code] = (time.monotonic() + PROJECT_CACHE_S, found)
        return found

    def projects(self) -> list[Project]:
        """Every registered project, by code."""
        with self.engine.connect() as db:
            rows = db.execute(
                sql(
                    "SELECT code, name, city, secret, district, contractor, last_seen_at, supervisor, "
                    "gateway_release FROM projects ORDER BY code"
                )
            ).all()
        return [Project(*r) for r in rows]

    def visible_projects(
        self, actor: Actor, limit: int, offset: int = 0, search: str = ""
    ) -> tuple[list[tuple[Project, str | None]], int]:
        """The projects ``actor`` may see whose code or name holds ``search`` in any case (every one if it is
        empty), by code, each
        with its place's path (None: in no place yet): ``limit`` of them from ``offset``, and how many match
        in all."""
        args = {"q": "%" + "".join("\\" + c if c in "\\%_" else c for c in search.lower()) + "%"}
        where = (
            "WHERE LOWER(p.code) LIKE :q ESCAPE '\\' OR LOWER(p.name) LIKE :q ESCAPE '\\'" if search else ""
        )
        with self.scoped(actor) as db:
            rows = db.execute(
                "SELECT p.code, p.name, p.city, p.secret, p.district, p.contractor, p.last_seen_at, p.supervisor, "
                "p.gateway_release, p.devices_online, p.devices_total, p.cameras_online, p.cameras_total, j.path "
                f"FROM {PROJECTS} p LEFT JOIN jurisdictions j ON j.id = p.district_id {where} ORDER BY p.code "
                "LIMIT :limit OFFSET :offset",
                args | {"limit": limit, "offset": offset},
            ).all()
            total = db.execute(f"SELECT COUNT(*) FROM {PROJECTS} p {where}", args).scalar_one()
        return [(Project(*r[:-1]), r[-1]) for r in rows], int(total)

    def keep_release(self, project: str, release: str) -> None:
        """The sitegw release the project's gateway says it runs (its heartbeat), kept until another is said:
        written only when it changed, so the heartbeats of a gateway that was not upgraded write nothing."""
        with self.engine.begin() as db:
            db.execute(
                sql(
                    "UPDATE projects SET gateway_release = :r WHERE code = :p "
                    "AND (gateway_release IS NULL OR gateway_release <> :r)"
                ),
                {"p": project, "r": release},
            )
