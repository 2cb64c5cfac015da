"""The regulator uplink over HTTPS with a pinned CA, against the real regulator app served by uvicorn with
TLS (issue #19, Security). Certificates are made by the test (tests/servers/certs.py).

Pinned to the CA that signed the server's certificate, events, heartbeats, feedback polls, patrol pictures
and self-checks go through;
pinned to another CA, nothing is sent and the failure says what to change. The system's CA store does not
know the test CA either: with no ``tls:`` the uplink refuses the server too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from contract.config.tls import TlsSettings
from contract.config.uplinks import RegulatorUplink
from gateway.alerts.store import DecisionStore
from gateway.uplinks import TransientFailure, build_adapter
from gateway.uplinks.base import http_client
from gateway.uplinks.feedback import FeedbackPoller
from gateway.uplinks.heartbeat import send_heartbeat
from gateway.uplinks.periodic import UplinkRetry
from regulator.app import create_app
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, last_seen, make_event
from tests.servers.certs import Certs, make_certs
from tests.support import free_port
from tests.uplinks.picture_and_check import deliver_picture_and_check


@pytest.fixture
async def https_regulator(tmp_path: Path) -> AsyncIterator[tuple[RegulatorServer, str, Certs]]:
    """The regulator's app on https://127.0.0.1:PORT (uvicorn with ssl_certfile), the test project registered."""
    certs = make_certs(tmp_path / "certs")
    regulator = RegulatorServer(tmp_path / "regulator.sqlite")  # its repository and review; served below
    regulator.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    port = free_port()
    config = uvicorn.Config(
        create_app(regulator.repo, regulator.review),
        host="127.0.0.1",
        port=port,
        ssl_certfile=str(certs.server_cert),
        ssl_keyfile=str(certs.server_key),
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # uvicorn sets a flag, not an event
        await asyncio.sleep(0.01)
    yield regulator, f"https://127.0.0.1:{port}", certs
    server.should_exit = True
    await task
    regulator.repo.close()


def uplink(base_url: str, ca: Path | None) -> RegulatorUplink:
    return RegulatorUplink(
        base_url=base_url, secret=SECRET, tls=TlsSettings(ca_file=str(ca)) if ca is not None else None
    )


async def test_pinned_ca_delivers_events_heartbeats_and_feedback(
    https_regulator: tuple[RegulatorServer, str, Certs], tmp_path: Path
) -> None:
    regulator, url, certs = https_regulator
    cfg = uplink(url, certs.ca)
    adapter = build_adapter(cfg)
    try:
        event = make_event()
        await adapter.send(event)
        assert [s.event for s in regulator.repo.events()] == [event]
    finally:
        await adapter.close()
    async with http_client(cfg.timeout_s, cfg.tls) as client:
        assert await send_heartbeat(client, cfg, PROJECT, 0)
        assert await FeedbackPoller(cfg, PROJECT, DecisionStore(tmp_path / "d.sqlite")).poll(client) == []
    assert last_seen(regulator) is not None


async def test_another_ca_or_the_system_store_refuses_the_server_and_says_what_to_change(
    https_regulator: tuple[RegulatorServer, str, Certs], tmp_path: Path
) -> None:
    regulator, url, certs = https_regulator
    for ca, trusted in (
        (certs.other_ca, f"the CA in tls.ca_file {certs.other_ca}"),
        (None, "the system's CAs"),
    ):
        adapter = build_adapter(uplink(url, ca))
        try:
            with pytest.raises(TransientFailure) as refused:  # the outbox keeps the event and retries
                await adapter.send(make_event())
        finally:
            await adapter.close()
        detail = refused.value.detail
        assert detail.startswith(f"{url}/api/v1/events: TLS failed (certificate verify failed"), detail
        assert f"not signed by {trusted}: set tls.ca_file" in detail
    assert regulator.repo.events() == []
    cfg = uplink(url, certs.other_ca)
    async with http_client(cfg.timeout_s, cfg.tls) as client:
        with pytest.raises(UplinkRetry, match=r"unreachable.*TLS failed.*set tls\.ca_file"):
            await FeedbackPoller(cfg, PROJECT, DecisionStore(tmp_path / "d.sqlite")).poll(client)


async def test_patrol_pictures_and_self_checks_use_the_pinned_ca(
    https_regulator: tuple[RegulatorServer, str, Certs], tmp_path: Path
) -> None:
    """Found in review: these two made their own client with the system's CAs, ignoring ``tls:``."""
    _, url, certs = https_regulator
    cfg = uplink(url, certs.ca)
    await deliver_picture_and_check(cfg, tmp_path)
