"""The site's cameras as a GB/T 28181 device, against a platform stand-in (tests/gateway/gb28181/platform.py:
no real GB/T 28181 platform can run here; the stand-in is written from the standard's message flows).

The live view is proven by decoding what arrives: the RTP payloads, put back together, are an MPEG-PS
file that FFmpeg decodes into frames of the camera's size.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import struct
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from contract.config.camera import CameraConfig
from contract.config.gb28181 import Gb28181Config
from gateway.site.gb28181.device import Gb28181Device
from tests.gateway.gb28181.platform import (
    SERVER_ID,
    Platform,
    offer,
    receive_rfc4571,
    receive_udp,
    udp_media_socket,
)

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="ffmpeg not installed (scripts/setup-test-env.sh)"
)

DEVICE_ID = "34020000001320000001"
CHANNELS = {"34020000001310000001": "gate", "34020000001310000002": "tower"}
PASSWORD = "12345678"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-second 320x240 clip, the cameras' source (a file camera, looped)."""
    path = tmp_path_factory.mktemp("gb") / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=25",
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def config(port: int, proto: str = "udp", password: str = PASSWORD, **extra: object) -> Gb28181Config:
    return Gb28181Config.model_validate(
        {
            "server_id": SERVER_ID,
            "server_host": "127.0.0.1",
            "server_port": port,
            "transport": proto,
            "device_id": DEVICE_ID,
            "password": password,
            "local_host": "127.0.0.1",
            "local_port": 0,
            "keepalive_s": 0.5,
            "retry_min_s": 0.2,
            "retry_max_s": 0.8,
            "channels": [{"camera": name, "channel_id": cid} for cid, name in CHANNELS.items()],
            **extra,
        }
    )


def cameras(clip: Path) -> list[CameraConfig]:
    return [CameraConfig(name=name, source=str(clip), loop=True) for name in CHANNELS.values()]


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        assert loop.time() < end, "condition not reached in time"
        await asyncio.sleep(0.05)


@pytest.fixture
async def udp_platform() -> AsyncIterator[Platform]:
    platform = Platform(PASSWORD)
    await platform.start()
    yield platform
    await platform.stop()


def decode(packets: list[bytes], ssrc: int, tmp: Path) -> tuple[int, int, int]:
    """Check each packet as RFC 3550 and GB/T 28181 have it, put the PS back together, decode it with
    FFmpeg: (frames, width, height)."""
    assert packets, "no RTP arrived"
    payload = bytearray()
    seq = None
    for p in packets:
        assert len(p) <= 1400
        first, second, number, _ts, packet_ssrc = struct.unpack("!BBHII", p[:12])
        assert first >> 6 == 2 and second & 0x7F == 96 and packet_ssrc == ssrc
        assert seq is None or number == (seq + 1) & 0xFFFF, "RTP sequence has a gap"
        seq = number
        payload += p[12:]
    ps = tmp / "received.ps"
    ps.write_bytes(payload)
    assert payload.startswith(b"\x00\x00\x01\xba")  # a PS pack header first
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-f",
            "mpeg",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "csv=p=0",
            str(ps),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    codec, width, height, frames = probe.stdout.strip().split(",")
    assert codec == "h264"
    return int(frames), int(width), int(height)


