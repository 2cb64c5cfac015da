"""MqttDriver against a real Mosquitto: delivery, bad payloads, broker restarts, persistent sessions."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from contract.bus import Bus
from contract.config.loader import load_site
from drivers.mqtt import MqttDriver, fault_log
from tests.servers.mosquitto import MosquittoServer

from .conftest import PREFIX, Recorder, point_msg, publish, write_site


async def started(site_path_port: tuple[Path, int], **kw: object) -> tuple[MqttDriver, Recorder]:
    tmp_path, port = site_path_port
    bus = Bus()
    recorder = Recorder(bus)
    driver = MqttDriver(write_site(tmp_path, port, **kw), bus)  # type: ignore[arg-type]
    await driver.start()
    await recorder.wait(lambda: any(s.online for s in recorder.statuses), what="the driver to connect")
    return driver, recorder


async def test_readings_of_a_pit_dau_reach_the_bus(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    driver, rec = await started((tmp_path, mosquitto.port))
    try:
        now = time.time()
        await asyncio.to_thread(
            publish,
            mosquitto.port,
            [
                point_msg("ZQS-01", now - 7200, disp_h_mm=12.41, disp_v_mm=4.02),
                point_msg("CX-01", int((now - 3600) * 1000), incl_mm=8.5),
                point_msg("ZL-01", now - 60, axial_kn=1804.2),
            ],
        )
        await rec.wait(lambda: len(rec.readings) == 4, what="4 readings")
        got = {(r.device, r.point, r.metric, r.value) for r in rec.readings}
        assert got == {
            ("pit-1", "ZQS-01", "disp_h_mm", 12.41),
            ("pit-1", "ZQS-01", "disp_v_mm", 4.02),
            ("pit-1", "CX-01", "incl_mm", 8.5),
            ("pit-1", "ZL-01", "axial_kn", 1804.2),
        }
        assert {r.point: round(r.ts) for r in rec.readings}["CX-01"] == round(now - 3600)
        st = driver.stats()["pit-1"]
        assert (st.online, st.requests, st.readings, st.errors) == (True, 3, 4, 0)
        assert st.per_metric == {"disp_h_mm": 1, "disp_v_mm": 1, "incl_mm": 1, "axial_kn": 1}
        assert st.last_reading_ts == pytest.approx(now - 60, abs=0.01)
    finally:
        await driver.stop()


async def test_bad_messages_are_counted_per_topic_logged_once_and_the_rest_flows(
    tmp_path: Path, mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    driver, rec = await started((tmp_path, mosquitto.port))
    try:
        bad_topic = f"{PREFIX}/points/ZQS-02/data"
        now = time.time()
        await asyncio.to_thread(
            publish,
            mosquitto.port,
            [
                (bad_topic, b'{"ts": 1763701200, "disp_h_mm": 12.'),  # truncated
                (bad_topic, b"not json at all " * 40),  # long: the log keeps a sample only
                point_msg("ZQS-02", now, disp_h_mm="12.4", disp_v_mm=3.5),  # half good
                point_msg("ZQS-77", now, disp_h_mm=1.0),  # unknown point
                point_msg("ZQS-01", now, disp_h_mm=7.0),  # good, after all the bad ones
            ],
        )
        await rec.wait(lambda: any(r.point == "ZQS-01" for r in rec.readings), what="the good message")
        assert [(r.point, r.metric, r.value) for r in rec.readings] == [
            ("ZQS-02", "disp_v_mm", 3.5),
            ("ZQS-01", "disp_h_mm", 7.0),
        ]
        assert driver.topic_errors() == {bad_topic: 3, f"{PREFIX}/points/ZQS-77/data": 1}
        st = driver.stats()["pit-1"]
        assert (st.requests, st.errors, st.readings) == (5, 4, 2)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        bad_logs = [w for w in warnings if bad_topic in w]
        # once per kind of fault on the topic, however many bad messages: the broken JSON, the text value
        assert len(bad_logs) == 2, warnings
        assert ": unreadable payload: " in bad_logs[0] and "not valid JSON" in bad_logs[0]
        assert 'disp_h_mm": 12.' in bad_logs[0]
        assert ": value not a number: disp_h_mm" in bad_logs[1]
        assert any("unknown point 'ZQS-77'" in w for w in warnings)
        assert all(len(w) < 1000 for w in warnings)  # a sample of the payload, not all of it
    finally:
        await driver.stop()


async def test_faults_that_go_on_are_summed_up_each_period_per_topic_and_kind(
    tmp_path: Path,
    mosquitto: MosquittoServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DAU whose firmware sends numbers as text for a while: its first bad message is logged in full,
    the rest are summed up once a period (a minute; 1 s here) while they continue, by topic and kind."""
    monkeypatch.setattr(fault_log, "SUMMARY_S", 1.0)
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    driver, rec = await started((tmp_path, mosquitto.port))
    try:
        text_topic, json_topic = f"{PREFIX}/points/ZQS-01/data", f"{PREFIX}/points/CX-01/data"
        for _ in range(6):  # 2.5 s of faults
            await asyncio.to_thread(
                publish,
                mosquitto.port,
                [point_msg("ZQS-01", time.time(), disp_h_mm="n/a"), (json_topic, b"{broken")],
            )
            await asyncio.sleep(0.5)
        await asyncio.to_thread(publish, mosquitto.port, [point_msg("ZL-01", time.time(), axial_kn=1.0)])
        await rec.wait(lambda: any(r.point == "ZL-01" for r in rec.readings), what="the good message")
        assert driver.topic_errors() == {text_topic: 6, json_topic: 6}
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        firsts = [w for w in warnings if "bad message on topic" in w]
        assert len(firsts) == 2, warnings
        summaries = [w for w in warnings if w.startswith("bad MQTT messages in the last")]
        assert 1 <= len(summaries) <= 3, warnings
        assert f"{text_topic} (value not a number)" in summaries[0]
        assert f"{json_topic} (unreadable payload)" in summaries[0]
    finally:
        await driver.stop()


