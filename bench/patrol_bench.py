"""What camera patrol pictures and vision alerts' evidence clips cost the alerts (issue #18), over loopback
to a `sitegw regulator serve` in its own process: alerts at ``--rate``/s through the real outbox, first
alone, then with 8 cameras' pictures (a demo photo as the 640-px preview, ~35 KB) put in the patrol queue
every ``--picture-every`` seconds, far more often than any site's schedule (600 s), so pictures are always
waiting; then with an evidence clip (the VP8 WebM a camera worker writes) queued every ``--clip-every``
seconds for the latest alert. Then the regulator's side: 4,000 cameras' pictures (500 projects x 8) sent
signed with 8 in flight, and the patrol wall's page over them: all cameras, and (issue #40) limited to the
500 projects of the provincial video-monitoring set, one category of it, a district, and the set's patrol
coverage of the week (350 of its projects seen by a patrol). ``--wall-only`` runs only the regulator's side.

Prints ``name: value unit`` lines: the clip's size and encode CPU at the shipped settings (3 s before and
after the alert, 640 px wide) at 1 and 10 analysed frames/s; each phase's alert latency (the event handed to
the outbox to the regulator's 2xx) p50 and p99, the pictures or clips delivered meanwhile and their share of
the bytes sent; pictures ingested per second; the wall's page times.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import cv2
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.delivery_latency import PROJECT, SECRET, delivering, event, pct, start_receiver
from bench.load import watched
from contract.config.uplinks import RegulatorUplink
from contract.wire import PICTURES_PATH, CameraPicture
from gateway.uplinks.behind_alerts import BehindAlertsSender
from gateway.uplinks.clips import ClipQueue, ClipSender
from gateway.uplinks.patrol import PatrolQueue, PatrolSender
from gateway.uplinks.regulator import signed_headers
from vision.demo import FRAMES
from vision.evidence import ClipRecorder, EvidenceStore
from vision.images import read_image

CAMERAS = 8
WALL_PROJECTS = 500  # x CAMERAS: the 4,000 cameras of a city's wall; all of them the province's video set
SEEN = 350  # of those, seen by a patrol this week
CATEGORIES = ("rail_transit", "municipal_tunnel", "public_building")
PASSWORD = "bench-password"


def preview_b64() -> str:
    """A demo photo as the camera worker's tile preview: 640 px wide, JPEG quality 70, as base64."""
    image = read_image(sorted(FRAMES.iterdir())[0])
    image = cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    return base64.b64encode(buf.tobytes()).decode()


def encoded_clip(folder: Path, fps: float, seconds: float = 6.0) -> tuple[bytes, float]:
    """The clip a camera worker writes around an alert (ClipRecorder, 640 px wide) of ``seconds`` at
    ``fps`` analysed frames per second, and the CPU seconds its encoding took. The frames are the demo
    photos at 640x360, each held 3 s as a fixed camera sees a still scene, with a worker-sized box walking
    across (real footage with more motion makes larger clips)."""
    photos = [
        cv2.resize(read_image(p), (640, 360), interpolation=cv2.INTER_AREA) for p in sorted(FRAMES.iterdir())
    ]
    recorder = ClipRecorder(EvidenceStore(folder, 10**9), pre_s=0.0, post_s=seconds)
    recorder.start(0.0, f"clip-{fps:g}.webm")
    written: list[Path] = []
    cpu = 0.0
    for j in range(int(seconds * fps) + 1):
        frame = photos[int(j / fps / 3) % len(photos)].copy()
        x = 40 + int(500 * j / (seconds * fps))
        cv2.rectangle(frame, (x, 150), (x + 40, 260), (30, 160, 240), -1)
        started = time.process_time()
        written += recorder.push(j / fps, frame)
        cpu += time.process_time() - started  # the last push writes the clip
    [clip] = written
    return clip.read_bytes(), cpu


