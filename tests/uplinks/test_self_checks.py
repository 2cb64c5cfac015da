"""Company self-checks from the site to the regulator's ledger, exactly once (issue #16 §2): kept on disk and
delivered signed to a real regulator over real HTTP, where it is one hazard of source self_check however often
it is sent: a regulator that is down keeps the check pending across a restart of the gateway's file, and a
retry after a lost answer makes no second hazard. The dashboard's route to the ledger, through the demo's
gateway and its embedded regulator: tests/browser/test_self_checks.py; that only a supervisor may send one:
tests/api/test_openapi_roles.py."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

from contract.config.uplinks import RegulatorUplink
from contract.self_check import SelfCheck
from contract.wire import FEEDBACK_PATH
from gateway.uplinks.feedback import RegulatorAction, decision_text
from gateway.uplinks.self_checks import SelfCheckOutbox, SelfCheckSender
from regulator.server import RegulatorServer
from regulator.storage.db import create_engine
from tests.faults.test_disk_full import fill, small_filesystem
from tests.gateway.test_siren import until
from tests.regulator.support import PROJECT, SECRET, signed
from tests.support import free_port


def hazards(db: Path | str) -> list[tuple[str, str, str, str]]:
    engine = create_engine(db)
    try:
        with engine.connect() as c:
            rows = c.execute(
                sa.text("SELECT alert_id, source, state, message FROM hazards ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows]


def regulator_and_uplink(tmp_path: Path) -> tuple[RegulatorServer, RegulatorUplink]:
    """A regulator (not started) with the test project, and a regulator uplink to it."""
    port = free_port()
    server = RegulatorServer(tmp_path / "reg.sqlite", port=port, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    uplink = RegulatorUplink(
        name="regulator",
        base_url=f"http://127.0.0.1:{port}",
        secret=SECRET,
        timeout_s=15,  # "down" is a refused connection at once; a loaded CI box may take seconds to answer
        backoff_initial_s=0.1,
    )
    return server, uplink


async def test_a_check_waits_on_disk_while_the_regulator_is_down_and_a_retry_is_no_second_hazard(
    tmp_path: Path,
) -> None:
    server, uplink = regulator_and_uplink(tmp_path)
    file = tmp_path / "state" / "self_checks.sqlite"
    outbox = SelfCheckOutbox(file, ["regulator"])
    check = SelfCheck(
        check_id=str(uuid.uuid4()), project=PROJECT, description="楼梯口无防护栏杆", found_by="安全员"
    )
    outbox.put(check)
    sender = SelfCheckSender(uplink, PROJECT, outbox)
    async with httpx.AsyncClient(timeout=2) as client:
        item = outbox.oldest("regulator")
        assert item is not None
        try:
            await sender.send(client, *item)
            raise AssertionError("the regulator is down: the send must fail")
        except Exception as exc:  # UplinkRetry: unreachable
            assert "unreachable" in str(exc)
        outbox.failed("regulator", check.check_id, "down", dead=False)
        outbox.close()

        outbox = SelfCheckOutbox(file, ["regulator"])  # the gateway restarted: the check is still there
        [queued] = outbox.listing()
        assert (queued.check, queued.deliveries[0].state, queued.deliveries[0].attempts) == (
            check,
            "pending",
            1,
        )
        sender = SelfCheckSender(uplink, PROJECT, outbox)
        await server.start()
        try:
            item = outbox.oldest("regulator")
            assert item is not None
            await sender.send(client, *item)
            assert outbox.oldest("regulator") is None
            first = outbox.listing()[0].deliveries[0].hazard_id
            # the answer was lost (a cut link after the regulator committed): the same check again
            await sender.send(client, *item)
            assert outbox.listing()[0].deliveries[0].hazard_id == first
            # the site hears of it in its feedback, as its dashboard shows it
            path = FEEDBACK_PATH + "?after=0"
            r = await client.get(uplink.base_url + path, headers=signed(path, b"", method="GET"))
            [action] = [RegulatorAction.model_validate(a) for a in r.json()["actions"]]
            assert (action.action, action.alert_id) == ("record", f"self_check:{check.check_id}")
            assert (
                decision_text(action)
                == "监管: 企业自查上报（经现场网关） | regulator: hazard recorded in the regulator's ledger"
            )
        finally:
            await server.stop()
            outbox.close()
    assert hazards(tmp_path / "reg.sqlite") == [
        (f"self_check:{check.check_id}", "self_check", "pending", "楼梯口无防护栏杆")
    ]


async def test_the_sender_lives_through_a_full_disk_and_the_check_is_one_hazard(tmp_path: Path) -> None:
    """The sender's loop on a real full filesystem (tests/outbox/test_full_disk.py's tmpfs): the regulator
    takes the check, the file cannot record it, and the loop keeps going until it can; before, it died
    there and no check of the site went up again until the gateway restarted."""
    server, uplink = regulator_and_uplink(tmp_path)
    with small_filesystem(tmp_path / "disk", "2m") as disk:
        outbox = SelfCheckOutbox(disk / "self_checks.sqlite", ["regulator"])
        sender = SelfCheckSender(uplink, PROJECT, outbox)
        first = SelfCheck(
            check_id=str(uuid.uuid4()), project=PROJECT, description="临边无防护", found_by="安全员"
        )
        outbox.put(first)
        await server.start()
        task = asyncio.create_task(sender.run())
        try:
            fill(disk / "filler")  # from here the file refuses every write
            await until(lambda: len(hazards(tmp_path / "reg.sqlite")) == 1, 30, "the check at the regulator")
            await asyncio.sleep(0.5)  # the record refused, a retry or two
            assert not task.done(), task
            (disk / "filler").unlink()
            await until(lambda: outbox.oldest("regulator") is None, 30, "the delivery recorded")
            second = SelfCheck(
                check_id=str(uuid.uuid4()), project=PROJECT, description="洞口无盖板", found_by="安全员"
            )
            outbox.put(second)
            outbox.notify()
            await until(lambda: outbox.oldest("regulator") is None, 30, "the next check delivered")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await server.stop()
            outbox.close()
    assert [h[3] for h in hazards(tmp_path / "reg.sqlite")] == ["临边无防护", "洞口无盖板"]
