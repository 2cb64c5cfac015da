"""The regulator's ingest against hostile input, over real HTTP (issue #19, Hostile input).

Forged signatures, replayed nonces and stale timestamps are tested in test_receiver.py; here: bodies over
the size limit (refused with 413 before they are read), evidence that is not a JPEG (refused naming the
field), headers longer than any gateway sends, and a million distinct nonces (the process's memory stays
flat: nonces are rows, swept once the replay window is over, and nothing is cached per unknown sender).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import EVENTS_PATH
from regulator.ingest.receive import Refusal, authenticate
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, make_event, real_jpeg, signed

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

LIMIT_MB = 0.5


@pytest.fixture
async def small(tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator (SQLite) with a body limit of half a megabyte."""
    server = RegulatorServer(tmp_path / "regulator.sqlite", max_body_mb=LIMIT_MB)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    yield server
    await server.stop()


def rss_mb() -> float:
    """This process's resident memory (the regulator runs in it), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def post(server: RegulatorServer, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(server.base_url + EVENTS_PATH, content=body, headers=headers)


def event_body(evidence: str | None = None) -> bytes:
    return make_event(alert=secrets.token_hex(4), evidence=evidence).model_dump_json().encode()


async def test_a_declared_oversized_body_is_refused_with_413_before_it_is_sent(
    small: RegulatorServer,
) -> None:
    # a raw request announcing a gigabyte and sending none of it: the answer comes at once, so the
    # regulator cannot have waited for (or buffered) the body
    def ask() -> bytes:
        with socket.create_connection(("127.0.0.1", small.port), timeout=5) as sock:
            sock.sendall(
                f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {10**9}\r\n\r\n".encode()
            )
            answer = b""
            while chunk := sock.recv(4096):  # until the server closes the connection, as it says it will
                answer += chunk
            return answer

    answer = await asyncio.to_thread(ask)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer
    assert b"connection: close" in head.lower()
    error = json.loads(body)["error"]
    assert "1000000000 bytes declared" in error and f"at most {int(LIMIT_MB * 2**20)} bytes" in error
    assert "--max-body-mb" in error


async def test_a_chunked_body_is_cut_off_at_the_limit_and_a_body_under_it_goes_through(
    small: RegulatorServer,
) -> None:
    big = event_body(evidence=base64.b64encode(b"\xff\xd8\xff" + b"\x00" * 600_000 + b"\xff\xd9").decode())
    headers = signed(EVENTS_PATH, big)
    r = await post(small, big, headers)
    assert r.status_code == 413 and "request body too large" in r.json()["error"]

    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: httpx sends it chunked
        nonlocal sent
        for i in range(0, len(big), 16_384):
            sent += 1
            yield big[i : i + 16_384]

    async with httpx.AsyncClient(timeout=30) as client:
        try:
            r = await client.post(small.base_url + EVENTS_PATH, content=chunks(), headers=headers)
            assert r.status_code == 413 and "more than" in r.json()["error"]
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the server closed the connection after its 413, while the client was still sending
    assert small.repo.events() == []
    fits = event_body(evidence=base64.b64encode(real_jpeg("fits")).decode())
    r = await post(small, fits, signed(EVENTS_PATH, fits))
    assert r.status_code == 200, r.text
    assert len(small.repo.events()) == 1


async def test_evidence_that_is_not_a_jpeg_is_refused_naming_the_field(small: RegulatorServer) -> None:
    jpeg = real_jpeg("cut")
    cases = {
        base64.b64encode(b"GIF89a\x01\x00\x01\x00").decode(): "not a JPEG (no FF D8",
        base64.b64encode(jpeg[: len(jpeg) // 2]).decode(): "a JPEG cut short (no FF D9",
        "%%% not base64 %%%": "not valid base64",
        "ftp://example.com/a.jpg": "not valid base64",
    }
    for evidence, problem in cases.items():
        body = event_body(evidence)
        r = await post(small, body, signed(EVENTS_PATH, body))
        assert r.status_code == 422, (problem, r.text)
        said = r.json()
        assert said["errors"] == [{"field": "evidence", "problem": said["errors"][0]["problem"]}]
        assert problem in said["errors"][0]["problem"] and said["error"].startswith("evidence is ")
    assert small.repo.events() == []


async def test_headers_longer_than_any_gateway_sends_are_refused(small: RegulatorServer) -> None:
    body = event_body()
    r = await post(small, body, signed(EVENTS_PATH, body, nonce="n" * 129))
    assert r.status_code == 401 and "X-Sitegw-Nonce is 129 characters: at most 128" in r.json()["error"]
    headers = signed(EVENTS_PATH, body) | {"X-Sitegw-Project": "P" * 65}
    r = await post(small, body, headers)
    assert r.status_code == 401 and "X-Sitegw-Project is 65 characters" in r.json()["error"]
    assert small.repo.events() == []


async def test_a_million_nonces_stay_in_the_database_and_are_swept_after_the_window(
    db_url: str, tmp_path: Path
) -> None:
    """A million nonces used within the replay window: a replay of any of them is refused, a fresh one is
    taken, and the regulator's memory does not grow with them; once the window is over they are swept."""
    setup = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence")
    setup.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    now = time.time()
    with setup.repo.engine.begin() as db:
        if db.dialect.name == "postgresql":
            db.execute(
                sa.text("INSERT INTO nonces SELECT :p, 'n' || g, :exp FROM generate_series(1, 1000000) g"),
                {"p": PROJECT, "exp": now + 600},
            )
        else:
            db.execute(
                sa.text(
                    "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000000) "
                    "INSERT INTO nonces SELECT :p, 'n' || i, :exp FROM g"
                ),
                {"p": PROJECT, "exp": now + 600},
            )
    setup.repo.close()
    server = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence")
    await server.start()
    try:
        before = rss_mb()
        body = event_body()
        replay = await post(server, body, signed(EVENTS_PATH, body, nonce="n777777"))
        assert replay.status_code == 401 and "nonce already used" in replay.json()["error"]
        fresh = await post(server, body, signed(EVENTS_PATH, body))
        assert fresh.status_code == 200, fresh.text
        assert rss_mb() - before < 20  # nothing of the million was read into the process
        with server.repo.engine.begin() as db:  # the window passes for all of them
            db.execute(sa.text("UPDATE nonces SET expires_at = :past"), {"past": time.time() - 1})
            assert db.execute(sa.text("SELECT count(*) FROM nonces")).scalar() == 1_000_001
    finally:
        await server.stop()
    swept = RegulatorServer(db_url, evidence_dir=tmp_path / "evidence")  # sweeps on its first request
    await swept.start()
    try:
        body = event_body()
        assert (await post(swept, body, signed(EVENTS_PATH, body))).status_code == 200
        with swept.repo.engine.connect() as db:
            assert db.execute(sa.text("SELECT count(*) FROM nonces")).scalar() == 1  # just the new one
    finally:
        await swept.stop()


