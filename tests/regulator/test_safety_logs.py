"""Safety logs and key people's attendance from a site's gateway to a real regulator over real HTTP
(regulator/channels/safety_logs.py, gateway/site/safety_log/): a signed log waits on disk while the regulator is down and is
stored once however often it is sent; per project and day the regulator lists logs received, signed late,
missing or not yet due, and a missing one becomes an ordinary hazard once its grace has passed (at, just below
and past it); the 90-day attendance look-back gives each key person's days, minutes and share of the site's
working days. The regulator's side on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from contract.config.uplinks import RegulatorUplink
from contract.safety_log import KeyAttendance, PersonDay, SafetyLogContent
from gateway.site.safety_log.sender import SafetyLogSender
from gateway.site.safety_log.store import SafetyLogStore
from regulator.access.auth import Accounts
from regulator.channels.safety_logs import BEIJING, LogPolicy, flag_missing, log_days
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET
from tests.support import free_port, run_until

PASSWORD = "correct-horse-9"
POLICY = LogPolicy(due_h=12.0, grace_h=24.0)


def uplink(port: int) -> RegulatorUplink:
    return RegulatorUplink(
        name="regulator",
        base_url=f"http://127.0.0.1:{port}",
        secret=SECRET,
        timeout_s=2,
        backoff_initial_s=0.1,
    )


def end_of(day: date) -> float:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), BEIJING).timestamp()


def rows(server: RegulatorServer, statement: str) -> list[tuple[object, ...]]:
    with server.repo.engine.connect() as db:
        return [tuple(r) for r in db.execute(sa.text(statement)).all()]


async def test_a_signed_log_waits_while_the_regulator_is_down_and_is_stored_once(tmp_path: Path) -> None:
    port = free_port()
    server = RegulatorServer(tmp_path / "reg.sqlite", port=port)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    file = tmp_path / "state" / "safety_logs.sqlite"
    store = SafetyLogStore(file, PROJECT, ["regulator"])
    day = datetime.now(BEIJING).date() - timedelta(days=1)
    store.save_draft(day, SafetyLogContent(wind_max_ms=9.4, wind_device="anemo-1"), end_of(day) - 3600)
    store.sign(day, "刘晓梅", end_of(day) - 1800)
    sender = SafetyLogSender(uplink(port), store)
    async with httpx.AsyncClient(timeout=2) as client:
        item = store.oldest("regulator")
        assert item is not None and item.doc == "log"
        try:
            await sender.send(client, item)
            raise AssertionError("the regulator is down: the send must fail")
        except Exception as exc:  # UplinkRetry: unreachable
            assert "unreachable" in str(exc)
        store.failed("regulator", item, "down", dead=False)
        store.close()

        store = SafetyLogStore(file, PROJECT, ["regulator"])  # the gateway restarted: the log still waits
        assert store.get(day).deliveries == {"regulator": "pending"}  # type: ignore[union-attr]
        await server.start()
        try:
            sender = SafetyLogSender(uplink(port), store)
            await run_until(sender.run(), lambda: store.oldest("regulator") is None)
            assert store.get(day).deliveries == {"regulator": "delivered"}  # type: ignore[union-attr]
            # the answer was lost (a cut link after the regulator committed): the same log again
            await sender.send(client, item)
            stored = rows(server, "SELECT project, day, signed_by FROM safety_logs")
            assert stored == [(PROJECT, day.isoformat(), "刘晓梅")]
        finally:
            await server.stop()
            store.close()


async def test_logs_listed_received_late_missing_and_due_and_a_missing_one_is_a_hazard_after_its_grace(
    tmp_path: Path, db_url: str
) -> None:
    server = RegulatorServer(db_url, port=0, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    await server.start()
    store = SafetyLogStore(tmp_path / "safety_logs.sqlite", PROJECT, ["regulator"])
    today = datetime.now(BEIJING).date()
    on_time, late, missing = today - timedelta(days=3), today - timedelta(days=2), today - timedelta(days=1)
    try:
        store.save_draft(on_time, SafetyLogContent(), end_of(on_time) - 3600)
        store.sign(on_time, "刘晓梅", POLICY.deadline(on_time))  # at the deadline: on time
        store.save_draft(late, SafetyLogContent(), end_of(late) - 3600)
        store.sign(late, "刘晓梅", POLICY.deadline(late) + 1)  # a second after it: late
        await run_until(
            SafetyLogSender(uplink(server.port), store).run(), lambda: store.oldest("regulator") is None
        )

        now = POLICY.deadline(missing) + 1
        listed = {d.day: d.status for d in log_days(server.repo, Actor("t", "admin"), POLICY, 7, now=now)}
        assert listed == {on_time: "received", late: "late", missing: "missing", today: "due"}
        # not before the project sent its first log: older days are not invented as missing
        assert min(listed) == on_time

        grace_ends = POLICY.deadline(missing) + POLICY.grace_h * 3600
        assert flag_missing(server.review, POLICY, now=grace_ends - 1) == []
        [hazard_id] = flag_missing(server.review, POLICY, now=grace_ends)
        assert flag_missing(server.review, POLICY, now=grace_ends + 3600) == []  # once per project and day
        [(source, level, message)] = rows(
            server, f"SELECT source, level, message FROM hazards WHERE id = {hazard_id}"
        )
        assert source == "inspection" and level != "critical"  # an ordinary hazard (一般隐患)
        assert f"{missing} 施工安全日志未按时签署上报" in str(message)
    finally:
        store.close()
        await server.stop()


async def test_the_attendance_look_back_gives_each_key_persons_share_of_the_working_days(
    tmp_path: Path, db_url: str
) -> None:
    server = RegulatorServer(db_url, port=0, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    Accounts(server.repo).add_user("inspector", PASSWORD, "regulator")
    await server.start()
    store = SafetyLogStore(tmp_path / "safety_logs.sqlite", PROJECT, ["regulator"])
    today = datetime.now(BEIJING).date()
    d1, d2, d3, d4 = (today - timedelta(days=n) for n in (4, 3, 2, 1))

    def person(pid: str, role: str, minutes: int, day: date) -> PersonDay:
        start = end_of(day) - 86_400 + 8 * 3600
        seen = minutes > 0
        return PersonDay(
            person=pid,
            name={"KP-01": "王海峰", "KP-02": "刘晓梅"}[pid],
            role=role,
            first_in=start if seen else None,
            last_out=start + minutes * 60 if seen else None,
            minutes=minutes,
        )

    days = {  # d3: nobody came (a rest day, not a working day); the manager missed d2
        d1: (480, 500),
        d2: (0, 510),
        d3: (0, 0),
        d4: (420, 450),
    }
    try:
        for day, (pm, officer) in days.items():
            store.queue_attendance(
                KeyAttendance(
                    project=PROJECT,
                    day=day,
                    people=[
                        person("KP-01", "project_manager", pm, day),
                        person("KP-02", "safety_officer", officer, day),
                    ],
                )
            )
        # a day a week back, from a site file without key people then: reported, nobody to count
        store.queue_attendance(KeyAttendance(project=PROJECT, day=today - timedelta(days=7), people=[]))
        await run_until(
            SafetyLogSender(uplink(server.port), store).run(), lambda: store.oldest("regulator") is None
        )
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            assert (await client.get(f"/ui/api/key-attendance/{PROJECT}")).status_code == 401
            r = await client.post("/ui/api/login", json={"username": "inspector", "password": PASSWORD})
            assert r.is_success
            r = await client.get(f"/ui/api/key-attendance/{PROJECT}")
            assert r.status_code == 200, r.text
            back = r.json()
            assert (await client.get("/ui/api/key-attendance/NO-SUCH")).status_code == 404
            page = await client.get("/ui/safety-logs")
            assert page.status_code == 200 and "倒查3个月" in page.text
        assert back["since"] == (today - timedelta(days=89)).isoformat()
        assert (back["working_days"], back["days_reported"]) == (3, 5)
        people = {p["person"]: p for p in back["people"]}
        assert people["KP-01"]["days_on_site"] == 2 and people["KP-01"]["minutes"] == 900
        assert people["KP-01"]["share"] == round(2 / 3, 4) and people["KP-01"]["below_pm_share"] is True
        assert people["KP-02"]["days_on_site"] == 3 and people["KP-02"]["share"] == 1.0
        assert people["KP-02"]["below_pm_share"] is False  # 80 % is the project manager's rule
        first = next(d for d in back["days"] if d["person"] == "KP-01" and d["day"] == d1.isoformat())
        assert first["first_in"] == end_of(d1) - 86_400 + 8 * 3600 and first["minutes"] == 480
    finally:
        store.close()
        await server.stop()
