"""Both stores subscribed to the real Bus, as the gateway wires them, fed from the loop and a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from contract.bus import Bus
from contract.config.sinks import InfluxConfig, LocalStoreConfig
from contract.readings import Reading
from gateway.store.influx import InfluxSink
from gateway.store.local import LocalStore
from tests.servers.influx import InfluxDB1


async def test_every_published_reading_reaches_both_stores(influxdb1: InfluxDB1, tmp_path: Path) -> None:
    t0 = float(int(time.time()) - 600)
    store = LocalStore(tmp_path / "history.db", LocalStoreConfig(flush_interval_s=0.05))
    sink = InfluxSink(
        InfluxConfig(url=influxdb1.url, api="v1", database="site", flush_interval_s=0.05),
        tmp_path / "influx",
        {"crane-1": "crane", "anemo-1": "anemometer"},
    )
    bus = Bus()
    bus.bind_loop(asyncio.get_running_loop())
    bus.subscribe("store", store.add)
    bus.subscribe("influx", sink.add)
    await asyncio.to_thread(store.start)
    await sink.start()

    def mqtt_like_thread() -> None:  # paho's network thread publishes this way
        for i in range(200):
            bus.publish_threadsafe([Reading(t0 + i, "GD-1", "anemo-1", "wind_ms", i / 10, "m/s")])

    thread = threading.Thread(target=mqtt_like_thread)
    thread.start()
    for i in range(200):
        bus.publish(
            [
                Reading(t0 + i, "GD-1", "crane-1", "load_t", float(i), "t"),
                Reading(t0 + i, "GD-1", "crane-1", "operator_id", "OP-1"),
            ]
        )
        await asyncio.sleep(0)
    # the join's completion is queued behind the thread's publishes, so those have run when it returns
    await asyncio.to_thread(thread.join)
    await sink.stop()
    await asyncio.to_thread(store.stop)

    assert bus.handler_errors == {}
    assert store.reader.counts().rows == 600
    assert {(v.device, v.metric): v.value for v in store.reader.latest()} == {
        ("anemo-1", "wind_ms"): 19.9,
        ("crane-1", "load_t"): 199.0,
        ("crane-1", "operator_id"): "OP-1",
    }
    crane = influxdb1.query("site", "SELECT count(load_t), count(operator_id) FROM crane")
    assert crane[0]["values"][0][1:] == [200, 200]
    assert influxdb1.query("site", "SELECT count(wind_ms) FROM anemometer")[0]["values"][0][1] == 200
