"""The MQTT alert uplink over TLS to a real Mosquitto that requires client certificates (issue #19, Security).

Certificates are made by the test (tests/servers/certs.py). The broker has a plain listener, where the test
subscribes, and a TLS listener with ``require_certificate true`` for the uplink. Pinned to the CA that signed
the broker's certificate and holding its client certificate, the uplink delivers (PUBACK); pinned to another
CA, or trusting only the system's CAs, or without a client certificate, it delivers nothing and its failure
(what the outbox logs) says what to change.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml

from contract.config.tls import TlsSettings
from contract.config.uplinks import MqttUplink
from gateway.uplinks import TransientFailure, build_adapter
from tests.drivers.mqtt.test_tls import certs, tls_broker  # noqa: F401
from tests.regulator.support import PROJECT, make_event
from tests.servers.certs import Certs
from tests.servers.mosquitto import MosquittoServer
from tests.uplinks.test_mqtt_uplink import connected, subscriber


def uplink(port: int, tls: bool | TlsSettings) -> MqttUplink:
    return MqttUplink(name="platform", host="127.0.0.1", port=port, tls=tls, timeout_s=2, backoff_max_s=1)


async def refusal(adapter: object, timeout: float = 5) -> str:
    """What a send answers while the broker refuses the uplink (once the first handshake has failed)."""
    for _ in range(int(timeout / 0.1)):
        try:
            await adapter.send(make_event())  # type: ignore[attr-defined]
        except TransientFailure as failure:
            if "refused" in str(failure):
                return str(failure)
        await asyncio.sleep(0.1)
    raise AssertionError("the uplink never said why the broker refused it")


async def test_alerts_go_over_tls_with_a_pinned_ca_and_a_client_certificate(
    certs: Certs, tls_broker: tuple[MosquittoServer, int]
) -> None:
    broker, tls_port = tls_broker
    sub, got = subscriber(broker, f"sitegw/{PROJECT}/alerts/#")
    tls = TlsSettings(ca_file=str(certs.ca), cert_file=str(certs.client_cert), key_file=str(certs.client_key))
    adapter = build_adapter(uplink(tls_port, tls))
    try:
        await connected(adapter)
        event = make_event()
        await adapter.send(event)  # returns once the broker's PUBACK came back over TLS
        msg = got.get(timeout=5)
        assert json.loads(msg.payload)["event_id"] == event.event_id
    finally:
        sub.loop_stop()
        sub.disconnect()
        await adapter.close()


@pytest.mark.parametrize(
    ("pinned", "client_cert", "fix"),
    [
        ("other", True, "not signed by the CA in tls.ca_file"),
        ("system", False, "not signed by the system's CAs"),
        ("site", False, "requires a client certificate: set tls.cert_file and tls.key_file"),
    ],
)
async def test_a_refused_tls_connection_says_what_to_change(
    certs: Certs, tls_broker: tuple[MosquittoServer, int], pinned: str, client_cert: bool, fix: str
) -> None:
    _, tls_port = tls_broker
    ca = {"other": str(certs.other_ca), "site": str(certs.ca), "system": ""}[pinned]
    cert = {"cert_file": str(certs.client_cert), "key_file": str(certs.client_key)} if client_cert else {}
    adapter = build_adapter(uplink(tls_port, TlsSettings(ca_file=ca, **cert) if ca else True))
    try:
        said = await refusal(adapter)
        assert f"uplink platform: broker 127.0.0.1:{tls_port} refused: TLS failed" in said and fix in said, (
            said
        )
    finally:
        await adapter.close()


def test_tls_in_the_site_file_takes_paths_from_its_folder(tmp_path: Path, certs: Certs) -> None:
    """`tls: true` keeps its meaning (the system's CAs); an object pins a CA, its paths relative to the file."""
    assert MqttUplink.model_validate({"name": "a", "host": "h", "tls": True}).tls_settings() == TlsSettings()
    assert MqttUplink.model_validate({"name": "a", "host": "h"}).tls_settings() is None
    raw = yaml.safe_load(
        "{name: a, host: h, tls: {ca_file: certs/ca.pem, cert_file: certs/client.pem, "
        "key_file: certs/client.key}}"
    )
    loaded = MqttUplink.model_validate(raw, context={"base_dir": str(tmp_path)}).tls_settings()
    assert loaded is not None and loaded.ca_file == str(certs.ca)
    with pytest.raises(ValueError, match=r"ca_file .*missing\.pem: no such file"):
        MqttUplink.model_validate(
            {"name": "a", "host": "h", "tls": {"ca_file": "missing.pem"}}, context={"base_dir": str(tmp_path)}
        )
