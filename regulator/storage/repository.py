"""The regulator's repository: what it keeps, in PostgreSQL or SQLite (regulator/storage/db.py), each part in
a module of its own: the projects and their secrets (projects.py), the requests' nonces (nonces.py), the
gateways' events and their hazards (events.py, event_sql.py) and readings summaries (readings.py); pictures
are kept in a folder or an S3-compatible store (regulator/storage/evidence.py). `Repository` opens the
database (migrating it, adopting a first receiver's file: legacy.py) and offers all of it on one object.

Ingest (regulator/ingest/receive.py) decides what is acceptable; this package only keeps things durably. A
request's nonce, its event, the hazard the event belongs to and the evidence record are written in
one transaction, after the picture itself is durable (fsynced, or stored by S3), so an event answered
2xx survives a power cut. Nothing is ever deleted here but expired nonces, and a readings summary's
value of a minute that a newer summary of the same minute replaces.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import Engine

from regulator.storage.db import current, head, migrate, normalise_url, open_engine
from regulator.storage.events import Events
from regulator.storage.evidence import Kind, PictureStore
from regulator.storage.evidence_spec import open_evidence_store
from regulator.storage.legacy import adopt, set_aside
from regulator.storage.partitions import ensure_months
from regulator.storage.projects import Project, Projects
from regulator.storage.readings import Readings
from regulator.storage.scope import PROJECTS, Actor


class SchemaBehind(Exception):
    """A read-only regulator on a database whose schema is not this release's."""


def default_evidence_dir(db: str | Path) -> Path:
    """Next to a SQLite file (``X.sqlite`` -> ``X.evidence/``); ``./regulator-evidence`` for PostgreSQL."""
    url = normalise_url(db)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).with_suffix(".evidence")
    return Path("regulator-evidence")


class Repository(Projects, Events, Readings):
    """Thread-safe storage of the regulator; every write is durable before it returns."""

    def __init__(
        self,
        db: str | Path,
        evidence: PictureStore | str | Path | None = None,
        pool_size: int = 10,
        read_only: bool = False,
    ) -> None:
        """``evidence``: a picture store, a folder or ``s3://BUCKET/PREFIX`` (None: default_evidence_dir);
        ``read_only``: a standby's reader (regulator/routes/read_only.py), which changes nothing, the schema included:
        SchemaBehind when the primary's regulator has not brought it to this release's head."""
        self.read_only = read_only
        self.engine: Engine = open_engine(db, pool_size, read_only)
        self.pictures = (
            open_evidence_store(evidence or default_evidence_dir(db))
            if evidence is None or isinstance(evidence, str | Path)
            else evidence
        )
        self._next_sweep = 0.0
        self._projects: dict[str, tuple[float, Project]] = {}
        if read_only:
            if (found := current(self.engine)) != (wanted := head()):
                self.engine.dispose()
                raise SchemaBehind(
                    f"the database's schema is at revision {found}, this regulator's is {wanted}: start (or "
                    "upgrade) the primary's `sitegw regulator serve` first, which migrates it"
                )
            return
        set_aside(
            self.engine
        )  # a first receiver's tables, out of the migrations' way (regulator/storage/legacy.py)
        migrate(self.engine)
        self.ensure_partitions()
        adopt(self)

    def ensure_partitions(self, now: float | None = None) -> list[str]:
        """PostgreSQL: create the current and next two months' partitions of events and readings where
        missing (regulator/storage/partitions.py); the names created. A no-op on SQLite, which is not partitioned.

        Called on open and daily by the regulator's periodic loop; ``now`` (default: the clock) is the
        instant whose month counts as current.
        """
        if self.dialect != "postgresql":
            return []
        return ensure_months(self.engine, time.time() if now is None else now)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def picture(self, actor: Actor, sha256: str, kind: Kind = "jpg") -> bytes | None:
        """A stored evidence or rectification picture (or a vision alert's clip: ``kind`` webm), if it is of
        a hazard ``actor`` may see."""
        with self.scoped(actor) as db:
            seen = db.execute(
                "SELECT 1 FROM evidence e JOIN hazards h ON h.id = e.hazard_id "
                f"JOIN {PROJECTS} p ON p.code = h.project WHERE e.sha256 = :sha LIMIT 1",
                {"sha": sha256},
            ).first()
        return self.pictures.get(sha256, kind) if seen else None
