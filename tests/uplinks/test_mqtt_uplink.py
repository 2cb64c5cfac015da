"""The MQTT uplink against a real mosquitto: delivered means the broker sent PUBACK; no broker, no ack."""

from __future__ import annotations

import asyncio
import json
import queue

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract.config.uplinks import MqttUplink
from gateway.uplinks import TransientFailure, build_adapter
from tests.regulator.support import PROJECT, make_event
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port


def subscriber(server: MosquittoServer, topic: str) -> tuple[mqtt.Client, queue.Queue[mqtt.MQTTMessage]]:
    got: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    subscribed = queue.Queue[int]()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, msg: got.put(msg)
    client.on_subscribe = lambda c, u, mid, rc, p: subscribed.put(mid)
    client.connect(server.host, server.port)
    client.loop_start()
    client.subscribe(topic, qos=1)
    subscribed.get(timeout=5)
    return client, got


async def connected(adapter: object, timeout: float = 5) -> None:
    for _ in range(int(timeout / 0.05)):
        if adapter._client.is_connected():  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("uplink did not connect")


async def test_event_is_published_with_qos1_and_acknowledged(mosquitto: MosquittoServer) -> None:
    sub, got = subscriber(mosquitto, f"sitegw/{PROJECT}/alerts/#")
    adapter = build_adapter(MqttUplink(name="mq", host=mosquitto.host, port=mosquitto.port, timeout_s=5))
    try:
        await connected(adapter)
        event = make_event()
        await adapter.send(event)  # returns only after PUBACK
        msg = got.get(timeout=5)
        assert msg.topic == f"sitegw/{PROJECT}/alerts/crane-1" and msg.qos == 1
        assert json.loads(msg.payload)["event_id"] == event.event_id
    finally:
        sub.loop_stop()
        sub.disconnect()
        await adapter.close()


async def test_no_broker_is_a_transient_failure() -> None:
    adapter = build_adapter(MqttUplink(name="mq", host="127.0.0.1", port=free_port(), timeout_s=1))
    try:
        with pytest.raises(TransientFailure, match="not connected"):
            await adapter.send(make_event())
    finally:
        await adapter.close()


async def test_broker_killed_mid_session_is_transient_then_recovers(mosquitto: MosquittoServer) -> None:
    adapter = build_adapter(
        MqttUplink(name="mq", host=mosquitto.host, port=mosquitto.port, timeout_s=1, backoff_max_s=1)
    )
    try:
        await connected(adapter)
        mosquitto.kill()
        await asyncio.sleep(0.2)
        with pytest.raises(TransientFailure):
            await adapter.send(make_event())
        mosquitto.start()
        await connected(adapter, timeout=10)
        await adapter.send(make_event())
    finally:
        await adapter.close()
