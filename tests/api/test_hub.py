"""LiveHub: resuming after a lost connection, resets after a restart, slow clients cut off."""

from __future__ import annotations

import asyncio
import json

from contract.readings import DeviceStatus, Reading
from gateway.api.hub import LiveEvent, LiveHub


def status(n: int) -> DeviceStatus:
    return DeviceStatus(ts=float(n), device=f"dev-{n}", online=True, reason="")


async def take(hub: LiveHub, last_id: str | None, n: int) -> list[LiveEvent]:
    out: list[LiveEvent] = []
    stream = hub.stream(last_id)
    async with asyncio.timeout(2):
        async for e in stream:
            out.append(e)
            if len(out) == n:
                break
    await stream.aclose()
    return out


async def test_resume_gives_exactly_the_missed_events_then_live_ones() -> None:
    hub = LiveHub()
    hub.bind_loop(asyncio.get_running_loop())
    for n in range(1, 6):
        hub.on_status(status(n))
    first_id = f"{hub.boot}.2"
    task = asyncio.create_task(take(hub, first_id, 4))
    await asyncio.sleep(0.05)
    hub.on_status(status(6))
    got = await task
    assert [json.loads(e.data)["device"] for e in got] == ["dev-3", "dev-4", "dev-5", "dev-6"]
    assert [e.id for e in got] == [f"{hub.boot}.{n}" for n in (3, 4, 5, 6)]


async def test_an_id_from_another_run_gets_a_reset_first() -> None:
    hub = LiveHub()
    hub.bind_loop(asyncio.get_running_loop())
    hub.on_status(status(1))
    task = asyncio.create_task(take(hub, "0000.41", 2))
    await asyncio.sleep(0.05)
    hub.on_status(status(2))
    reset, live = await task
    assert reset.event == "reset" and json.loads(reset.data) == {"reason": "restarted"}
    assert live.event == "status" and json.loads(live.data)["device"] == "dev-2"


async def test_an_id_older_than_the_buffer_gets_a_reset() -> None:
    hub = LiveHub(ring_size=3)
    hub.bind_loop(asyncio.get_running_loop())
    for n in range(1, 10):
        hub.on_status(status(n))
    assert hub.backlog(f"{hub.boot}.2") == (False, list(hub._ring))
    assert hub.backlog(f"{hub.boot}.6")[0] is True  # 7, 8, 9 are still there


async def test_a_client_too_slow_is_cut_off_and_can_resume() -> None:
    hub = LiveHub()
    hub.bind_loop(asyncio.get_running_loop())
    stream = hub.stream(None)
    first = asyncio.create_task(anext(stream))
    await asyncio.sleep(0.01)
    for n in range(1, 2_100):  # more than a client's queue
        hub.on_status(status(n))
    got = [await first]
    async for e in stream:  # the queued events drain, then the stream ends
        got.append(e)
    assert hub.dropped_clients == 1 and hub.clients == 0
    resumed = hub.backlog(got[-1].id)
    assert resumed[0] is True and json.loads(resumed[1][0].data)["device"] == f"dev-{len(got) + 1}"


async def test_publishing_from_another_thread_reaches_the_loop() -> None:
    hub = LiveHub()
    hub.bind_loop(asyncio.get_running_loop())
    task = asyncio.create_task(take(hub, None, 1))
    await asyncio.sleep(0.01)
    await asyncio.to_thread(hub.on_status, status(7))
    (e,) = await task
    assert json.loads(e.data)["device"] == "dev-7"


async def test_readings_are_coalesced_and_go_out_before_a_later_change() -> None:
    from contract.readings import Quality, Reading

    hub = LiveHub(coalesce_s=10)  # long: only the status event can flush them
    hub.bind_loop(asyncio.get_running_loop())
    task = asyncio.create_task(take(hub, None, 2))
    await asyncio.sleep(0.01)
    for n in range(3):
        hub.on_readings([Reading(float(n), "P", "crane-1", "load_t", float(n), "t", Quality.OK, "")])
    hub.on_status(status(1))
    readings, change = await task
    assert readings.event == "readings" and [r["value"] for r in json.loads(readings.data)] == [0.0, 1.0, 2.0]
    assert change.event == "status"


async def test_close_ends_every_stream() -> None:
    hub = LiveHub()
    hub.bind_loop(asyncio.get_running_loop())
    task = asyncio.create_task(take(hub, None, 5))
    await asyncio.sleep(0.01)
    hub.on_status(status(1))
    await asyncio.sleep(0.01)
    hub.close()
    got = await task  # ends with what it had, not after 5 events
    assert [json.loads(e.data)["device"] for e in got] == ["dev-1"]
    assert hub.clients == 0 and [e async for e in hub.stream(None)] == []


async def test_the_buffer_is_bounded_by_size_too_and_resumes_within_it() -> None:
    """A large site's readings events are large: the buffer drops the oldest beyond its characters, and a
    client from before them gets a reset, one within them exactly what it missed."""
    hub = LiveHub(ring_chars=50_000)
    hub.bind_loop(asyncio.get_running_loop())
    for n in range(1, 401):
        hub.on_status(DeviceStatus(ts=float(n), device=f"dev-{n}", online=True, reason="x" * 900))
    kept = list(hub._ring)
    assert sum(len(e.data) for e in kept) <= 50_000
    assert 40 <= len(kept) < 60 and kept[-1].seq == 400
    assert hub.backlog(f"{hub.boot}.100")[0] is False
    resumable, missed = hub.backlog(f"{hub.boot}.390")
    assert resumable and [json.loads(e.data)["device"] for e in missed] == [
        f"dev-{n}" for n in range(391, 401)
    ]


async def test_one_event_larger_than_the_budget_is_still_kept() -> None:
    hub = LiveHub(ring_chars=10)
    hub.bind_loop(asyncio.get_running_loop())
    hub.on_status(status(1))
    hub.on_status(status(2))
    assert [e.seq for e in hub._ring] == [2]


async def test_a_burst_of_readings_leaves_at_most_2_mb_in_the_buffer() -> None:
    """50,000 readings a second fill the buffer in under a second; what it then holds is the gateway's for
    good (issue #55: RSS at most 128 MB under any burst, bench/memory_budget.py), so it is bounded well below
    that."""
    hub = LiveHub(coalesce_s=0.0)
    hub.bind_loop(asyncio.get_running_loop())
    for n in range(100):  # 200,000 readings: ~23 MB of JSON
        hub.on_readings(
            [
                Reading(1.79e9 + n + i / 1e4, "GD-1", "pit-1", "disp_h_mm", i * 0.25, "mm", point="ZQS-01")
                for i in range(2000)
            ]
        )
        await asyncio.sleep(0)
    kept = list(hub._ring)
    assert sum(len(e.data) for e in kept) <= 2_000_000 < sum(len(e.data) for e in kept) + len(kept[0].data)
    assert kept[-1].seq == hub.head and hub.backlog(f"{hub.boot}.1")[0] is False  # the oldest went
