"""The province's door for cities (regulator/routes/forwarding.py) refuses what is not a registered city's
own: an unknown city, a wrong key, a replayed request, a body not a batch, a project outside the city's
place, a record of a project the city never forwarded; each refusal names the fix and keeps nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.wire import signed_headers
from regulator.forwarding.cities import register
from regulator.forwarding.sender import ForwardRetry, refused_record
from regulator.forwarding.wire import FORWARD_PATH, Batch, BatchReceipt, Record
from regulator.server import RegulatorServer
from tests.e2e.test_gateway_kill import REPO
from tests.regulator.support import pg_database

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

KEY = "a-city-key-for-the-tests-0123"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
async def province(pg_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    register(server.repo, "SZ", "深圳市平台", "广东省/深圳市", KEY)
    await server.start()
    yield server
    await server.stop()


def project(code: str, place: str, seq: int = 1) -> Record:
    row = {
        "code": code,
        "name": "示范项目",
        "city": "深圳",
        "district": "南山区",
        "contractor": "",
        "created_at": 1.0,
    }
    return Record(seq=seq, kind="project", ref=code, row=row, place=place)


def hazard(ref: str = "11", seq: int = 2, **over: Any) -> Record:
    row: dict[str, Any] = {
        "id": int(ref),
        "project": "GD-SZ-1",
        "alert_id": f"crane-1:crane.load:{ref}",
        "city": "深圳",
        "district": "南山区",
        "device": "crane-1",
        "point": "load",
        "rule": "crane.load",
        "clause": "GB 5144-2006 5.2",
        "level": "critical",
        "level_rank": 3,
        "message": "1号塔吊 起重量 112%",
        "value": "112",
        "threshold": 100.0,
        "unit": "%",
        "site_state": "firing",
        "first_ts": 1.7e9,
        "last_ts": 1.7e9,
        "state": "rectifying",
        "major": True,
        "updated_at": 1.7e9,
        "source": "gateway",
    }
    return Record(seq=seq, kind="hazard", ref=ref, row=row | over)


async def send(
    server: RegulatorServer,
    batch: Batch | bytes,
    city: str = "SZ",
    key: str = KEY,
    headers: dict | None = None,
    path: str = FORWARD_PATH,
) -> httpx.Response:
    body = batch if isinstance(batch, bytes) else batch.model_dump_json().encode()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        return await client.post(path, content=body, headers=headers or signed_headers(city, key, path, body))


def held(server: RegulatorServer) -> int:
    with server.repo.engine.connect() as db:
        return int(db.exec_driver_sql("SELECT COUNT(*) FROM forward_records").scalar_one())


async def test_what_is_not_the_citys_own_is_refused_and_nothing_kept(province: RegulatorServer) -> None:
    good = Batch(
        city="SZ", jurisdiction="广东省/深圳市", records=[project("GD-SZ-1", "广东省/深圳市/南山区")]
    )
    r = await send(province, good, city="GZ")
    assert r.status_code == 401 and "add-city" in r.json()["error"]
    r = await send(province, good, key="not-the-key-of-this-city")
    assert r.status_code == 401 and "unknown city or bad signature" in r.json()["error"]
    r = await send(province, b'{"city": "SZ", "records": "all of them"}')
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} >= {"jurisdiction", "records"}
    outside = Batch(
        city="SZ", jurisdiction="广东省/深圳市", records=[project("GD-GZ-1", "广东省/广州市/天河区")]
    )
    r = await send(province, outside)
    assert r.status_code == 422 and "not under the city's place 广东省/深圳市" in r.json()["error"]
    wrong_place = Batch(city="SZ", jurisdiction="广东省/广州市", records=[])
    r = await send(province, wrong_place)
    assert r.status_code == 422 and "--forward-jurisdiction" in r.json()["error"]
    stray = hazard(ref="7", project="GD-SZ-9")
    r = await send(province, Batch(city="SZ", jurisdiction="广东省/深圳市", records=[stray]))
    assert r.status_code == 422 and "never forwarded" in r.json()["error"]
    assert r.json()["errors"][0]["field"] == "records.0.row.project"
    assert held(province) == 0

    body = good.model_dump_json().encode()
    headers = signed_headers("SZ", KEY, FORWARD_PATH, body)
    r = await send(province, body, headers=headers)
    assert r.status_code == 200 and r.json() == {"city": "SZ", "records": 1, "last_seq": 1, "new": 1}
    r = await send(province, body, headers=headers)  # the same request again: a replay
    assert r.status_code == 401 and "nonce" in r.json()["error"]
    r = await send(province, good)  # the same batch signed afresh (a retry): kept once
    assert r.status_code == 200 and r.json()["new"] == 0
    assert held(province) == 1


async def test_a_city_asking_for_verdicts_has_the_rest_of_its_batch_kept(province: RegulatorServer) -> None:
    """Issue 50 §3: a record refused for good is named in the receipt with its reason code, the rest is kept;
    a city of the earlier release (no ``?verdicts=1``) has the whole batch refused, naming the record, which a
    city of this release reads to set that record aside (a province of the earlier release answers so)."""
    batch = Batch(
        city="SZ",
        jurisdiction="广东省/深圳市",
        records=[
            project("GD-SZ-1", "广东省/深圳市/南山区", seq=1),
            project("GD-GZ-1", "广东省/广州市/天河区", seq=2),
            hazard(ref="11", seq=3),
            hazard(ref="12", seq=4, project="GD-GZ-1"),
        ],
    )
    old = await send(province, batch)
    assert old.status_code == 422 and held(province) == 0
    named = refused_record(ForwardRetry(old.text, refused=True, answer=old.json()), batch)
    assert named is not None and (named[0].ref, named[1]) == ("GD-GZ-1", "place")

    # a record of a kind this province does not know yet (a later city's): the batch is unreadable, its record
    # named by its place
    later = batch.model_dump(mode="json")
    later["records"][2]["kind"] = "inspection"
    unreadable = await send(province, json.dumps(later).encode(), path=f"{FORWARD_PATH}?verdicts=1")
    assert unreadable.status_code == 422
    named = refused_record(ForwardRetry(unreadable.text, refused=True, answer=unreadable.json()), batch)
    assert named is not None and (named[0].ref, named[1]) == ("11", "schema")

    r = await send(province, batch, path=f"{FORWARD_PATH}?verdicts=1&backlog=7")
    assert r.status_code == 200, r.text
    receipt = BatchReceipt.model_validate(r.json())
    assert (receipt.records, receipt.last_seq, receipt.new) == (4, 4, 2)
    assert [(v.seq, v.kind, v.ref, v.code) for v in receipt.refused] == [
        (2, "project", "GD-GZ-1", "place"),
        (4, "hazard", "12", "unknown_project"),
    ]
    assert "not under the city's place" in receipt.refused[0].reason
    assert held(province) == 2  # the good project and its hazard
    with province.repo.engine.connect() as db:
        assert db.exec_driver_sql("SELECT backlog FROM forward_cities").scalar_one() == 7
        assert db.exec_driver_sql("SELECT COUNT(*) FROM forward_refusals").scalar_one() == 2


def test_serve_says_what_forwarding_lacks(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            *(sys.executable, "-m", "sitegw.cli", "regulator", "serve", "--port", "0"),
            *(
                "--db",
                f"sqlite:///{tmp_path / 'city.sqlite'}",
                "--forward-to",
                "province.example",
                "--forward-id",
                "SZ",
            ),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    for told in ("--forward-secret is missing", "--forward-jurisdiction is missing", "not an http(s) URL"):
        assert told in run.stderr
    assert "PostgreSQL only" in run.stderr and "add-city" in run.stderr


async def test_a_province_on_sqlite_keeps_a_citys_batch(tmp_path: Path) -> None:
    """`sitegw demo --regulator-chain` runs the province on SQLite: every batch the city sent was answered 503
    ("no such function: ANY", PostgreSQL's array test) and nothing reached the province. Kept, and the same
    batch again (a retry) is kept once."""
    server = RegulatorServer(f"sqlite:///{tmp_path / 'province.sqlite'}", evidence_dir=tmp_path / "evidence")
    register(server.repo, "SZ", "深圳市平台", "广东省/深圳市", KEY)
    await server.start()
    try:
        batch = Batch(
            city="SZ",
            jurisdiction="广东省/深圳市",
            records=[project("GD-SZ-1", "广东省/深圳市/南山区", seq=1), hazard(ref="11", seq=2)],
        )
        r = await send(server, batch, path=f"{FORWARD_PATH}?verdicts=1&backlog=0")
        assert r.status_code == 200, r.text
        assert BatchReceipt.model_validate(r.json()).new == 2 and held(server) == 2
        again = await send(server, batch, path=f"{FORWARD_PATH}?verdicts=1")
        assert again.status_code == 200 and again.json()["new"] == 0, again.text
        assert held(server) == 2
    finally:
        await server.stop()
