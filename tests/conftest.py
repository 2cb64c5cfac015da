"""Settings every test folder shares.

Hypothesis's per-example deadline (200 ms) measures the machine, not the property: on a 2-core CI box under
a full run a geometry example took longer and failed a test whose every answer was right. Properties are
judged on their answers here; speed has its own benchmarks (make bench).

A regulator opened on a new, empty SQLite file (most tests' receivers) gets its schema as a copy of one this
process migrated once, instead of running the 35 migrations again: each run cost a second or more of a 2-core
box's CPU, hundreds of times a suite. The copy is what migrate() made, alembic's revision included; a database
that is not empty (a first receiver's, a newer release's, a test's own) is migrated as always, and the
migrations' own tests call migrate() themselves.

The same for the tests' HTTP clients: httpx waits 5 s for an answer by default, and on a 2-core box running the
suite on two workers a sign-in to a regulator serving from the test's own event loop once took longer. A
test's client waits 30 s unless the test says otherwise; latency is measured where it is a goal (bench/, and
the tests that time a delivery), never by a client giving up. The product's own clients keep their timeouts.

The apps of the many regulators and gateways a test process starts share FastAPI's validators of their routes'
parameters, made once per distinct parameter (tests/field_adapters.py): half of a regulator app's build.

In make test's workers the files come longest first (tests/longest_first.py)."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import settings
from sqlalchemy.engine import Engine

import regulator.storage.repository as regulator_repository
from plumbing.sqlite import sqlite3
from regulator.storage.db import migrate, open_engine
from tests import longest_first
from tests.field_adapters import share_field_adapters

settings.register_profile("sitegw", deadline=None)
settings.load_profile("sitegw")

for _client in (httpx.Client, httpx.AsyncClient):
    assert _client.__init__.__kwdefaults__ is not None  # keyword-only: the default lives here
    _client.__init__.__kwdefaults__["timeout"] = httpx.Timeout(30.0)

share_field_adapters()


@pytest.fixture(scope="session", autouse=True)
def _no_evidence_left_in_the_clone() -> Iterator[None]:
    """A regulator on PostgreSQL keeps evidence in ./regulator-evidence unless told otherwise (serve's default);
    a test that forgets its evidence_dir would leave pictures in the clone, where they were once committed."""
    folder = Path("regulator-evidence")
    there = folder.exists()
    yield
    assert there or not folder.exists(), (
        "a test wrote evidence into ./regulator-evidence: give its RegulatorServer evidence_dir=tmp_path / 'evidence'"
    )


_TEMPLATE: list[Path] = []  # this process's SQLite database migrated to head, made on first use


def _migrate_new_sqlite_from_template(engine: Engine, revision: str = "head") -> None:
    """What Repository's migrate() does, by copying the migrated template into a new, empty SQLite database."""
    if engine.dialect.name != "sqlite" or revision != "head" or sa.inspect(engine).get_table_names():
        migrate(engine, revision)
        return
    if not _TEMPLATE:
        made = open_engine(Path(tempfile.mkdtemp(prefix="sitegw-regulator-head-")) / "head.sqlite")
        migrate(made)
        _TEMPLATE.append(Path(str(made.url.database)))
        made.dispose()
    source = sqlite3.connect(_TEMPLATE[0])
    try:
        with engine.connect() as conn:
            target = conn.connection.dbapi_connection
            assert isinstance(target, sqlite3.Connection)
            source.backup(target)
    finally:
        source.close()


@pytest.fixture(scope="session", autouse=True)
def _regulator_schema_from_template() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            regulator_repository, "migrate", _migrate_new_sqlite_from_template
        )  # Repository's, by name
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In make test's workers (pytest-xdist), the files longest first (tests/longest_first.py); a run in one
    process keeps pytest's order."""
    if hasattr(config, "workerinput"):
        longest_first.order(items)