async def phase(
    port: int, state: Path, rate: float, count: int, extra: str, every: float | None
) -> tuple[list[float], int, int, int]:
    """Alert latencies (ms), pictures or clips (``extra``) delivered, and the bytes of alerts and of those
    sent."""
    outbox, timed = await delivering(port, state)
    cfg = RegulatorUplink(base_url=f"http://127.0.0.1:{port}", secret=SECRET)  # delivering()'s uplink
    alerts = partial(outbox.store.has_pending, cfg.name)
    created: dict[str, float] = {}
    sender: BehindAlertsSender
    if extra == "clips":
        clip, _ = encoded_clip(state / "camera", 10.0)
        body_bytes = len(clip)
        clips = ClipSender(cfg, PROJECT, ClipQueue(state / "clips", 200_000_000), alerts)
        latest: list[str] = []

        async def offer() -> None:  # a vision alert's clip, queued once the worker wrote it
            while True:
                if latest:
                    clips.put(latest[-1], clip)
                await asyncio.sleep(every or 1)

        sender = clips
    else:
        jpeg = preview_b64()
        body_bytes = len(jpeg) + 200
        pictures = PatrolSender(cfg, PROJECT, PatrolQueue(state / "patrol", 50_000_000), alerts)

        async def offer() -> None:
            while True:
                for k in range(CAMERAS):
                    pic = CameraPicture(project=PROJECT, camera=f"cam-{k}", taken_at=time.time(), jpeg=jpeg)
                    pictures.put(pic)
                await asyncio.sleep(every or 1)

        sender = pictures
    tasks = [asyncio.create_task(sender.run()), asyncio.create_task(offer())] if every else []
    event_bytes = 0
    for i in range(count):
        ev = event(i % 8, i // 8)
        created[ev.event_id] = time.perf_counter()
        event_bytes += len(ev.model_dump_json())
        outbox.on_event(ev)
        if extra == "clips":
            latest.append(ev.alert_id)
        await asyncio.sleep(1 / rate)
    await outbox.drained(60)
    for t in tasks:
        t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await t
    await outbox.stop()
    sent_bytes = sender.sent * body_bytes
    return [(timed.done[e] - t0) * 1000 for e, t0 in created.items()], sender.sent, event_bytes, sent_bytes


def wall_projects(url: str) -> list[str]:
    """Register WALL_PROJECTS more projects (Shenzhen, in two districts), all of them in the video-monitoring
    set (its categories in turn), SEEN of them seen by a patrol, and the unscoped user who opens the wall."""
    from argon2 import PasswordHasher

    from regulator.access.auth import Accounts
    from regulator.ledger import patrol_duty
    from regulator.ledger.video_set import Decision, include
    from regulator.storage.repository import Repository
    from regulator.storage.scope import Actor

    repo = Repository(url)
    try:
        codes = [f"GD-SZ-W-{i:03d}" for i in range(WALL_PROJECTS)]
        province, inspector = Actor("省厅", "admin"), Actor("bench", "regulator")
        for i, code in enumerate(codes):
            repo.add_project(code, f"项目{i}", "深圳", SECRET, "南山区" if i % 2 else "福田区")
            include(repo, province, Decision(code, "纳入省级视频监控", "2026-11-02", CATEGORIES[i % 3]))
        Accounts(repo, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).add_user(
            "bench", PASSWORD, "regulator"
        )
        patrol = patrol_duty.start(repo, inspector)
        for code in codes[:SEEN]:
            patrol_duty.seen(repo, inspector, patrol["id"], patrol_duty.Sighting(code, "cam-0"))
        patrol_duty.finish(repo, inspector, patrol["id"], "bench")
    finally:
        repo.close()
    return codes


async def ingest_pictures(port: int, codes: list[str]) -> float:
    """Send every project's CAMERAS pictures, signed, 8 requests in flight; pictures stored per second.
    Every 7th picture was taken an hour ago, so the wall has stale cameras for its problem filter."""
    jpeg = preview_b64()
    now = time.time()
    bodies = [
        (
            code,
            CameraPicture(
                project=code,
                camera=f"cam-{k}",
                taken_at=now - (3600 if (i * CAMERAS + k) % 7 == 0 else 0),
                every_s=600,
                jpeg=jpeg,
            )
            .model_dump_json()
            .encode(),
        )
        for i, code in enumerate(codes)
        for k in range(CAMERAS)
    ]
    todo = iter(bodies)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

        async def worker() -> None:
            for code, body in todo:
                r = await client.post(
                    PICTURES_PATH, content=body, headers=signed_headers(code, SECRET, PICTURES_PATH, body)
                )
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(8)))
        return len(bodies) / (time.perf_counter() - started)


