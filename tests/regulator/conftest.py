"""Fixtures of the regulator tests: here the receiver runs on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, db_url  # noqa: F401 (fixture)


@pytest.fixture
async def receiver(db_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator on a free port with the test project registered, on each database engine."""
    server = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    await server.start()
    yield server
    await server.stop()
