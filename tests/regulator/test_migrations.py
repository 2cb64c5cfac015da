"""The schema is alembic's: a new database is brought to head, reopening changes nothing, the
migration runs down and up again, and a database from before migrations is refused clearly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from regulator.db import LegacyDatabase, downgrade, migrate, open_engine
from regulator.storage import Repository
from tests.regulator.support import PROJECT, SECRET

TABLES = {"projects", "nonces", "hazards", "events", "evidence", "readings", "users", "sessions", "actions"}


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_new_database_is_at_head_and_reopening_keeps_data(db_url: str) -> None:
    repo = Repository(db_url)
    assert tables(repo.engine) == TABLES
    repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    with repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    repo.close()
    again = Repository(db_url)
    assert again.project(PROJECT).secret == SECRET  # type: ignore[union-attr]
    downgrade(again.engine, "base")
    assert tables(again.engine) == set()
    migrate(again.engine)
    assert tables(again.engine) == TABLES
    again.close()


def test_database_of_the_first_receiver_is_refused_with_a_hint(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE events(id INTEGER PRIMARY KEY, event_id TEXT)")
    with pytest.raises(LegacyDatabase, match="move it aside"):
        open_engine(old)
