"""One live view: the camera encoded to H.264 by ffmpeg, packed into MPEG-PS and sent over RTP.

ffmpeg (a subprocess) reads the camera's source (a file is paced at its own rate, an RTSP or HTTP camera
is live anyway), encodes constant-rate H.264 with an access unit delimiter before every picture and the
parameter sets before every keyframe (one a second), and writes Annex B to its stdout. This module cuts
that into pictures, packs each as a PS pack (``ps_mux.py``), cuts packs into RTP packets (``rtp.py``) and
sends them by UDP, or on a TCP connection with RFC 4571 framing: connecting to the platform when it
listens (its ``a=setup:passive``), or accepting its connection (``a=setup:active``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

from contract.config.camera import CameraConfig
from gateway.site.gb28181.h264 import AccessUnitSplitter
from gateway.site.gb28181.ps_mux import PsMuxer
from gateway.site.gb28181.rtp import RtpPacketizer, rfc4571_frame
from gateway.site.gb28181.sdp import Offer

log = logging.getLogger(__name__)
CLOCK = 90_000  # RTP clock of video (RFC 3551), and the PS system clock's base


class FfmpegMissing(RuntimeError):
    """ffmpeg is not installed: a live view cannot be encoded."""


def require_ffmpeg() -> str:
    """ffmpeg's path, or an error that says how to install it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise FfmpegMissing(
            "gb28181: ffmpeg is not installed, and it encodes the cameras' live streams: install it "
            "(Debian/Ubuntu: apt-get install ffmpeg) or remove the gb28181 section from the site file"
        )
    return path


def ffmpeg_command(ffmpeg: str, camera: CameraConfig, fps: int, kbps: int) -> list[str]:
    """The ffmpeg command that writes the camera as Annex-B H.264 to stdout."""
    src = camera.source
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"]
    is_url = "://" in src
    if src.startswith("rtsp://"):
        cmd += ["-rtsp_transport", camera.rtsp_transport]
    elif not is_url and Path(src).is_dir():
        cmd += ["-re", "-framerate", "1", "-pattern_type", "glob"] + (["-loop", "1"] if camera.loop else [])
        src = str(Path(src) / "*.jpg")
    elif not is_url:
        cmd += ["-re"] + (["-stream_loop", "-1"] if camera.loop else [])
    cmd += ["-i", src, "-an", "-r", str(fps), "-pix_fmt", "yuv420p", "-c:v", "libx264"]
    cmd += ["-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline", "-bf", "0"]
    cmd += ["-g", str(fps), "-b:v", f"{kbps}k", "-x264-params", "aud=1:repeat-headers=1", "-f", "h264", "-"]
    return cmd


class MediaSession:
    """The stream of one INVITE dialog: prepared before the 200 OK, started by the ACK, ended by BYE."""

    def __init__(
        self,
        camera: CameraConfig,
        offer: Offer,
        *,
        fps: int,
        kbps: int,
        on_end: Callable[[], Awaitable[None]],
    ) -> None:
        self.camera = camera
        self.offer = offer
        self._fps = fps
        self._kbps = kbps
        self._on_end = on_end
        self._udp: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._accepted: asyncio.Future[asyncio.StreamWriter] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self.packets_sent = 0
        self.local_port = 0

    async def prepare(self) -> int:
        """Open the local media port (the one named in the answer's m= line) and return it."""
        if not self.offer.tcp:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("0.0.0.0", 0))
            sock.setblocking(False)
            self._udp = sock
            self.local_port = sock.getsockname()[1]
        elif self.offer.setup == "active":  # the platform connects: the device listens
            loop = asyncio.get_running_loop()
            self._accepted = loop.create_future()
            accepted = self._accepted

            async def on_connect(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                if accepted.done():
                    writer.close()
                else:
                    accepted.set_result(writer)

            self._server = await asyncio.start_server(on_connect, "0.0.0.0", 0)
            self.local_port = self._server.sockets[0].getsockname()[1]
        else:  # the platform listens: the device connects from a port of its own, named in the answer
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind(("0.0.0.0", 0))
            self.local_port = probe.getsockname()[1]
            probe.close()
        return self.local_port

    @property
    def running_task(self) -> asyncio.Task[None] | None:
        """The task sending the stream, once the ACK started it."""
        return self._task

    def start(self) -> None:
        """Start sending (on the platform's ACK)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"gb28181-media-{self.camera.name}")

    async def _run(self) -> None:
        ended_by_source = False
        try:
            await self._open_tcp()
            cmd = ffmpeg_command(require_ffmpeg(), self.camera, self._fps, self._kbps)
            self._proc = await asyncio.create_subprocess_exec(
                *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            log.info(
                "gb28181: streaming camera %s to %s:%d (%s, SSRC %s)",
                self.camera.name,
                self.offer.host,
                self.offer.port,
                f"TCP {self.offer.setup}" if self.offer.tcp else "UDP",
                self.offer.ssrc_text,
            )
            await self._pump(self._proc)
            ended_by_source = True
            err = (
                (await self._proc.stderr.read()).decode(errors="replace").strip() if self._proc.stderr else ""
            )
            if err:
                log.warning("gb28181: ffmpeg for camera %s ended: %s", self.camera.name, err[-500:])
        except (OSError, TimeoutError) as exc:
            log.warning(
                "gb28181: the stream of camera %s to %s:%d failed: %s",
                self.camera.name,
                self.offer.host,
                self.offer.port,
                exc,
            )
            ended_by_source = True
        finally:
            await self._close()
        if ended_by_source:
            await self._on_end()

    async def _open_tcp(self) -> None:
        if not self.offer.tcp:
            return
        if self._accepted is not None:
            self._writer = await asyncio.wait_for(self._accepted, timeout=10.0)
        else:
            _, self._writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.offer.host, self.offer.port, local_addr=("0.0.0.0", self.local_port)
                ),
                timeout=10.0,
            )

    async def _pump(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        splitter = AccessUnitSplitter()
        muxer = PsMuxer(self._kbps * 1000)
        rtp = RtpPacketizer(self.offer.ssrc)
        step = CLOCK // self._fps
        frame = 0
        loop = asyncio.get_running_loop()
        while True:
            data = await proc.stdout.read(65536)
            units = splitter.feed(data) if data else splitter.flush()
            for au in units:
                ts = frame * step
                frame += 1
                for packet in rtp.packets(muxer.pack(au.data, ts, au.keyframe), ts):
                    if self._writer is not None:
                        self._writer.write(rfc4571_frame(packet))
                    elif self._udp is not None:
                        await loop.sock_sendto(self._udp, packet, (self.offer.host, self.offer.port))
                    self.packets_sent += 1
                if self._writer is not None:
                    await self._writer.drain()
            if not data:
                return

    async def stop(self) -> None:
        """End the stream (BYE, or the device stopping): ffmpeg stopped, ports freed."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._close()

    async def _close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.returncode is None:
                proc.kill()  # a live view's encoder has nothing to finish
            # reading the pipes to their end lets asyncio close them with the process; shielded, so a
            # second cancellation cannot leave the process behind
            await asyncio.shield(proc.communicate())
        if self._writer is not None:
            # media still buffered for a platform that stopped reading is not worth waiting for
            self._writer.transport.abort()
            self._writer = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
