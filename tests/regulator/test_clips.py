"""A vision alert's evidence clip at the regulator's door (``POST /api/v1/clips?alert_id=``), on SQLite and
PostgreSQL, over real HTTP: kept with its alert's hazard once, played back only to users whose jurisdiction
covers the project, and every hostile or early request refused with a status and a reason the sender can
act on."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from pathlib import Path
from urllib.parse import quote

import httpx

from contract.wire import CLIPS_PATH, EVENTS_PATH, MAX_CLIP_BYTES
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, make_event, real_webm, signed
from tests.regulator.test_patrol import OTHER, OTHER_SECRET, bureau, signed_in  # noqa: F401 (fixture)

ALERT = "GD-SZ-2026-0001:pit-cam:whole-frame:vision.zone_intrusion:1"  # as the gateway names its alerts


def clip_path(alert_id: str = ALERT) -> str:
    return f"{CLIPS_PATH}?alert_id={quote(alert_id, safe='')}"


async def post_clip(
    gw: httpx.AsyncClient,
    body: bytes,
    alert_id: str = ALERT,
    content_type: str = "video/webm",
    headers: dict[str, str] | None = None,
    project: str = PROJECT,
    secret: str = SECRET,
) -> httpx.Response:
    path = clip_path(alert_id)
    sent = headers or signed(path, body, project=project, secret=secret)
    return await gw.post(path, content=body, headers=sent | {"Content-Type": content_type})


async def raise_alert(gw: httpx.AsyncClient, alert_id: str = ALERT) -> None:
    body = make_event(alert_id).model_dump_json().encode()
    r = await gw.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
    assert r.status_code == 200, r.text


def declare_only(port: int, length: int) -> bytes:
    """The regulator's answer to a clip request that announces ``length`` bytes and sends none of them."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            f"POST {clip_path()} HTTP/1.1\r\nHost: x\r\nContent-Type: video/webm\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(4096):  # until the server closes the connection after its answer
            answer += chunk
        return answer


