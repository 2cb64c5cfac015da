"""sitegw's Modbus driver as a gateway under test in /work/shared/bench/peer_tbgw (``GATEWAY_CMD``).

Polls the harness's device farm with the real ModbusDriver (site from BENCH_* variables) and
publishes every poll's batch as ThingsBoard gateway telemetry, one entry per poll stamped with
the poll time: ``v1/gateway/telemetry`` ``{"crane-001": [{"ts": ms, "values": {"r0": v, ...}}]}``,
one MQTT message per poll at QoS 1 (the harness's ``STUB_QOS`` default).
This is a bench adapter, not a product uplink (the product's MQTT uplink carries alerts).

The paho client runs on the driver's event loop (LoopMqtt) rather than on paho's network thread:
the same messages and acknowledgements, without a second thread taking the GIL and waking up for
every message, and the messages of one turn of the loop written together (see LoopMqtt).

    GATEWAY=sitegw GATEWAY_CMD="$PWD/.venv/bin/python $PWD/bench/sitegw_tb_adapter.py" \\
        bash /work/shared/bench/peer_tbgw/run_tbgw.sh 20 100 60
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.modbus_bench_site import bench_site
from contract.bus import Bus
from contract.readings import Reading
from drivers.modbus import ModbusDriver


class LoopMqtt:
    """A paho client driven by the running asyncio loop: reads when its socket is readable, pings
    from a 1 s timer, and writes what was published once per turn of the loop.

    Every poll is still its own PUBLISH packet at its QoS; the packets queued during one turn (the
    polls answered together) go out with the socket corked (Linux TCP_CORK), so the kernel sends them
    in as few segments as fit instead of one segment, and one wake-up of the broker, per message.
    """

    def __init__(self, client: mqtt.Client, loop: asyncio.AbstractEventLoop) -> None:
        self.client, self._loop = client, loop
        self._flush_due = False
        self._writer: socket.socket | None = None  # the socket while the loop waits for it to drain
        self._misc: asyncio.TimerHandle | None = None
        # paho calls this instead of writing in publish(), once until its queue has drained
        client.on_socket_register_write = self._on_register_write

    def start(self, host: str, port: int) -> None:
        """Connect (CONNECT is queued here; CONNACK is read by the loop) and watch the socket."""
        self.client.connect(host, port)
        self._loop.add_reader(self._socket(), self._on_readable)
        self._tick()

    def _socket(self) -> socket.socket:
        sock = self.client.socket()
        assert isinstance(sock, socket.socket), "a plain TCP connection (the harness's broker)"
        return sock

    def _on_register_write(self, client: mqtt.Client, userdata: object, sock: object) -> None:
        if not self._flush_due:
            self._flush_due = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_due = False
        if self.client.socket() is None:
            return
        sock = self._socket()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        try:
            self.client.loop_write()
        finally:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        if self.client.want_write() and self._writer is None:  # the socket's buffer is full
            self._writer = sock
            self._loop.add_writer(sock, self._flush)
        elif not self.client.want_write() and self._writer is not None:
            self._loop.remove_writer(self._writer)
            self._writer = None

    def _on_readable(self) -> None:
        self.client.loop_read()  # acknowledgements; reading them may release queued messages

    def _tick(self) -> None:
        self.client.loop_misc()  # keepalive pings
        self._misc = self._loop.call_later(1.0, self._tick)

    def stop(self) -> None:
        """Disconnect and stop watching the socket."""
        if self._misc is not None:
            self._misc.cancel()
        if self.client.socket() is not None:
            self._loop.remove_reader(self._socket())
            self._loop.remove_writer(self._socket())
        self.client.disconnect()
        self.client.loop_write()  # the DISCONNECT packet, now: the loop is stopping


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
    link = LoopMqtt(client, asyncio.get_running_loop())
    link.start(env.get("BENCH_MQTT_HOST", "127.0.0.1"), int(env["BENCH_MQTT_PORT"]))

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
    link.stop()


if __name__ == "__main__":
    asyncio.run(main())
