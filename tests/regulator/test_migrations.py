"""The schema is alembic's: a new database is brought to head, reopening changes nothing, the
migration runs down and up again, and a database of the first receiver is adopted with all it held."""

from __future__ import annotations

import base64
from pathlib import Path

import sqlalchemy as sa

from plumbing.sqlite import sqlite3
from regulator.storage.db import downgrade, head, migrate
from regulator.storage.repository import Repository
from tests.regulator.support import HAZARD_0002, PROJECT, SECRET, make_event, older_ledger, real_jpeg

TABLES = {
    "projects",
    "nonces",
    "hazards",
    "events",
    "event_ids",
    "evidence",
    "evidence_views",
    "readings",
    "users",
    "sessions",
    "actions",
    "auth_log",
    "held_warnings",
    "weather_warnings",
    "weather_warning_sites",
    "forward_state",
    "forward_outbox",
    "forward_down",
    "forward_cities",
    "forward_records",
    "forward_quarantine",
    "forward_refusals",
    "held_events",
    "enforcement",
    "warning_counts",
    "classification_rules",
    "jurisdictions",
    "incidents",
    "incident_reports",
    "video_set",
    "video_set_changes",
    "patrols",
    "patrol_sightings",
    "risk_weights",
    "camera_pictures",
    "picture_requests",
    "listings",
    "notices",
    "reinspections",
    "public_reports",
    "hazard_figures",
    "incident_steps",
    "dangerous_works",
    "safety_logs",
    "key_attendance",
    "national_exports",
    "national_export_incidents",
    "inspection_plans",
    "inspection_targets",
    "inspection_assignments",
    "inspection_records",
    "draw_pool_members",
    "draw_recusals",
    "draws",
    "enforcement_actions",
    "person_scores",
    "inspection_results",
    "inspection_photos",
    "public_cases",
}


def tables(engine: sa.Engine) -> set[str]:
    """The schema's tables; on PostgreSQL the month partitions of events and readings are not counted."""
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    if engine.dialect.name == "postgresql":
        with engine.connect() as db:
            names -= set(db.execute(sa.text("SELECT inhrelid::regclass::text FROM pg_inherits")).scalars())
    return names


def test_new_database_is_at_head_and_reopening_keeps_data(db_url: str) -> None:
    repo = Repository(db_url)
    assert tables(repo.engine) == TABLES
    repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    with repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head()
    repo.close()
    again = Repository(db_url)
    assert again.project(PROJECT).secret == SECRET  # type: ignore[union-attr]
    downgrade(again.engine, "base")
    assert tables(again.engine) == set()
    migrate(again.engine)
    assert tables(again.engine) == TABLES
    again.close()


FIRST_RECEIVER_SCHEMA = """
CREATE TABLE projects(code TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, secret TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE nonces(project TEXT NOT NULL, nonce TEXT NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (project, nonce)) WITHOUT ROWID;
CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL REFERENCES projects(code), alert_id TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,
    level TEXT NOT NULL, state TEXT NOT NULL, ts REAL NOT NULL, backfill INTEGER NOT NULL, received_at REAL NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX events_by_alert ON events(project, alert_id, id);
CREATE TABLE evidence(event_id TEXT PRIMARY KEY REFERENCES events(event_id),
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'url')), jpeg BLOB, url TEXT);
"""  # regulator/storage/repository.py as the first receiver (commit 9ebfecd) created it


def test_a_database_of_the_first_receiver_is_adopted_without_losing_anything(tmp_path: Path) -> None:
    old = tmp_path / "regulator.sqlite"  # as `sitegw demo` left it in .state/demo
    jpeg = real_jpeg("old")
    first, second = make_event("a1"), make_event("a1", n=1, evidence=base64.b64encode(jpeg).decode())
    with sqlite3.connect(old) as db:
        db.executescript(FIRST_RECEIVER_SCHEMA)
        db.execute("INSERT INTO projects VALUES (?,?,?,?,?)", (PROJECT, "示范项目", "深圳", SECRET, 1.0))
        for i, e in enumerate((first, second)):
            db.execute(
                "INSERT INTO events(event_id, project, alert_id, device, rule, level, state, ts, backfill, "
                "received_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    e.event_id,
                    PROJECT,
                    e.alert_id,
                    e.device,
                    e.rule,
                    e.level,
                    e.state,
                    e.ts,
                    0,
                    100.0 + i,
                    e.model_dump_json(),
                ),
            )
        db.execute("INSERT INTO evidence VALUES (?, 'jpeg', ?, NULL)", (second.event_id, jpeg))
    repo = Repository(old)
    assert repo.project(PROJECT).secret == SECRET  # type: ignore[union-attr]
    stored = repo.events()
    assert [(s.event.event_id, s.received_at) for s in stored] == [
        (first.event_id, 100.0),
        (second.event_id, 101.0),
    ]
    assert repo.evidence_jpeg(second.event_id) == jpeg
    with repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT state, alert_id FROM hazards")).all() == [("pending", "a1")]
        assert db.execute(sa.text("SELECT COUNT(*) FROM legacy_events")).scalar() == 2  # kept, never deleted
    repo.close()
    again = Repository(old)  # imported once: reopening changes nothing
    assert len(again.events()) == 2
    again.close()


def test_upgrade_to_0005_starts_each_peak_from_the_hazards_kept_figures(db_url: str) -> None:
    # a number, and a text value (a licence)
    events = [make_event(alert, value=value) for alert, value in (("a1", 107.7), ("a2", "B-2024-001"))]
    engine = older_ledger(db_url, "0004", HAZARD_0002, events)
    migrate(engine)
    with engine.connect() as db:
        peaks = db.execute(
            sa.text(
                "SELECT alert_id, peak_value, peak_threshold, peak_message FROM hazards ORDER BY alert_id"
            )
        ).all()
    engine.dispose()
    assert [tuple(p) for p in peaks] == [
        ("a1", 107.7, 100.0, "1号塔吊 起重量 102.5%"),
        ("a2", None, 100.0, "1号塔吊 起重量 102.5%"),
    ]
