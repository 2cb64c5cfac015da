"""The review queue a person can work (#16 item 10), over real HTTP on SQLite and PostgreSQL: 59
pending hazards sent by a gateway (signed events) come as a first page of 50 and a second of 9 with
their total; each hazard shows the peak and the clause of the worst level it reached, not its last
event, and the site's own state; readings and checks carry their Chinese names."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from contract.kinds import registry
from contract.wire import READINGS_PATH
from regulator.names import metric_names
from regulator.server import RegulatorServer
from tests.regulator.queue_scenario import ALARM_CLAUSE, HAZARDS, OVERLOAD, PEAK_MESSAGE, overload, scenario
from tests.regulator.test_review import send, signed_in


async def page_of(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await client.get("/ui/api/hazards", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_59_pending_hazards_page_by_50_with_the_peak_and_the_sites_state(
    receiver: RegulatorServer,
) -> None:
    for event in scenario():
        r = await send(receiver, "/api/v1/events", json.loads(event.model_dump_json()))
        assert r.status_code == 200, r.text
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        first = await page_of(reg)
        assert (first["total"], first["page"], first["page_size"], first["pages"]) == (HAZARDS, 1, 50, 2)
        assert len(first["hazards"]) == 50
        second = await page_of(reg, page=2)
        assert (second["total"], second["page"], second["pages"], len(second["hazards"])) == (
            HAZARDS,
            2,
            2,
            9,
        )
        ids = [h["id"] for h in first["hazards"] + second["hazards"]]
        assert len(set(ids)) == HAZARDS  # no hazard on both pages, none left out
        assert (await page_of(reg, page=3))["hazards"] == []
        small = await page_of(reg, page=6, page_size=10)
        assert (small["pages"], len(small["hazards"])) == (6, 9)

        [load] = [h for h in first["hazards"] + second["hazards"] if h["alert_id"] == OVERLOAD]
        assert (load["peak_value"], load["peak_threshold"], load["peak_message"]) == (
            107.7,
            100.0,
            PEAK_MESSAGE,
        )
        assert load["clause"] == ALARM_CLAUSE  # the alarm's clause, not the first warning's
        assert (load["level"], load["value"], load["message"]) == ("alarm", "32.0", "1号塔吊 起重量 32%")
        assert (load["site_state"], load["site_state_name"]) == ("resolved", "现场已解除")
        assert load["rule_name"] == "塔吊超载"
        still = next(h for h in first["hazards"] if h["alert_id"] != OVERLOAD)
        assert still["site_state_name"] == "现场报警中"

        for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 501}):
            r = await reg.get("/ui/api/hazards", params=bad)
            assert r.status_code == 422, (bad, r.text)
            assert next(iter(bad)) in r.text  # the answer names the parameter

    finally:
        await reg.aclose()


async def test_the_peak_survives_events_out_of_order(receiver: RegulatorServer) -> None:
    warning, peak, resolved = overload(time.time() - 120)
    for event in (resolved, warning, peak):  # the resolution redelivered first, the warning after the peak
        r = await send(receiver, "/api/v1/events", json.loads(event.model_dump_json()))
        assert r.status_code == 200, r.text
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        [h] = (await page_of(reg))["hazards"]
    finally:
        await reg.aclose()
    assert (h["peak_value"], h["peak_message"], h["clause"]) == (107.7, PEAK_MESSAGE, ALARM_CLAUSE)
    assert (h["site_state_name"], h["value"]) == ("现场已解除", "32.0")


async def test_readings_and_checks_have_chinese_names(receiver: RegulatorServer) -> None:
    assert set(metric_names()) == set(registry.summary_picks())  # every reading a gateway may send has a name
    warning, peak, _ = overload(time.time() - 120)
    for event in (warning, peak):
        assert (
            await send(receiver, "/api/v1/events", json.loads(event.model_dump_json()))
        ).status_code == 200
    readings = {
        "project": warning.project,
        "readings": [
            {"device": "crane-1", "point": "", "metric": "load_t", "ts": peak.ts, "value": 3.07, "unit": "t"}
        ],
    }
    assert (await send(receiver, READINGS_PATH, readings)).status_code == 200
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        [h] = (await page_of(reg))["hazards"]
        detail = (await reg.get(f"/ui/api/hazards/{h['id']}")).json()
        names = (await reg.get("/ui/api/names")).json()
    finally:
        await reg.aclose()
    assert [(r["metric"], r["metric_name"]) for r in detail["readings"]] == [("load_t", "起重量")]
    assert names["rules"]["crane.load"] == "塔吊超载"
    assert names["site_states"]["resolved"] == "现场已解除"
