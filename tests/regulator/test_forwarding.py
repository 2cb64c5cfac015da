"""Issue #39 part 1: a city's platform forwards its ledger to the province's, between two real
`sitegw regulator serve` processes on their own PostgreSQL databases (tests/regulator/chain.py).

What a user of the province checks: the city's hazard is there once, under the city's place, with its
classification and every action of the loop; an accident forwarded stops its clock at the city; a listing
(挂牌督办) the province makes over the city's hazard reaches the city and is not sent back as a second one;
and with the province away for a while, everything arrives once when it is back.
"""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from contract.wire import RECTIFICATIONS_PATH, RectificationReport
from regulator.access.auth import Accounts
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import Review
from regulator.storage.scope import Actor
from tests.regulator.chain import CITY_ID, Chain, chain, major, wait
from tests.regulator.support import PROJECT, Authenticator, make_event, real_jpeg, signed

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def enrol(ui: httpx.Client, user: str, enrolment_code: str) -> Authenticator:
    """Sign ``user`` in with the password and enrol the second factor with the administrator's
    ``enrolment_code`` as the UI's QR page does (the code of the secret the QR carries); the authenticator."""
    assert ui.post("/ui/api/login", json={"username": user, "password": PASSWORD}).status_code == 200
    enrolling = ui.post("/ui/api/second-factor", json={"enrolment_code": enrolment_code})
    assert enrolling.status_code == 200, enrolling.text
    app = Authenticator.of(enrolling.json()["otpauth_uri"])
    confirmed = ui.post("/ui/api/second-factor/confirm", json={"code": app.code()})
    assert confirmed.status_code == 200, confirmed.text
    return app


REGULATOR = Actor("sz-inspector", "regulator", None, "广东省/深圳市")
PASSWORD = "Province-2026"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hazard_id(side_rows: list[tuple[int]]) -> int:
    [(found,)] = side_rows
    return found