async def test_registers_answers_queries_and_streams_over_udp(
    udp_platform: Platform, clip: Path, tmp_path: Path
) -> None:
    device = Gb28181Device(config(udp_platform.port), cameras(clip), online=lambda cam: cam == "gate")
    await device.start()
    try:
        # REGISTER -> 401 digest challenge -> REGISTER whose hash the stand-in recomputed -> 200
        await until(lambda: bool(udp_platform.registrations))
        assert udp_platform.registrations == [3600] and udp_platform.rejected == 0
        await until(lambda: udp_platform.keepalives >= 2, timeout=3)

        (catalog,) = await udp_platform.query("Catalog", DEVICE_ID, items=2)
        assert catalog.findtext("SumNum") == "2"
        items = {i.findtext("DeviceID"): i for i in catalog.findall("DeviceList/Item")}
        assert set(items) == set(CHANNELS)
        assert items["34020000001310000001"].findtext("Name") == "gate"
        assert items["34020000001310000001"].findtext("Status") == "ON"
        assert items["34020000001310000002"].findtext("Status") == "OFF"  # the tower camera is offline
        assert items["34020000001310000002"].findtext("ParentID") == DEVICE_ID

        (info,) = await udp_platform.query("DeviceInfo", DEVICE_ID)
        assert info.findtext("Result") == "OK" and info.findtext("Channel") == "2"
        (status,) = await udp_platform.query("DeviceStatus", DEVICE_ID)
        assert status.findtext("Online") == "ONLINE" and status.findtext("Result") == "OK"

        media = udp_media_socket()
        ok, call_id = await udp_platform.invite("34020000001310000001", offer(media.getsockname()[1]))
        answer = ok.body.decode()
        assert "m=video " in answer and "RTP/AVP 96" in answer and "y=0100000001" in answer
        assert "a=sendonly" in answer
        packets = await receive_udp(media, 3.0)
        frames, width, height = decode(packets, 100000001, tmp_path)
        # 3 s at 25 frames/s: at least a second of them, whatever ffmpeg takes to start on a busy box
        assert frames >= 25 and (width, height) == (320, 240)

        bye = await udp_platform.bye("34020000001310000001", call_id, ok.h("to"))
        assert bye.status == 200
        await until(lambda: device.state.streams == 0)
        while True:  # what was sent before the BYE and still waits in the socket's buffer
            try:
                media.recv(65535)
            except BlockingIOError:
                break
        late = await receive_udp(media, 0.5)
        assert late == [], "RTP still arrives after BYE"
        media.close()
    finally:
        await device.stop()
    assert udp_platform.registrations[-1] == 0  # unregistered: REGISTER with Expires: 0


