"""What camera patrol pictures cost the alerts (issue #18 §1), over loopback to a `sitegw regulator serve` in
its own process: alerts at ``--rate``/s through the real outbox, first alone, then with 8 cameras' pictures
(a demo photo as the 640-px preview, ~35 KB) put in the patrol queue every ``--picture-every`` seconds,
far more often than any site's schedule (600 s), so pictures are always waiting.

Prints ``name: value unit`` lines: each phase's alert latency (the event handed to the outbox to the
regulator's 2xx) p50 and p99, the pictures delivered meanwhile and their share of the bytes sent.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.delivery_latency import PROJECT, SECRET, delivering, event, pct, start_receiver
from contract.config.uplinks import RegulatorUplink
from contract.wire import CameraPicture
from gateway.uplinks.patrol import PatrolSender
from gateway.uplinks.patrol import PatrolQueue
from vision.demo import FRAMES
from vision.images import read_image

CAMERAS = 8


def preview_b64() -> str:
    """A demo photo as the camera worker's tile preview: 640 px wide, JPEG quality 70, as base64."""
    image = read_image(sorted(FRAMES.iterdir())[0])
    image = cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    return base64.b64encode(buf.tobytes()).decode()


async def phase(
    port: int, state: Path, rate: float, count: int, picture_every: float | None
) -> tuple[list[float], int, int, int]:
    """Alert latencies (ms), pictures delivered, and the bytes of alerts and of pictures sent."""
    outbox, timed = await delivering(port, state)
    cfg = RegulatorUplink(base_url=f"http://127.0.0.1:{port}", secret=SECRET)  # delivering()'s uplink
    sender = PatrolSender(
        cfg,
        PROJECT,
        PatrolQueue(state / "patrol", 50_000_000),
        partial(outbox.store.has_pending, cfg.name),
    )
    jpeg = preview_b64()

    async def cameras() -> None:
        while True:
            for k in range(CAMERAS):
                pic = CameraPicture(project=PROJECT, camera=f"cam-{k}", taken_at=time.time(), jpeg=jpeg)
                sender.put(pic)
            await asyncio.sleep(picture_every or 1)

    tasks = [asyncio.create_task(sender.run()), asyncio.create_task(cameras())] if picture_every else []
    created: dict[str, float] = {}
    event_bytes = 0
    for i in range(count):
        ev = event(i % 8, i // 8)
        created[ev.event_id] = time.perf_counter()
        event_bytes += len(ev.model_dump_json())
        outbox.on_event(ev)
        await asyncio.sleep(1 / rate)
    await outbox.drained(60)
    for t in tasks:
        t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await t
    await outbox.stop()
    picture_bytes = sender.sent * (len(jpeg) + 200)
    return [(timed.done[e] - t0) * 1000 for e, t0 in created.items()], sender.sent, event_bytes, picture_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second")
    parser.add_argument("--count", type=int, default=400, help="alerts per phase")
    parser.add_argument(
        "--picture-every", type=float, default=0.5, help="seconds between each camera's pictures"
    )
    args = parser.parse_args()
    from tests.support import free_port

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        receiver = start_receiver(Path(tmp) / "regulator.sqlite", port)
        try:
            # a first phase, not printed: the receiver's first requests and database growth cost more
            asyncio.run(phase(port, Path(tmp) / "state-warm", args.rate, args.count // 2, None))
            for name, every in (("alone", None), ("with_pictures", args.picture_every)):
                lat, sent, ev_bytes, pic_bytes = asyncio.run(
                    phase(port, Path(tmp) / f"state-{name}", args.rate, args.count, every)
                )
                print(f"patrol_alert_p50_{name}: {pct(lat, 50):.1f} ms")
                print(f"patrol_alert_p99_{name}: {pct(lat, 99):.1f} ms")
                if every:
                    print(f"patrol_pictures_delivered: {sent} pictures")
                    print(f"patrol_picture_share: {100 * pic_bytes / (pic_bytes + ev_bytes):.0f} % of bytes")
        finally:
            receiver.terminate()
            receiver.wait(10)


if __name__ == "__main__":
    main()
