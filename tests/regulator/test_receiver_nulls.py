"""The default protocol's receiver over real HTTP (`sitegw regulator serve`'s app, on SQLite and PostgreSQL)
takes ``null`` for optional fields, as other platforms' adapters send them, and refuses unknown fields with
422 naming them (contract/nulls.py, README "Delivery to the regulator")."""

from __future__ import annotations

import json
import time

import httpx
import sqlalchemy as sa

from contract.wire import EVENTS_PATH, HEARTBEAT_PATH, READINGS_PATH
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, make_event, signed


async def post(server: RegulatorServer, path: str, body: dict[str, object]) -> httpx.Response:
    data = json.dumps(body, ensure_ascii=False).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(server.base_url + path, content=data, headers=signed(path, data))


def event_with_nulls() -> dict[str, object]:
    """An AlertEvent as another adapter writes it: every optional field it does not know is null."""
    body = json.loads(make_event().model_dump_json())
    for field in ("point", "value", "threshold", "unit", "message", "message_en", "backfill", "actor", "note",
                  "evidence", "details"):  # fmt: skip
        body[field] = None
    return body


async def test_null_optional_fields_are_their_defaults(receiver: RegulatorServer) -> None:
    body = event_with_nulls()
    r = await post(receiver, EVENTS_PATH, body)
    assert r.status_code == 200, r.text
    [stored] = [s.event for s in receiver.repo.events()]
    assert stored.event_id == body["event_id"]
    assert (stored.point, stored.unit, stored.message, stored.backfill, stored.details) == (
        "",
        "",
        "",
        False,
        {},
    )
    assert stored.value is None and stored.evidence is None
    beat = await post(receiver, HEARTBEAT_PATH, {"project": PROJECT, "ts": time.time(), "outbox_depth": None})
    assert beat.is_success, beat.text
    now = time.time()
    reading = {"device": "crane-1", "point": None, "metric": "load_t", "ts": now, "value": 2.5, "unit": None}
    summary = await post(receiver, READINGS_PATH, {"project": PROJECT, "readings": [reading]})
    assert summary.is_success, summary.text
    with receiver.repo.engine.connect() as db:
        rows = db.execute(sa.text("SELECT device, point, metric, value, unit FROM readings")).all()
    assert [tuple(r) for r in rows] == [("crane-1", "", "load_t", 2.5, "")]


async def test_null_required_and_unknown_fields_are_refused_by_name(receiver: RegulatorServer) -> None:
    body = event_with_nulls()
    r = await post(receiver, EVENTS_PATH, {**body, "rule": None})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["rule"]
    r = await post(receiver, EVENTS_PATH, {**body, "alarm_flag": 1})  # a field the contract does not have
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "alarm_flag", "problem": "Extra inputs are not permitted"}]
    reading = {"device": "crane-1", "metric": "load_t", "ts": time.time(), "value": 2.5, "sensor": "A"}
    r = await post(receiver, READINGS_PATH, {"project": PROJECT, "readings": [reading]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "readings.0.sensor"
    assert receiver.repo.events() == []