@pytest.mark.parametrize("platform_setup", ["passive", "active"])
async def test_sip_and_media_over_tcp(platform_setup: str, clip: Path, tmp_path: Path) -> None:
    """SIP over TCP, media over TCP with RFC 4571 framing: the platform listening (a=setup:passive, the
    device connects) or connecting (a=setup:active, the device listens on the port of its answer)."""
    platform = Platform(PASSWORD, proto="tcp", qop=False)
    await platform.start()
    device = Gb28181Device(config(platform.port, "tcp"), cameras(clip))
    await device.start()
    try:
        await until(lambda: bool(platform.registrations))
        received: asyncio.Future[list[bytes]] = asyncio.get_running_loop().create_future()
        server = None
        if platform_setup == "passive":

            async def on_media(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                received.set_result(await receive_rfc4571(reader, 3.0))
                writer.close()

            server = await asyncio.start_server(on_media, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
        else:
            port = 9  # not used: the platform connects to the device
        ok, call_id = await platform.invite(
            "34020000001310000002", offer(port, tcp_setup=platform_setup, ssrc="0100000002")
        )
        answer = ok.body.decode()
        assert "TCP/RTP/AVP 96" in answer
        assert f"a=setup:{'active' if platform_setup == 'passive' else 'passive'}" in answer
        if platform_setup == "active":
            device_port = int(re.search(r"m=video (\d+)", answer).group(1))  # type: ignore[union-attr]
            reader, writer = await asyncio.open_connection("127.0.0.1", device_port)
            received.set_result(await receive_rfc4571(reader, 3.0))
            writer.close()
        frames, width, height = decode(await received, 100000002, tmp_path)
        assert frames >= 25 and (width, height) == (320, 240)
        await platform.bye("34020000001310000002", call_id, ok.h("to"))
        await until(lambda: device.state.streams == 0)
        if server is not None:
            server.close()
    finally:
        await device.stop()
        await platform.stop()


async def test_registers_again_when_the_platform_comes_back(
    udp_platform: Platform, clip: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """3 keepalives unanswered: the platform is lost; REGISTER again, with back-off while it stays away."""
    caplog.set_level(logging.INFO, "gateway.site.gb28181")
    device = Gb28181Device(config(udp_platform.port, keepalive_s=0.3), cameras(clip), answer_timeout_s=0.25)
    await device.start()
    try:
        await until(lambda: device.state.registered)
        port = udp_platform.port
        await udp_platform.stop()
        await until(lambda: not device.state.registered, timeout=5)
        assert "3 keepalives in a row unanswered" in caplog.text
        await asyncio.sleep(1.5)  # attempts at 0.2, 0.4, 0.8 s apart: the back-off
        waits = [float(w) for w in re.findall(r"registering again in ([\d.]+) s", caplog.text)]
        assert waits[:3] == [0.2, 0.4, 0.8]
        back = Platform(PASSWORD, port=port)
        back.device_addr = udp_platform.device_addr
        await back.start()
        try:
            await until(lambda: bool(back.registrations), timeout=5)
            await until(lambda: device.state.registered and back.keepalives >= 1, timeout=3)
        finally:
            await device.stop()
            await back.stop()
    finally:
        await device.stop()


async def test_wrong_password_is_a_clear_error(
    udp_platform: Platform, clip: Path, caplog: pytest.LogCaptureFixture
) -> None:
    device = Gb28181Device(config(udp_platform.port, password="wrong"), cameras(clip))
    await device.start()
    try:
        await until(lambda: udp_platform.rejected >= 1)
        await until(lambda: "refused device" in caplog.text)
    finally:
        await device.stop()
    assert not udp_platform.registrations
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(
        "refused device 34020000001320000001's password" in r.getMessage()
        and "gb28181.password" in r.getMessage()
        for r in errors
    )
    assert not device.state.registered


def test_site_config_rejects_bad_ids_and_unknown_cameras() -> None:
    from pydantic import ValidationError

    from contract.config.site import SiteConfig

    base = config(5060).model_dump()
    with pytest.raises(ValidationError, match="20"):
        Gb28181Config.model_validate({**base, "device_id": "3402000000132000001"})
    with pytest.raises(ValidationError, match="every ID must be unique"):
        Gb28181Config.model_validate({**base, "channels": [{"camera": "a", "channel_id": DEVICE_ID}]})
    with pytest.raises(ValidationError, match=r"'tower', which is not in vision\.cameras"):
        SiteConfig.model_validate(
            {
                "project": {"code": "P1"},
                "vision": {"cameras": [{"name": "gate", "source": "x.mp4"}]},
                "gb28181": base,
            }
        )


async def test_a_source_that_ends_ends_the_stream_with_bye(udp_platform: Platform, clip: Path) -> None:
    """A file camera that does not loop: when the 2-second clip is over the device sends BYE itself."""
    once = [CameraConfig(name=name, source=str(clip), loop=False) for name in CHANNELS.values()]
    device = Gb28181Device(config(udp_platform.port), once)
    await device.start()
    media = udp_media_socket()
    try:
        await until(lambda: bool(udp_platform.registrations))
        await udp_platform.invite("34020000001310000001", offer(media.getsockname()[1]))
        packets = await receive_udp(media, 1.0)
        assert packets
        await until(lambda: udp_platform.byes == 1, timeout=10)
        assert device.state.streams == 0
    finally:
        media.close()
        await device.stop()


async def test_a_platform_that_lost_the_registration_gets_a_new_one(
    udp_platform: Platform, clip: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The platform refuses a keepalive (it restarted and forgot the device): REGISTER again at once."""
    device = Gb28181Device(config(udp_platform.port, keepalive_s=0.3), cameras(clip))
    await device.start()
    try:
        await until(lambda: len(udp_platform.registrations) == 1)
        udp_platform.forgot = True
        await until(lambda: len(udp_platform.registrations) == 2, timeout=3)
        assert "platform refused a keepalive (403 Forbidden)" in caplog.text
        await until(lambda: device.state.registered and not udp_platform.forgot)
    finally:
        await device.stop()


async def test_the_gateway_registers_its_cameras_and_shows_it_in_health(
    udp_platform: Platform, clip: Path, tmp_path: Path
) -> None:
    """`sitegw run`'s Gateway with a gb28181 section: registered at start, in /api/v1/health, unregistered at stop."""
    from contract.config import load_site
    from sitegw.runtime import Gateway

    site_file = tmp_path / "site.yaml"
    site_file.write_text(
        f"""\
project: {{code: GD-SZ-2026-0001}}
vision:
  cameras:
    - {{name: gate, source: {clip}, loop: true, persons: false, helmet: false}}
gb28181:
  server_id: "{SERVER_ID}"
  server_host: 127.0.0.1
  server_port: {udp_platform.port}
  device_id: "{DEVICE_ID}"
  password: "{PASSWORD}"
  local_host: 127.0.0.1
  local_port: 0
  channels:
    - {{camera: gate, channel_id: "34020000001310000001"}}
"""
    )
    gw = Gateway(load_site(site_file), tmp_path / "state", serve_api=False)
    await gw.start()
    try:
        await until(lambda: bool(udp_platform.registrations), timeout=10)
        health = gw.health()["gb28181"]
        assert health["registered"] and health["channels"] == ["34020000001310000001"]
    finally:
        await gw.stop()
    assert udp_platform.registrations[-1] == 0
