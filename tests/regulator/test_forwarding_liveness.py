"""Each forwarded project's liveness and position reach the province (issue 50 §1): real `sitegw regulator
serve` processes, a city and its province, each on its own PostgreSQL (tests/regulator/chain.py).

Forwarding used to carry no liveness: every project of a city running its own platform was offline and
grey on the province's overview, map and patrol while its gateway reported to the city every few seconds."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from contract.wire import HEARTBEAT_PATH, PICTURES_PATH, READINGS_PATH
from regulator.access.auth import Accounts
from regulator.forwarding import liveness
from regulator.forwarding.outbox import switch_on
from regulator.forwarding.sender import Forwarder, ForwardLink
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from tests.regulator.chain import CITY_ID, CITY_KEY, CITY_PLACE, Chain, WithProvince, chain, wait
from tests.regulator.support import PROJECT, pg_database, real_jpeg, signed
from tests.regulator.test_forwarding import PASSWORD, enrol

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

LAT, LON = 22.5329, 113.9305  # the site file's coordinates, said by its gateway's heartbeat
DISTRICT = f"{CITY_PLACE}/南山区"
OFFLINE_AFTER_MIN = 0.75  # the province's: a gateway silent for 45 s is offline


def gateway_post(c: Chain, path: str, doc: dict[str, Any]) -> None:
    """One signed request of the project's gateway to the city."""
    body = json.dumps(doc).encode()
    r = httpx.post(c.city.url + path, content=body, headers=signed(path, body), timeout=30)
    assert r.status_code == 200, r.text


def heartbeat(c: Chain) -> None:
    gateway_post(
        c, HEARTBEAT_PATH, {"project": PROJECT, "ts": time.time(), "lat": LAT, "lon": LON, "release": "0.9.1"}
    )


def crane_reading(c: Chain, now: float) -> None:
    """The crane's reading at ``now``: one device reporting."""
    reading = {
        "device": "crane-1",
        "point": "",
        "metric": "moment_pct",
        "ts": now,
        "value": 41.0,
        "unit": "%",
    }
    gateway_post(c, READINGS_PATH, {"project": PROJECT, "readings": [reading]})


@contextmanager
def province_ui(c: WithProvince) -> Iterator[httpx.Client]:
    """A signed-in regulator of the province (广东省)."""
    repo = c.province.repo()
    try:
        gd = Accounts(repo).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
    finally:
        repo.close()
    with httpx.Client(base_url=c.province.url, timeout=30) as ui:
        enrol(ui, "gd", gd.enrolment_code or "")
        yield ui


def overview_row(ui: httpx.Client) -> dict[str, Any]:
    """The project's row on the overview of its district (a district's lists every project), with the
    province's overview's count of its city's projects offline (``city_offline``)."""
    r = ui.get("/ui/api/overview", params={"place": DISTRICT})
    assert r.status_code == 200, r.text
    [row] = [p for p in r.json()["projects"] if p["code"] == PROJECT]
    province = ui.get("/ui/api/overview").json()
    [city] = [a for a in province["areas"] if a["path"] == CITY_PLACE]
    return {**row, "city_offline": city["offline"]}


def test_a_city_projects_liveness_and_position_reach_the_province_and_its_silence_turns_it_offline() -> None:
    with chain(("--offline-after-min", str(OFFLINE_AFTER_MIN))) as c:
        wait(
            lambda: c.province.rows(f"SELECT 1 FROM projects WHERE code = '{PROJECT}'") != [],
            "project",
            60,
            c,
        )
        with province_ui(c) as ui:
            before = overview_row(ui)
            assert before["offline"] is True and before["city_offline"] == 1  # never heard of anywhere yet

            now = time.time()
            heartbeat(c)
            crane_reading(c, now)
            jpeg = base64.b64encode(real_jpeg("gate")).decode()
            gateway_post(
                c,
                PICTURES_PATH,
                {"project": PROJECT, "camera": "cam-gate", "taken_at": now, "every_s": 60, "jpeg": jpeg},
            )
            [(city_seen,)] = c.city.rows(f"SELECT last_seen_at FROM projects WHERE code = '{PROJECT}'")

            took = wait(lambda: not overview_row(ui)["offline"], "the project live at the province", 60, c)
            row = overview_row(ui)
            assert row["city_offline"] == 0
            assert row["last_seen_at"] is not None and abs(row["last_seen_at"] - city_seen) < 15
            assert row["gateway_release"] == "0.9.1"
            assert (row["devices_online"], row["devices_total"], row["cameras_online"]) == (1, 1, 1)
            # its position on the province's map, no longer among the unplaced (未定位项目)
            spots = ui.get("/ui/api/map").json()["points"]
            [spot] = [p for p in spots if p["code"] == PROJECT]
            assert (spot["lat"], spot["lon"]) == (LAT, LON)
            # its devices and cameras on the province's projects list
            [listed] = [p for p in ui.get("/ui/api/projects").json()["projects"] if p["code"] == PROJECT]
            assert (listed["devices_online"], listed["devices_total"]) == (1, 1)
            assert (listed["cameras_online"], listed["cameras_total"]) == (1, 1)
            print(f"live at the province {took:.1f} s after the heartbeat")

            # heartbeats every second for 12 s: a few summaries, never a row per heartbeat
            kept_before = c.province.rows(f"SELECT liveness_at FROM projects WHERE code = '{PROJECT}'")[0][0]
            for _ in range(12):
                heartbeat(c)
                time.sleep(1)
            wait(lambda: c.backlog() == 0, "outbox empty", 30, c)
            assert (
                c.province.rows(f"SELECT liveness_at FROM projects WHERE code = '{PROJECT}'")[0][0]
                >= kept_before
            )

            # the gateway falls silent: offline at the province as at the city, within its offline time
            silent = time.time()
            took = wait(lambda: overview_row(ui)["offline"], "offline at the province", 120, c)
            assert time.time() - silent >= OFFLINE_AFTER_MIN * 60 - liveness.EVERY_S - 15
            print(f"offline at the province {took:.1f} s after the last heartbeat")