async def test_broker_restart_marks_devices_offline_then_resubscribes(tmp_path: Path) -> None:
    # No persistence: the restarted broker has forgotten the subscription, so readings can
    # only flow again if the driver subscribes anew on reconnect.
    broker = MosquittoServer(tmp_path / "mq", persistence=False)
    broker.start()
    try:
        driver, rec = await started((tmp_path, broker.port))
        try:
            broker.kill()
            await rec.wait(lambda: any(not s.online for s in rec.statuses), what="the offline status")
            off = next(s for s in rec.statuses if not s.online)
            assert off.device == "pit-1"
            assert f"broker site (127.0.0.1:{broker.port}) disconnected" in off.reason
            assert driver.stats()["pit-1"].online is False
            broker.start()
            await rec.wait(lambda: rec.statuses[-1].online, timeout=15, what="online again")
            await asyncio.to_thread(publish, broker.port, [point_msg("ZQS-01", time.time(), disp_h_mm=9.9)])
            await rec.wait(lambda: len(rec.readings) == 1, what="a reading after the restart")
            assert [s.online for s in rec.statuses] == [True, False, True]
            assert driver.stats()["pit-1"].online is True
        finally:
            await driver.stop()
    finally:
        broker.kill()


async def test_broker_down_at_start_then_up(tmp_path: Path) -> None:
    broker = MosquittoServer(tmp_path / "mq")
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(write_site(tmp_path, broker.port), bus)
    await driver.start()
    try:
        await rec.wait(lambda: bool(rec.statuses), what="an offline status")
        assert rec.statuses[0].online is False and "unreachable" in rec.statuses[0].reason
        broker.start()
        await rec.wait(lambda: rec.statuses[-1].online, timeout=15, what="online once the broker is up")
        await asyncio.to_thread(publish, broker.port, [point_msg("SW-01", time.time(), water_level_m=-3.2)])
        await rec.wait(lambda: len(rec.readings) == 1, what="a reading")
    finally:
        await driver.stop()
        broker.kill()


async def test_messages_published_while_the_gateway_was_away_arrive_after_it_returns(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    driver, rec = await started((tmp_path, mosquitto.port))
    await driver.stop()  # the session (subscription + queue) stays at the broker
    t0 = time.time() - 3600
    away = [point_msg("ZQS-01", t0 + i, disp_h_mm=float(i)) for i in range(50)]
    await asyncio.to_thread(publish, mosquitto.port, away)
    mosquitto.restart()  # and survives an orderly broker restart (persistence on)
    driver, rec = await started((tmp_path, mosquitto.port))
    try:
        await rec.wait(lambda: len(rec.readings) == 50, what="the 50 queued messages")
        assert [r.value for r in rec.readings] == [float(i) for i in range(50)]  # in order
    finally:
        await driver.stop()


async def test_one_client_per_broker_serves_every_device_on_it(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    site = write_site(tmp_path, mosquitto.port)
    text = site.path.read_text()
    pit2 = text[text.index("  - id: pit-1") :].replace("pit-1", "pit-2")
    site.path.write_text(text + pit2)
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(load_site(site.path), bus)
    await driver.start()
    try:
        await rec.wait(lambda: {s.device for s in rec.statuses if s.online} == {"pit-1", "pit-2"})
        now = time.time()
        await asyncio.to_thread(
            publish,
            mosquitto.port,
            [
                point_msg("ZQS-01", now, disp_h_mm=1.0),
                ("sitegw/T-0001/pit-2/points/ZQS-01/data", f'{{"ts": {now}, "disp_h_mm": 2.0}}'),
            ],
        )
        await rec.wait(lambda: len(rec.readings) == 2)
        assert {(r.device, r.value) for r in rec.readings} == {("pit-1", 1.0), ("pit-2", 2.0)}
        connects = [line for line in mosquitto.log().splitlines() if "New client connected" in line]
        assert len([c for c in connects if "sitegw-T-0001-site" in c]) == 1, connects
    finally:
        await driver.stop()


async def test_a_restarted_driver_announces_itself_online_again(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    driver, rec = await started((tmp_path, mosquitto.port))
    await driver.stop()
    assert driver.stats()["pit-1"].online is False
    await driver.start()
    try:
        await rec.wait(lambda: len([s for s in rec.statuses if s.online]) == 2, what="a second online status")
        assert driver.stats()["pit-1"].online is True
    finally:
        await driver.stop()
