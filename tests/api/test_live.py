"""The live stream over real HTTP: SSE and WebSocket, resumed with Last-Event-ID without a gap."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import websockets

from tests.api.site import RunningSite


def sse_events(
    site: RunningSite,
    n: int,
    headers: dict[str, str] | None = None,
    until: str | Callable[[dict[str, str]], bool] | None = None,
    timeout: float = 20,
    params: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """Read SSE events (id, event, data) until ``n`` were read, or one of type ``until`` (or for which it
    is true)."""
    out: list[dict[str, str]] = []
    current: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    with httpx.stream(
        "GET", site.url + "api/v1/stream", headers=headers or {}, params=params, timeout=timeout
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if time.monotonic() > deadline:
                raise AssertionError(f"stream too slow: {out[-3:]}")
            if not line:
                if current.get("event"):
                    out.append(current)
                    done = until(current) if callable(until) else current["event"] == until
                    if len(out) >= n or done:
                        return out
                current = {}
                continue
            field, _, value = line.partition(":")
            current[field] = value.strip()
    return out


def seq(event: dict[str, str]) -> int:
    return int(event["id"].split(".")[1])


def test_sse_streams_readings_and_resumes_without_a_gap(site: RunningSite) -> None:
    first = sse_events(site, 5)
    assert all(e["event"] in ("readings", "status", "alert") for e in first)
    batch = json.loads(next(e for e in first if e["event"] == "readings")["data"])
    assert {"device", "metric", "value", "ts", "quality"} <= set(batch[0])
    time.sleep(1.0)  # the "connection" is lost for a second while the site keeps producing
    resumed = sse_events(site, 20, headers={"Last-Event-ID": first[-1]["id"]})
    ids = [seq(e) for e in resumed]
    assert ids == list(range(seq(first[-1]) + 1, seq(first[-1]) + 21))  # every event, in order, none twice


def test_an_id_from_before_a_restart_gets_a_reset(site: RunningSite) -> None:
    events = sse_events(site, 2, headers={"Last-Event-ID": "18c0ffee000.99"})
    assert events[0]["event"] == "reset" and json.loads(events[0]["data"])["reason"] == "restarted"


def test_an_acknowledgement_is_on_the_stream(site: RunningSite) -> None:
    deadline = time.monotonic() + 40
    # pit.rate: the pit simulator's lasting hazard (a crane's overload ends with the lift)
    params = {"state": "firing", "rule": "pit.rate"}
    while not (alerts := httpx.get(site.url + "api/v1/alerts", params=params).json()):
        assert time.monotonic() < deadline, "the demo raised no alert"
        time.sleep(0.3)
    aid = alerts[0]["alert_id"]
    start = sse_events(site, 1)[0]["id"]
    r = httpx.post(
        site.url + f"api/v1/alerts/{aid}/acknowledge",
        json={"note": "现场已处理"},
        headers=site.login("super1"),
        timeout=10,
    )
    assert r.status_code == 200

    def acknowledged(e: dict[str, str]) -> bool:  # the demo's other alerts change meanwhile
        return e["event"] == "alert" and json.loads(e["data"])["alert_id"] == aid

    seen = sse_events(site, 100_000, headers={"Last-Event-ID": start}, until=acknowledged)
    ack = json.loads(seen[-1]["data"])
    assert ack["alert_id"] == aid and ack["state"] == "acknowledged" and ack["actor"] == "super1"


def test_websocket_carries_the_same_events_and_resumes(site: RunningSite) -> None:
    ws_url = site.url.replace("http://", "ws://") + "api/v1/ws"

    async def read(url: str, n: int) -> list[dict[str, object]]:
        async with websockets.connect(url) as ws:
            return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(n)]

    first = asyncio.run(read(ws_url, 3))
    assert all(m["event"] in ("readings", "status", "alert") for m in first)
    last = str(first[-1]["id"])
    resumed = asyncio.run(read(ws_url + "?last_event_id=" + last, 5))
    n = int(last.split(".")[1])
    assert [int(str(m["id"]).split(".")[1]) for m in resumed] == list(range(n + 1, n + 6))


def test_a_websocket_without_a_token_is_refused_when_reading_needs_one(site: RunningSite) -> None:
    site.gw.auth.anonymous_read = False  # type: ignore[union-attr]
    try:

        async def attempt() -> int | None:
            async with websockets.connect(site.url.replace("http://", "ws://") + "api/v1/ws") as ws:
                try:
                    await asyncio.wait_for(ws.recv(), 5)
                except websockets.ConnectionClosed as exc:
                    return exc.rcvd.code if exc.rcvd else None
            return None

        assert asyncio.run(attempt()) == 4401
    finally:
        site.gw.auth.anonymous_read = True  # type: ignore[union-attr]


def test_streaming_from_the_position_taken_before_a_snapshot_misses_nothing(site: RunningSite) -> None:
    # the dashboard's start: position, then the snapshot (slow on a busy box), then the stream from the position
    pos = httpx.get(site.url + "api/v1/stream/position").json()["last_event_id"]
    time.sleep(1.0)  # the site keeps producing while the snapshot loads
    after = sse_events(site, 10, params={"last_event_id": pos})
    assert [seq(e) for e in after] == list(range(seq({"id": pos}) + 1, seq({"id": pos}) + 11))
    assert after[0]["event"] != "reset"
