"""Adopting a database of the first receiver (SQLite, before migrations and the hazard ledger).

`sitegw demo` keeps its receiver's database in its state folder, so such databases exist. Nothing
they accepted may be lost: on first open their four tables are renamed ``legacy_*`` (kept, never
deleted), the migrations create the current schema, and every project and event is stored again
through the normal path (events are idempotent by event_id, so an import cut short resumes on the
next open). A ``legacy_imported`` table marks the import done.
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from contract.alert_event import AlertEvent
from regulator.storage.evidence import Evidence
from regulator.storage.projects import Project

TABLES = ("projects", "nonces", "events", "evidence")


class Adopting(Protocol):
    """What adopting needs of the repository opening the database (regulator/storage/repository.py)."""

    engine: Engine

    def project(self, code: str, cached: bool = False) -> Project | None: ...

    def add_project(self, code: str, name: str, city: str, secret: str) -> str: ...

    def store_event(
        self,
        event: AlertEvent,
        nonce: str,
        keep_nonce_s: float,
        evidence: Evidence | None = None,
        received_at: float | None = None,
    ) -> bool: ...


class LegacyDatabase(RuntimeError):
    """A database of the first receiver that is not SQLite: there never was one, so it is not touched."""


def set_aside(engine: Engine) -> None:
    """Rename a first receiver's tables (events, but no alembic version) to ``legacy_*`` so the migrations can
    create the current ones; any other database is left as it is. Run before migrating."""
    tables = set(sa.inspect(engine).get_table_names())
    if "events" not in tables or "alembic_version" in tables:
        return
    if engine.dialect.name != "sqlite":
        raise LegacyDatabase(
            f"{engine.url.render_as_string(hide_password=True)} has an events table but no "
            "alembic version: not a regulator database this version knows; use another --db"
        )
    with engine.begin() as db:
        for table in TABLES:
            db.execute(sa.text(f"ALTER TABLE {table} RENAME TO legacy_{table}"))


def adopt(repo: Adopting) -> int:
    """Import projects and events set aside earlier, if not done yet; the number of events imported."""
    tables = set(sa.inspect(repo.engine).get_table_names())
    if "legacy_events" not in tables or "legacy_imported" in tables:
        return 0
    with repo.engine.connect() as db:
        projects = db.execute(sa.text("SELECT code, name, city, secret FROM legacy_projects")).all()
        events = db.execute(
            sa.text(
                "SELECT e.body, e.received_at, v.kind, v.jpeg, v.url FROM legacy_events e "
                "LEFT JOIN legacy_evidence v ON v.event_id = e.event_id ORDER BY e.id"
            )
        ).all()
    for code, name, city, secret in projects:
        if repo.project(code) is None:
            repo.add_project(code, name, city, secret)
    imported = 0
    for body, received_at, kind, jpeg, url in events:
        event = AlertEvent.model_validate_json(body)
        evidence = Evidence(kind, jpeg, url) if kind else None
        # a nonce that is already expired: nothing to replay, swept with the others
        imported += repo.store_event(
            event, f"legacy:{event.event_id}", -1.0, evidence, received_at=received_at
        )
    with repo.engine.begin() as db:
        db.execute(sa.text("CREATE TABLE legacy_imported (events INTEGER NOT NULL)"))
        db.execute(sa.text("INSERT INTO legacy_imported VALUES (:n)"), {"n": len(events)})
    return imported
