"""The MQTT driver over TLS to a real Mosquitto that verifies client certificates (issue #19, Security).

Certificates are made by the test (tests/servers/certs.py). The broker has a plain listener for the test's
own publisher and a TLS listener with ``require_certificate true`` for the gateway: readings published on
one reach the gateway connected to the other. A gateway trusting another CA refuses the broker and says
which broker and what to change; one without a client certificate is refused by the broker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.bus import Bus
from contract.config.errors import ConfigError
from contract.config.loader import LoadedSite
from drivers.mqtt import MqttDriver
from tests.servers.certs import Certs, make_certs
from tests.servers.mosquitto import MosquittoServer
from tests.servers.process import running
from tests.support import free_port

from .conftest import Recorder, point_msg, publish, write_site


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    return make_certs(tmp_path / "certs")


@pytest.fixture
def tls_broker(tmp_path: Path, certs: Certs) -> Iterator[tuple[MosquittoServer, int]]:
    """Mosquitto with a plain listener (for the test's publisher) and a TLS one requiring client certificates."""
    tls_port = free_port()
    listener = (
        f"listener {tls_port} 127.0.0.1\n"
        f"cafile {certs.ca}\ncertfile {certs.server_cert}\nkeyfile {certs.server_key}\n"
        "require_certificate true\n"
    )
    broker = MosquittoServer(tmp_path / "mq", persistence=False, extra_listeners=listener)
    for server in running(broker):
        yield server, tls_port


def tls_site(tmp_path: Path, port: int, ca: Path, cert: bool = True) -> LoadedSite:
    """The one-pit site on the TLS port, its certificate paths relative to the site file."""
    client = ", cert_file: certs/client.pem, key_file: certs/client.key" if cert else ""
    return write_site(tmp_path, port, broker_tls=f"{{ca_file: {ca.relative_to(tmp_path)}{client}}}")


async def test_readings_flow_over_tls_with_a_client_certificate(
    tmp_path: Path, certs: Certs, tls_broker: tuple[MosquittoServer, int]
) -> None:
    broker, tls_port = tls_broker
    site = tls_site(tmp_path, tls_port, certs.ca)
    assert site.config.mqtt_brokers["site"].tls is not None  # paths taken from the site file's folder
    assert site.config.mqtt_brokers["site"].tls.ca_file == str(certs.ca)
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(site, bus)
    await driver.start()
    try:
        await rec.wait(lambda: any(s.online for s in rec.statuses), what="the TLS connection")
        await asyncio.to_thread(publish, broker.port, [point_msg("ZQS-01", time.time(), disp_h_mm=3.25)])
        await rec.wait(lambda: len(rec.readings) == 1, what="a reading over TLS")
        assert (rec.readings[0].point, rec.readings[0].value) == ("ZQS-01", 3.25)
    finally:
        await driver.stop()


async def test_a_broker_signed_by_another_ca_is_refused_with_the_fix(
    tmp_path: Path, certs: Certs, tls_broker: tuple[MosquittoServer, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    broker, tls_port = tls_broker
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(tls_site(tmp_path, tls_port, certs.other_ca), bus)
    await driver.start()
    try:
        await rec.wait(lambda: any(not s.online for s in rec.statuses), what="the refusal")
        await asyncio.to_thread(publish, broker.port, [point_msg("ZQS-01", time.time(), disp_h_mm=3.25)])
        await asyncio.sleep(0.5)
        assert rec.readings == []  # nothing from a broker it cannot trust
        [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert f"broker site (127.0.0.1:{tls_port}, TLS) refused" in line
        assert "certificate verify failed" in line
        assert f"not signed by the CA in tls.ca_file {certs.other_ca}" in line and "set tls.ca_file" in line
        assert driver.stats()["pit-1"].online is False
    finally:
        await driver.stop()


async def test_without_a_client_certificate_the_broker_refuses_the_gateway(
    tmp_path: Path, certs: Certs, tls_broker: tuple[MosquittoServer, int]
) -> None:
    _broker, tls_port = tls_broker
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(tls_site(tmp_path, tls_port, certs.ca, cert=False), bus)
    await driver.start()
    try:
        await rec.wait(lambda: any(not s.online for s in rec.statuses), what="the broker's refusal")
        await asyncio.sleep(1.0)
        assert not any(s.online for s in rec.statuses)
        reason = rec.statuses[0].reason
        assert f"broker site (127.0.0.1:{tls_port}, TLS) refused" in reason
        assert "requires a client certificate: set tls.cert_file and tls.key_file" in reason
    finally:
        await driver.stop()


def test_missing_or_unreadable_tls_files_name_the_line_and_the_fix(tmp_path: Path, certs: Certs) -> None:
    write = tmp_path / "site.yaml"
    with pytest.raises(ConfigError) as missing:
        write_site(tmp_path, 8883, broker_tls="{ca_file: certs/nope.pem}")
    [issue] = missing.value.issues
    assert issue.file == write and issue.line == 3 and issue.path == "mqtt_brokers.site.tls.ca_file"
    assert f"{tmp_path}/certs/nope.pem: no such file" in issue.message and "correct the path" in issue.message
    with pytest.raises(ConfigError) as unreadable:
        write_site(
            tmp_path, 8883, broker_tls="{ca_file: certs}"
        )  # a folder: the same branch as a 0600 file of another user
    assert f"ca_file {certs.ca.parent}: cannot be read (Is a directory)" in str(unreadable.value)
    with pytest.raises(ConfigError) as not_pem:
        write_site(tmp_path, 8883, broker_tls="{ca_file: site.yaml}")
    assert "not a PEM CA certificate" in str(not_pem.value)
    with pytest.raises(ConfigError) as half:
        write_site(tmp_path, 8883, broker_tls="{cert_file: certs/client.pem}")
    assert "cert_file and key_file go together" in str(half.value)
    with pytest.raises(ConfigError) as wrong_key:
        write_site(tmp_path, 8883, broker_tls="{cert_file: certs/client.pem, key_file: certs/server.key}")
    assert "cert_file" in str(wrong_key.value) and "the one of this certificate" in str(wrong_key.value)