def ffprobe(path: Path) -> dict[str, str]:
    """Codec, decoded frame count and duration of a video file, as ffprobe reads it."""
    out = subprocess.run(
        [
            "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,nb_read_frames:format=duration", "-of", "json", str(path),
        ],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    probe = json.loads(out)
    return probe["streams"][0] | probe["format"]


async def test_clip_is_kept_with_its_hazard_once_and_shown_only_in_its_jurisdiction(
    bureau: RegulatorServer, tmp_path: Path
) -> None:
    clip = real_webm(tmp_path / "cam")
    async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
        # before its alert: 409 naming alert_id, so the gateway sends it again later; nothing is kept
        early = await post_clip(gw, clip)
        assert early.status_code == 409, early.text
        assert early.json()["errors"] == [{"field": "alert_id", "problem": "alert not received yet"}]
        await raise_alert(gw)
        r = await post_clip(gw, clip)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "stored" and r.json()["alert_id"] == ALERT
        # the receipt was lost and the gateway sends it again: kept once
        again = await post_clip(gw, clip)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    hazard_id = r.json()["hazard_id"]
    nanshan = await signed_in(bureau, "ns", "regulator", "广东省/深圳市/南山区")
    tianhe = await signed_in(bureau, "th", "regulator", "广东省/广州市/天河区")
    try:
        detail = (await nanshan.get(f"/ui/api/hazards/{hazard_id}")).json()
        [kept] = [e for e in detail["evidence"] if e["purpose"] == "clip"]
        video = await nanshan.get(f"/ui/api/clips/{kept['sha256']}")
        assert video.status_code == 200 and video.headers["content-type"] == "video/webm"
        assert video.content == clip and video.headers["accept-ranges"] == "bytes"
        # a <video> fetches in byte ranges (Safari plays nothing otherwise)
        head = await nanshan.get(f"/ui/api/clips/{kept['sha256']}", headers={"Range": "bytes=0-99"})
        assert head.status_code == 206 and head.content == clip[:100]
        assert head.headers["content-range"] == f"bytes 0-99/{len(clip)}"
        tail = await nanshan.get(f"/ui/api/clips/{kept['sha256']}", headers={"Range": "bytes=-100"})
        assert tail.status_code == 206 and tail.content == clip[-100:]
        past = await nanshan.get(f"/ui/api/clips/{kept['sha256']}", headers={"Range": f"bytes={len(clip)}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(clip)}"
        (tmp_path / "got.webm").write_bytes(video.content)
        probe = ffprobe(tmp_path / "got.webm")
        assert probe["codec_name"] == "vp8" and int(probe["nb_read_frames"]) >= 16
        assert float(probe["duration"]) > 1.5
        # another district's inspector: neither the hazard nor its clip exists for them
        assert (await tianhe.get(f"/ui/api/hazards/{hazard_id}")).status_code == 404
        assert (await tianhe.get(f"/ui/api/clips/{kept['sha256']}")).status_code == 404
        # the clip is not a picture: the picture route does not serve it
        assert (await nanshan.get(f"/ui/api/evidence/{kept['sha256']}")).status_code == 404
    finally:
        await nanshan.aclose()
        await tianhe.aclose()


async def test_hostile_clips_are_refused_with_a_reason(bureau: RegulatorServer, tmp_path: Path) -> None:
    clip = real_webm(tmp_path / "cam")
    async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
        await raise_alert(gw)
        # over the limit: 413 from Content-Length at once, with none of the body sent
        head, _, said = (await asyncio.to_thread(declare_only, bureau.port, MAX_CLIP_BYTES + 1)).partition(
            b"\r\n\r\n"
        )
        assert head.startswith(b"HTTP/1.1 413"), head
        assert "evidence clip" in json.loads(said)["error"]
        # not a video: a JPEG declared as WebM, and a WebM declared as something else
        r = await post_clip(gw, b"\xff\xd8\xff\xe0 not a clip \xff\xd9")
        assert r.status_code == 415 and r.json()["errors"][0]["field"] == "body", r.text
        r = await post_clip(gw, clip, content_type="application/octet-stream")
        assert r.status_code == 415 and r.json()["errors"][0]["field"] == "Content-Type", r.text
        # forged: signed with another project's secret, or the body swapped after signing
        r = await post_clip(gw, clip, secret=OTHER_SECRET)
        assert r.status_code == 401 and "bad signature" in r.json()["error"]
        r = await post_clip(gw, clip, headers=signed(clip_path(), clip[:-10]))
        assert r.status_code == 401 and "bad signature" in r.json()["error"]
        # signed for one alert, sent for another: the query is part of what is signed
        r = await post_clip(gw, clip, alert_id="other", headers=signed(clip_path(), clip))
        assert r.status_code == 401
        # a replay of a request that was taken
        headers = signed(clip_path(), clip)
        assert (await post_clip(gw, clip, headers=headers)).status_code == 200
        r = await post_clip(gw, clip, headers=headers)
        assert r.status_code == 401 and "replayed" in r.json()["error"]
        # another project's gateway cannot attach a clip to this project's alert
        r = await post_clip(gw, clip, project=OTHER, secret=OTHER_SECRET)
        assert r.status_code == 409 and r.json()["errors"][0]["field"] == "alert_id"
        # no alert named at all
        r = await post_clip(gw, clip, alert_id="")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "alert_id"
    nanshan = await signed_in(bureau, "ns", "regulator", "广东省/深圳市/南山区")
    try:
        [hazard] = (await nanshan.get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
        detail = (await nanshan.get(f"/ui/api/hazards/{hazard['id']}")).json()
        assert [e["purpose"] for e in detail["evidence"]].count("clip") == 1  # only the one taken
    finally:
        await nanshan.aclose()


async def test_a_large_clip_within_the_limit_is_taken(bureau: RegulatorServer) -> None:
    """The limit is the clip's own (8 MiB), not the picture's 1 MB: a 4 MiB WebM-headed body is stored."""
    async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
        await raise_alert(gw)
        r = await post_clip(gw, b"\x1a\x45\xdf\xa3" + bytes(MAX_CLIP_BYTES // 2))
        assert r.status_code == 200, r.text
