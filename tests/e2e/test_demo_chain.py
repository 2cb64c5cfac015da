"""`sitegw demo --regulator-chain`: the demo's crane and formwork alerts travel crane → gateway → the city's
regulator (PostgreSQL) → the province's (SQLite in the state folder), as a newcomer would watch them; the
province holds the site's hazards under the city's place, each once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from regulator.storage.db import create_engine
from tests.e2e.test_gateway_kill import REPO
from tests.regulator.support import pg_database

pytestmark = pytest.mark.slow  # a whole demo: over a minute


def rows(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            return [tuple(r) for r in db.execute(sa.text(statement))]
    finally:
        engine.dispose()


@pytest.mark.timeout(300)
def test_the_demo_hazards_reach_the_province_through_the_city(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with pg_database() as city:
        run = subprocess.run(
            [
                *(
                    sys.executable,
                    "-m",
                    "sitegw.cli",
                    "demo",
                    "--duration",
                    "70",
                    "--port",
                    "0",
                    "--no-cameras",
                ),
                *("--state-dir", str(state), "--regulator-chain", city),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "sign in there as province" in run.stderr, run.stderr[-3000:]
        at_city = set(rows(city, "SELECT project, alert_id FROM hazards"))
    province = f"sqlite:///{state / 'province.sqlite'}"
    at_province = rows(province, "SELECT project, alert_id FROM hazards")
    assert at_province, "no hazard reached the province"
    assert len(at_province) == len(set(at_province)) and set(at_province) <= at_city
    assert rows(province, "SELECT j.path FROM projects p JOIN jurisdictions j ON j.id = p.district_id") == [
        ("广东省/深圳市/南山区",)
    ]
