"""sitegw's Modbus driver as a gateway under test in /work/shared/bench/peer_tbgw (``GATEWAY_CMD``).

Polls the harness's device farm with the real ModbusDriver (site from BENCH_* variables) and
publishes every poll's batch as ThingsBoard gateway telemetry, one entry per poll stamped with
the poll time: ``v1/gateway/telemetry`` ``{"crane-001": [{"ts": ms, "values": {"r0": v, ...}}]}``.
This is a bench adapter, not a product uplink (the product's MQTT uplink carries alerts).

    GATEWAY=sitegw GATEWAY_CMD="$PWD/.venv/bin/python $PWD/bench/sitegw_tb_adapter.py" \\
        bash /work/shared/bench/peer_tbgw/run_tbgw.sh 20 100 60
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.modbus_bench_site import bench_site
from contract.bus import Bus
from contract.readings import Reading
from drivers.modbus import ModbusDriver


async def main() -> None:
    """Run until SIGINT/SIGTERM."""
    env = os.environ
    site = bench_site(
        int(env["BENCH_DEVICES"]),
        int(env["BENCH_REGS"]),
        float(env["BENCH_POLL_MS"]),
        env.get("BENCH_MODBUS_HOST", "127.0.0.1"),
        int(env["BENCH_MODBUS_BASE_PORT"]),
        env.get("BENCH_LAYOUT", "ports"),
    )
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sitegw-bench")
    client.username_pw_set(env.get("BENCH_TOKEN", "sitegw"))
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(100000)
    client.connect(env.get("BENCH_MQTT_HOST", "127.0.0.1"), int(env["BENCH_MQTT_PORT"]))
    client.loop_start()

    def publish(batch: Sequence[Reading]) -> None:
        entry = {"ts": int(batch[0].ts * 1000), "values": {r.metric: r.value for r in batch}}
        client.publish("v1/gateway/telemetry", json.dumps({batch[0].device: [entry]}), qos=1)

    bus = Bus()
    bus.subscribe("tb-telemetry", publish)
    driver = ModbusDriver(site, bus)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await driver.start()
    await stop.wait()
    await driver.stop()
    client.loop_stop()
    client.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