def wall_pages(port: int) -> dict[str, float]:
    """The wall's first page, page 100, the problem filter, the video-monitoring set's pages (all of it, its
    last page of 96, a category, a district, a risk grade) and the set's coverage (ms, the slower of two after a warm-up)."""
    times = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        client.post("/ui/api/login", json={"username": "bench", "password": PASSWORD}).raise_for_status()
        pages: dict[str, tuple[str, dict[str, str | int]]] = {
            "first": ("/ui/api/patrol", {}),
            "page100": ("/ui/api/patrol", {"page": 100}),
            "problems": ("/ui/api/patrol", {"status": "problem"}),
            "video_set_first": ("/ui/api/patrol", {"video_set": "true"}),
            "video_set_last_of_96": ("/ui/api/patrol", {"video_set": "true", "page_size": 96, "page": 42}),
            "video_set_rail_transit": ("/ui/api/patrol", {"category": "rail_transit"}),
            "video_set_district": ("/ui/api/patrol", {"video_set": "true", "district": "福田区"}),
            "video_set_risk_low": ("/ui/api/patrol", {"video_set": "true", "risk": "low"}),
            "coverage_week": ("/ui/api/patrol-coverage", {}),
        }
        for name, (path, params) in pages.items():
            found = client.get(path, params=params)
            found.raise_for_status()
            if path == "/ui/api/patrol" and name.startswith("video_set"):
                assert found.json()["tiles"], f"{name}: no camera on the page"
            if name == "coverage_week":
                assert found.json()["seen"] == SEEN, found.json()["seen"]
            took = []
            for _ in range(2):
                started = time.perf_counter()
                page = client.get(path, params=params)
                took.append((time.perf_counter() - started) * 1000)
                page.raise_for_status()
            times[name] = max(took)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second")
    parser.add_argument("--count", type=int, default=400, help="alerts per phase")
    parser.add_argument(
        "--picture-every", type=float, default=0.5, help="seconds between each camera's pictures"
    )
    parser.add_argument("--clip-every", type=float, default=0.5, help="seconds between evidence clips")
    parser.add_argument(
        "--wall-only", action="store_true", help="only the regulator's side: ingest, the wall, coverage"
    )
    parser.add_argument(
        "--pg", action="store_true", help="the regulator on a fresh PostgreSQL database (default: SQLite)"
    )
    args = parser.parse_args()
    from tests.regulator.support import pg_database
    from tests.support import free_port

    engine = "PostgreSQL" if args.pg else "SQLite"
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        url = stack.enter_context(pg_database()) if args.pg else f"sqlite:///{tmp}/regulator.sqlite"
        for fps in () if args.wall_only else (1.0, 10.0):
            clip, cpu = encoded_clip(Path(tmp) / "clips", fps)
            print(f"clip_size_6s_640x360_{fps:g}fps: {len(clip) / 1000:.0f} KB")
            print(f"clip_encode_cpu_6s_640x360_{fps:g}fps: {cpu:.2f} s")
        codes = wall_projects(url)
        port = free_port()
        receiver = start_receiver(url, port)
        try:
            # a first phase, not printed: the receiver's first requests and database growth cost more
            if not args.wall_only:
                asyncio.run(phase(port, Path(tmp) / "state-warm", args.rate, args.count // 2, "", None))
            phases = (
                ("alone", "", None),
                ("with_pictures", "pictures", args.picture_every),
                ("with_clips", "clips", args.clip_every),
            )
            for name, extra, every in () if args.wall_only else phases:
                lat, sent, ev_bytes, extra_bytes = asyncio.run(
                    phase(port, Path(tmp) / f"state-{name}", args.rate, args.count, extra, every)
                )
                print(f"patrol_alert_p50_{name}: {pct(lat, 50):.1f} ms")
                print(f"patrol_alert_p99_{name}: {pct(lat, 99):.1f} ms")
                if every:
                    print(f"patrol_{extra}_delivered: {sent} {extra}")
                    print(
                        f"patrol_{extra}_share: {100 * extra_bytes / (extra_bytes + ev_bytes):.0f} % of bytes"
                    )
            rate = asyncio.run(ingest_pictures(port, codes))
            print(f"patrol_pictures_ingested: {rate:.0f} pictures/s ({engine}, 8 in flight)")
            for name, ms in wall_pages(port).items():
                # 500 projects x 8, all in the set
                print(f"patrol_wall_{name}_4000_cameras: {ms:.0f} ms ({engine})")
        finally:
            receiver.terminate()
            receiver.wait(10)


if __name__ == "__main__":
    with watched():
        main()