def test_the_city_ledger_arrives_once_and_the_provinces_decisions_come_back_down() -> None:
    with chain() as c:
        c.post(major("limiter"))
        wait(lambda: c.province.rows("SELECT id FROM hazards") != [], "the hazard at the province", 60, c)
        # the loop at the city: confirmed, ordered with a deadline, and an accident recorded
        city_repo = c.city.repo()
        try:
            h = hazard_id(city_repo_rows(c, "SELECT id FROM hazards WHERE alert_id = 'limiter'"))
            review = Review(city_repo)
            review.act(h, "confirm", REGULATOR, "现场核实")
            review.act(h, "order", REGULATOR, "限期整改", deadline_days=3)
            Incidents(city_repo).record(
                REGULATOR, PROJECT, "accident", time.time() - 600, 0, 1, "塔吊吊物坠落一人受伤"
            )
        finally:
            city_repo.close()
        wait(c.same, "the province holding the city's ledger as the city does", 60, c)
        ledger = c.ledger(c.province)
        assert [(r[1], r[2], r[4]) for r in ledger["hazards"]] == [("limiter", "rectifying", True)]
        assert [r[2] for r in sorted(ledger["actions"], key=lambda r: r[6])] == ["confirm", "order"]
        # under the city's place in the province's jurisdiction tree
        assert c.province.rows(
            "SELECT j.path FROM projects p JOIN jurisdictions j ON j.id = p.district_id"
        ) == [("广东省/深圳市/南山区",)]
        # the province's key for the project is not the city's gateways' secret
        assert (
            c.province.rows("SELECT secret FROM projects")[0][0]
            != c.city.rows("SELECT secret FROM projects")[0][0]
        )
        # the accident's clocks to the province stopped at the city by the forwarding itself
        assert sorted(c.city.rows("SELECT to_level, how FROM incident_reports")) == [
            ("province", "forwarded"),
            ("provincial_system", "forwarded"),
        ]
        # each record once at the province, whatever was sent again
        assert (
            c.province.rows("SELECT COUNT(*), COUNT(DISTINCT (kind, ref)) FROM forward_records")[0]
            == (c.province.rows("SELECT COUNT(*) FROM forward_records")[0][0],) * 2
        )

        # the province lists supervision over the city's hazard in its own UI ...
        province_repo = c.province.repo()
        try:
            # (its upkeep leaves the city's overdue hazard to the city, which escalates it and forwards that)
            assert Review(province_repo).escalate_overdue(time.time() + 5 * 86400) == 0
            gd = Accounts(province_repo).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
        finally:
            province_repo.close()
        with httpx.Client(base_url=c.province.url, timeout=30) as ui:
            totp = enrol(
                ui, "gd", gd.enrolment_code or ""
            )  # `serve` requires an authority user's second factor
            [seen] = ui.get("/ui/api/hazards", params={"state": "all"}).json()["hazards"]
            shown = ui.get(f"/ui/api/hazards/{seen['id']}")
            assert shown.status_code == 200, shown.text
            assert [a["action"] for a in shown.json()["actions"]] == ["confirm", "order"]
            r = ui.post(
                f"/ui/api/hazards/{seen['id']}/listings", json={"level": "province", "kind": "stop_work"}
            )
            assert r.status_code == 200, r.text
        # ... and it reaches the city, on the hazard it came from, and goes back up as the same listing
        wait(
            lambda: c.city.rows("SELECT level FROM listings") == [("province",)],
            "the province's listing at the city",
            60,
            c,
        )
        wait(c.same, "the listing back at the province as the same one", 60, c)
        assert c.province.rows("SELECT level, authority FROM listings") == [("province", "广东省")]
        assert len(c.city.rows("SELECT number FROM notices")) == 1

        # the site reports it fixed to the city; the province re-inspects and closes it (销号) ...
        report = (
            RectificationReport(
                project=PROJECT,
                alert_id="limiter",
                note="已更换起重量限制器并复测",
                photo=b64(real_jpeg("FIXED")),
            )
            .model_dump_json()
            .encode()
        )
        r = httpx.post(
            c.city.url + RECTIFICATIONS_PATH,
            content=report,
            headers=signed(RECTIFICATIONS_PATH, report),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        wait(
            lambda: c.province.rows("SELECT state FROM hazards") == [("reported",)],
            "the report upward",
            60,
            c,
        )
        with httpx.Client(base_url=c.province.url, timeout=30) as ui:
            signed_in = ui.post(
                "/ui/api/login", json={"username": "gd", "password": PASSWORD, "otp": totp.code()}
            )
            assert signed_in.status_code == 200, signed_in.text
            passed = {"passed": True, "note": "复查合格，予以销号", "photo": b64(real_jpeg("OK"))}
            r = ui.post(f"/ui/api/hazards/{seen['id']}/reinspect", json=passed)
            assert r.status_code == 200, r.text
        # ... and the city's hazard and the listing are closed too, the trail the same on both sides
        wait(
            lambda: (
                c.city.rows("SELECT h.state, l.state FROM hazards h JOIN listings l ON l.hazard_id = h.id")
                == [("closed", "closed")]
            ),
            "the province's 销号 at the city",
            60,
            c,
        )
        wait(c.same, "both ledgers alike after the 销号", 60, c)
        trail = [r[2] for r in sorted(c.ledger(c.city)["actions"], key=lambda r: r[6])]
        assert trail[:3] == ["confirm", "order", "list"] and trail[-1] == "close", trail


def city_repo_rows(c: Chain, statement: str) -> list[tuple[int]]:
    return [(int(r[0]),) for r in c.city.rows(statement)]


def test_the_province_down_for_a_while_then_back_everything_arrives_once() -> None:
    with chain() as c:
        c.post(make_event("first"))
        wait(c.same, "the first hazard at the province", 60, c)
        c.province.stop(kill=True)
        for n in range(5):
            c.post(make_event(f"while-down-{n}"))
            c.post(make_event(f"while-down-{n}", 1, state="updated", value=110.0))
        repo = c.city.repo()
        try:
            for (h,) in city_repo_rows(c, "SELECT id FROM hazards WHERE alert_id LIKE 'while-down-%'"):
                Review(repo).act(h, "confirm", REGULATOR)
        finally:
            repo.close()
        time.sleep(8)  # the forwarder meets the refused connection and backs off
        assert c.backlog() > 0
        c.province.start()
        took = wait(c.same, "everything at the province after it came back", 120, c)
        ledger = c.ledger(c.province)
        assert len(ledger["hazards"]) == 6 and len(ledger["actions"]) == 5
        assert c.province.rows(
            f"SELECT COUNT(*) FROM forward_records WHERE origin = '{CITY_ID}' AND kind = 'hazard'"
        ) == [(6,)]
        assert took < 120