def flood(server: RegulatorServer, n: int) -> None:
    """``n`` unauthenticated requests, each with its own project code and nonce, as an outsider sends them."""
    body = b"{}"
    for i in range(n):
        headers = signed(
            EVENTS_PATH, body, project=f"X-{i:07d}-{secrets.token_hex(8)}", nonce=secrets.token_hex(16)
        )
        try:
            authenticate(server.repo, headers, "POST", EVENTS_PATH, body)
        except Refusal as refusal:
            assert refusal.status == 401
        else:
            raise AssertionError("an unknown project got in")


# a million lookups (about 290 us each, SQLAlchemy's statement): 279 s alone on a 2-core AMD EPYC, past the
# suite's 300 s beside another worker on CI's box (2026-11-27); a hang still ends, at 15 minutes
MILLION = pytest.param(1_000_000, marks=[pytest.mark.slow, pytest.mark.timeout(900)])


@pytest.mark.parametrize("count", [50_000, MILLION])
def test_a_flood_of_distinct_senders_and_nonces_keeps_memory_flat(tmp_path: Path, count: int) -> None:
    """The senders' part of ingest (authentication, before any body is read), called in-process to reach
    50,000 distinct project codes and nonces in seconds (a million in ``make test-slow``, minutes).
    Refused requests must leave nothing behind: before the fix every unknown code stayed in the project
    cache for good (about 250 bytes each: 12 MB after 50,000)."""
    server = RegulatorServer(tmp_path / "regulator.sqlite")
    try:
        flood(server, 2_000)  # warm up: the connection pool, SQLite's page cache
        before = rss_mb()
        flood(server, count)
        grown = rss_mb() - before
        print(f"\n{count} distinct senders: resident memory {before:.1f} MB -> {before + grown:.1f} MB")
        assert grown < max(4.0, count * 30 / 2**20), f"{grown:.1f} MB more after {count} distinct senders"
    finally:
        server.repo.close()
