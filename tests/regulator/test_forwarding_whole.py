"""A city's batch kept whole at the province (issue 50: an hour's backlog drains in under two minutes): a real
province (RegulatorServer on PostgreSQL) taking signed batches over HTTP.

The batch's hazards, their actions, a listing and its notice, new rows pointing at new rows of the same batch,
are kept in a number of statements that does not grow with the batch (record by record, it was some five a
record); sent again with changes, each row is updated once and none added; and what a batch kept whole leaves
is what the same records kept record by record leave (a batch with one refused record in it, which is kept so
to name that record)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from regulator.forwarding.cities import register
from regulator.forwarding.wire import FORWARD_PATH, Batch, BatchReceipt, Record
from regulator.server import RegulatorServer
from tests.regulator.support import pg_database
from tests.regulator.test_forwarding_refusals import KEY, hazard, project, send

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PLACE = "广东省/深圳市"
HAZARDS = 120


async def _started(url: str, folder: Path) -> RegulatorServer:
    server = RegulatorServer(url, evidence_dir=folder / "evidence")
    register(server.repo, "SZ", "深圳市平台", PLACE, KEY)
    await server.start()
    return server


@pytest.fixture
async def province(tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    with pg_database() as url:
        server = await _started(url, tmp_path / "one")
        yield server
        await server.stop()


def records(value: str = "112") -> list[Record]:
    """A project, ``HAZARDS`` hazards each with its action (the city's ids 1000 + n), a listing of the first
    hazard and its notice, in the order a city sends them (what a row points at first)."""
    out = [project("GD-SZ-1", f"{PLACE}/南山区", seq=1)]
    for n in range(1, HAZARDS + 1):
        out.append(hazard(ref=str(n), seq=len(out) + 1, value=value, alert_id=f"crane-1:crane.load:{n}"))
        action = {
            "id": 1000 + n,
            "hazard_id": n,
            "project": "GD-SZ-1",
            "action": "record",
            "actor": "sz.inspector",
            "role": "regulator",
            "from_state": "",
            "to_state": "pending",
            "ts": 1.7e9 + n,
        }
        out.append(Record(seq=len(out) + 1, kind="action", ref=str(1000 + n), row=action))
    listing: dict[str, Any] = {
        "id": 7,
        "hazard_id": 1,
        "project": "GD-SZ-1",
        "level": "city",
        "authority": PLACE,
        "deadline": 1.8e9,
        "state": "listed",
        "listed_by": "sz.chief",
        "listed_at": 1.7e9,
    }
    out.append(Record(seq=len(out) + 1, kind="listing", ref="7", row=listing))
    notice = {
        "id": 9,
        "listing_id": 7,
        "hazard_id": 1,
        "project": "GD-SZ-1",
        "kind": "rectify",
        "number": "深建督〔2026〕1号",
        "seq": 1,
        "deadline": 1.8e9,
        "issued_by": "sz.chief",
        "issued_at": 1.7e9,
    }
    out.append(Record(seq=len(out) + 1, kind="notice", ref="9", row=notice))
    return out


async def sent(server: RegulatorServer, batch: list[Record]) -> tuple[BatchReceipt, int]:
    """The province's receipt of ``batch`` (asking for verdicts) and the statements its request ran on the
    database (on its connection, from the city's nonce to the city's last contact; not the upkeep's)."""
    ran: list[tuple[int, str]] = []

    def count(conn: sa.Connection, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append((id(conn), statement))

    sa.event.listen(server.repo.engine, "before_cursor_execute", count)
    try:
        r = await send(
            server, Batch(city="SZ", jurisdiction=PLACE, records=batch), path=f"{FORWARD_PATH}?verdicts=1"
        )
    finally:
        sa.event.remove(server.repo.engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    first = next(n for n, (_, s) in enumerate(ran) if s.startswith("INSERT INTO nonces"))
    conn = ran[first][0]
    mine = [s for c, s in ran[first:] if c == conn]
    last = next(n for n, s in enumerate(mine) if s.startswith("UPDATE forward_cities SET last_seen_at"))
    return BatchReceipt.model_validate(r.json()), last + 1


def kept(server: RegulatorServer) -> dict[str, list[tuple[Any, ...]]]:
    """The province's rows of the city's records, each by the city's id, its links by the city's ids too."""
    with server.repo.engine.connect() as db:

        def rows(statement: str) -> list[tuple[Any, ...]]:
            return sorted(tuple(r) for r in db.exec_driver_sql(statement))

        city_id = (
            "(SELECT f.ref FROM forward_records f WHERE f.origin = 'SZ' AND f.kind = '{kind}' "
            "AND f.local_id = CAST({column} AS TEXT))"
        )
        hazard_of = city_id.format(kind="hazard", column="t.hazard_id")
        return {
            "hazards": rows(
                f"SELECT {city_id.format(kind='hazard', column='t.id')}, project, alert_id, value, state, level_rank "
                "FROM hazards t"
            ),
            "actions": rows(
                f"SELECT {city_id.format(kind='action', column='t.id')}, {hazard_of}, action, actor, ts FROM actions t"
            ),
            "listings": rows(f"SELECT {hazard_of}, level, authority, state FROM listings t"),
            "notices": rows(
                f"SELECT {hazard_of}, {city_id.format(kind='listing', column='t.listing_id')}, number FROM notices t"
            ),
            "records": rows("SELECT kind, ref, versions, adopted FROM forward_records"),
        }


async def test_a_batch_is_kept_in_statements_that_do_not_grow_with_it_each_row_once(
    province: RegulatorServer,
) -> None:
    batch = records()
    receipt, statements = await sent(province, batch)
    assert (receipt.records, receipt.new, receipt.refused) == (len(batch), len(batch), [])
    # a few a kind (its ids, its rows), the project's own, each table's columns read once by the process;
    # record by record it was a savepoint, look-ups, an insert and a bookkeeping row a record: 1,476 here
    assert statements < 40, statements
    first = kept(province)
    assert len(first["hazards"]) == HAZARDS and len(first["actions"]) == HAZARDS
    assert ("1", "GD-SZ-1", "crane-1:crane.load:1", "112", "rectifying", 3) in first["hazards"]
    assert ("1001", "1", "record", "sz.inspector", 1.7e9 + 1) in first["actions"]
    assert first["notices"] == [("1", "7", "深建督〔2026〕1号")]

    # the same records again with a later value (the city's later changes): each row updated, none added
    receipt, statements = await sent(province, records(value="118"))
    assert (receipt.new, receipt.refused) == (0, [])
    assert statements < 40, statements
    again = kept(province)
    assert [(*h[:3], "118", *h[4:]) for h in first["hazards"]] == again["hazards"]
    assert again["actions"] == first["actions"] and again["notices"] == first["notices"]
    assert {r[2] for r in again["records"]} == {2}  # each record kept once more, none twice


async def test_a_batch_kept_whole_leaves_what_record_by_record_leaves(
    province: RegulatorServer, tmp_path: Path
) -> None:
    """The second province takes the same records with one refused among them (a hazard of a project the
    city never forwarded): that batch is kept record by record, the refused record named, the rest kept."""
    stray = hazard(ref="999", seq=10_000, project="GD-SZ-9")
    with pg_database() as url:
        other = await _started(url, tmp_path / "two")
        try:
            receipt, _ = await sent(other, [*records()[:5], stray, *records()[5:]])
            assert [(v.kind, v.ref, v.code) for v in receipt.refused] == [
                ("hazard", "999", "unknown_project")
            ]
            await sent(province, records())
            assert kept(other) == kept(province)
            receipt, _ = await sent(other, [stray, *records(value="118")])  # and the updates alike
            await sent(province, records(value="118"))
            assert kept(other) == kept(province)
        finally:
            await other.stop()