def test_heartbeats_queue_a_summary_per_interval_and_any_material_change_at_once() -> None:
    with pg_database() as url:
        repo = Repository(url)
        try:
            repo.add_project(PROJECT, "示范项目", "深圳", "k" * 32, "南山区", "中建某局")
            queued: dict[str, dict[str, Any]] = {}
            t0 = time.time()

            def beat_and_sweep(at: float) -> int:
                with repo.engine.begin() as db:
                    db.execute(
                        sql("UPDATE projects SET last_seen_at = :t WHERE code = :c"), {"t": at, "c": PROJECT}
                    )
                    made = liveness.sweep(db, queued, at)
                    db.execute(sql("DELETE FROM forward_outbox"))  # the province took it
                return made

            # a heartbeat every 10 s for 5 minutes (the city's last_seen_at moves at most that often)
            made = sum(beat_and_sweep(t0 + s) for s in range(0, 300, 10))
            assert made == 10  # one every 30 s: not 30, one per heartbeat

            # back after a silence: at once
            assert beat_and_sweep(t0 + 300 + liveness.SILENCE_S + 10) == 1
            # a device reporting: at once
            with repo.engine.begin() as db:
                db.execute(
                    sql(
                        "INSERT INTO readings(project, device, point, metric, ts, value, unit) "
                        "VALUES (:c, 'crane-1', '', 'moment_pct', :t, 1, '%')"
                    ),
                    {"c": PROJECT, "t": t0 + 375},
                )
            assert beat_and_sweep(t0 + 375) == 1
            assert queued[PROJECT]["devices_online"] == 1
            # while one waits in the outbox, a second is not added
            with repo.engine.begin() as db:
                assert liveness.sweep(db, {}, t0 + 380) == 1
                assert liveness.sweep(db, {}, t0 + 381) == 0
                assert db.execute(sql("SELECT COUNT(*) FROM forward_outbox")).scalar_one() == 1
                # a project set aside at the city gets none (the province would refuse it), then its first
                db.execute(sql("DELETE FROM forward_outbox"))
                db.execute(
                    sql(
                        "INSERT INTO forward_quarantine(kind, ref, project, seq, code, reason, first_at, last_at) "
                        "VALUES ('project', :c, :c, 1, 'place', '', 0, 0)"
                    ),
                    {"c": PROJECT},
                )
                assert liveness.sweep(db, queued, t0 + 390) == 0
                db.execute(sql("DELETE FROM forward_quarantine"))
                assert liveness.sweep(db, queued, t0 + 391) == 1
        finally:
            repo.close()


class EarlierProvince(ThreadingHTTPServer):
    """A province of the release before liveness records, as it answers a batch over HTTP: a batch holding
    a kind it does not know is unreadable (422, the record named by its place ``records.N.kind``, nothing
    kept); any other is taken whole. ``taken``: the kinds and refs of the records it took."""

    KINDS = ("project", "hazard", "action", "listing", "notice", "incident", "incident_report")

    def __init__(self) -> None:
        self.taken: list[tuple[str, str]] = []
        province = self

        class Door(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                unknown = [n for n, r in enumerate(batch["records"]) if r["kind"] not in province.KINDS]
                if unknown:
                    field = f"records.{unknown[0]}.kind"
                    self.answer(422, {"error": "body is not a valid Batch", "errors": [{"field": field}]})
                    return
                province.taken += [(r["kind"], r["ref"]) for r in batch["records"]]
                seqs = [r["seq"] for r in batch["records"]]
                self.answer(
                    200,
                    {"city": batch["city"], "records": len(seqs), "last_seq": max(seqs), "new": len(seqs)},
                )

            def answer(self, status: int, doc: dict[str, Any]) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Door)


async def test_a_province_of_an_earlier_release_has_liveness_dropped_and_the_ledger_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A province that cannot read liveness records refuses the batch naming one: every liveness record is
    dropped (never set aside: the next summary would say it newer), no more are queued, and the ledger's
    records go on arriving."""
    old = EarlierProvince()
    threading.Thread(target=old.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{old.server_address[1]}"
    with pg_database() as db_url:
        repo = Repository(db_url)
        try:
            repo.add_project(PROJECT, "示范项目", "深圳", "k" * 32, "南山区", "中建某局")
            switch_on(repo.engine, url, CITY_ID)
            forwarder = Forwarder(repo, ForwardLink(url, CITY_ID, CITY_KEY, CITY_PLACE))
            assert await forwarder.sweep_once() == 1  # the project's first summary, behind the project
            with caplog.at_level(logging.WARNING):
                while await forwarder.forward_once():
                    pass
            assert old.taken == [("project", PROJECT)]
            assert "does not take projects' liveness" in caplog.text
            with repo.engine.connect() as db:
                assert db.execute(sql("SELECT COUNT(*) FROM forward_outbox")).scalar_one() == 0
                assert db.execute(sql("SELECT COUNT(*) FROM forward_quarantine")).scalar_one() == 0
            assert await forwarder.sweep_once() == 0  # none queued any more

            repo.add_project("GD-SZ-2026-0002", "二号项目", "深圳", "k" * 32, "福田区", "中建某局")
            assert await forwarder.forward_once()
            assert old.taken[-1] == ("project", "GD-SZ-2026-0002")
        finally:
            repo.close()
            old.shutdown()
