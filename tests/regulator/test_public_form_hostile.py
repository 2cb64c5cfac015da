"""Issue 56 against a real `sitegw regulator serve` (a child process, SQLite): hostile photos sent to the
public form (群众举报) leave the server's memory bounded, and its pages carry the security headers with a
policy the pages themselves keep (Chromium reports no violation).

The hostile JPEGs are made here from ITU-T T.81: a small progressive JPEG whose frame header (SOF2) is
patched to claim a huge picture (libjpeg allocates, and zeroes, its coefficients for the size the header
claims, whatever the scans hold), the same behind a ``FF 01`` (TEM, a marker without a length) that made the
old hand-written reader take a small frame header hidden in a comment, and a PNG decompression bomb."""

from __future__ import annotations

import base64
import io
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser

from regulator.channels.photos import photo as checked_photo
from regulator.ingest.receive import Refusal
from regulator.storage.repository import Repository
from tests.servers.api_docs import check_api_docs
from tests.servers.browser import browser
from tests.support import free_port, wait_port

__all__ = ["browser"]  # the fixture, used by name

REPO = Path(__file__).resolve().parents[2]
NS, NS_PLACE = "GD-SZ-NS-01", "广东省/深圳市/南山区"
# the largest decode the form allows holds regulator.channels.photos.MAX_BUFFERED_BYTES (48 MiB) of
# coefficients, one photo at a time; the rest is the requests' bodies (a few kB here) and the allocator
HEADROOM_MB = 60.0


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[str]

    def peak_mb(self) -> float:
        """The server process's peak resident memory so far (VmHWM)."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024


@contextmanager
def regulator(tmp_path: Path) -> Iterator[Served]:
    """`sitegw regulator serve` on SQLite with Nanshan's district, until the block ends."""
    db = f"sqlite:///{tmp_path}/regulator.sqlite"
    repo = Repository(db, tmp_path / "evidence")
    repo.add_project(NS, "南山某项目", "深圳", "secret-ns-0001", "南山区", "某建设集团")
    repo.close()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "regulator", "serve", "--port", str(port), "--db", db],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_port(port, timeout=60)
        yield Served(f"http://127.0.0.1:{port}", proc)
    finally:
        proc.kill()
        out, _ = proc.communicate(timeout=30)
        assert "Traceback" not in out, out


def jpeg(width: int, height: int, progressive: bool, subsampling: int = 2) -> bytes:
    """A real JPEG (Pillow) of ``width`` x ``height``: grey blotches, about a phone photo's bytes per pixel."""
    picture = Image.effect_noise((max(1, width // 16), max(1, height // 16)), 40).resize((width, height))
    picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, progressive=progressive, subsampling=subsampling)
    return out.getvalue()


def claiming(width: int, height: int, real: bytes | None = None) -> bytes:
    """A 64 x 64 progressive JPEG whose frame header (SOF2: FF C2, length, precision, height, width) claims
    ``width`` x ``height``: its scans cover a corner, the decoder fills the rest."""
    data = bytearray(real or jpeg(64, 64, progressive=True))
    sof = data.index(b"\xff\xc2")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def behind_tem(width: int, height: int) -> bytes:
    """``claiming`` with, after SOI, a TEM marker (FF 01, no length: T.81 Table B.1) then two stray bytes
    and a comment holding a baseline frame header of 100 x 100. A reader that takes FF 01 for a marker with
    a length lands in the comment and reads 100 x 100; libjpeg skips the comment and decodes the real one."""
    fake_sof = (
        b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 100, 100) + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 2 + len(fake_sof)) + b"xx" + fake_sof
    real = claiming(width, height)
    return real[:2] + b"\xff\x01\x00\x08" + comment + real[2:]


def png_bomb(side: int) -> bytes:
    """A greyscale PNG of ``side`` x ``side`` zeros: 256 MB of pixels in a few hundred kB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compress(b"\x00" * (side + 1) * side, 9)
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def send(url: str, photo: bytes, sender: str) -> httpx.Response:
    """A public report from ``sender`` (as the trusted local proxy names it) into Nanshan with ``photo``."""
    body = {
        "district": NS_PLACE,
        "site": "南山某项目 北门",
        "description": "塔吊在大风中仍在吊装",
        "photo": base64.b64encode(photo).decode(),
    }
    return httpx.post(
        url + "/public/api/reports", json=body, headers={"X-Forwarded-For": sender}, timeout=120
    )


def test_hostile_photos_leave_the_servers_memory_bounded(tmp_path: Path) -> None:
    hostile = {
        "16000² progressive behind a TEM marker": behind_tem(16000, 16000),
        "16000² progressive": claiming(16000, 16000),
        "9999² progressive (within the side limit)": claiming(9999, 9999),
        "5000² progressive at 4:4:4": claiming(5000, 5000, jpeg(64, 64, progressive=True, subsampling=0)),
        "a PNG bomb": png_bomb(16000),
    }
    # allowed: a progressive 4000 x 3000 at 4:2:0 holds 36 MB of coefficients while decoded
    allowed = jpeg(4000, 3000, progressive=True)
    honest = jpeg(4000, 3000, progressive=False)  # a phone's photo: one scan
    with regulator(tmp_path) as served:
        assert send(served.url, honest, "203.0.113.1").status_code == 200  # the server's paths warmed up
        idle = served.peak_mb()
        # all at once, each from its own network, so no rate limit refuses it before the photo is read
        sent = [*hostile.values(), allowed, allowed, allowed]
        with ThreadPoolExecutor(len(sent)) as pool:
            answers = list(pool.map(lambda n: send(served.url, sent[n], f"198.18.{n}.1"), range(len(sent))))
        grew = served.peak_mb() - idle
        assert send(served.url, honest, "203.0.113.2").status_code == 200  # honest reports still arrive
    assert grew < HEADROOM_MB, f"the server's peak grew {grew:.0f} MB over {idle:.0f} MB"
    for (name, _), r in zip(hostile.items(), answers, strict=False):
        assert r.status_code == 415, f"{name}: {r.status_code} {r.text}"
    assert [r.status_code for r in answers[len(hostile) :]] == [200, 200, 200]
    assert "16000 x 16000" in answers[1].json()["error"] or "more pixels" in answers[1].json()["error"]
    assert "progressive" in answers[3].json()["error"]


def test_the_regulators_pages_carry_security_headers_and_keep_their_policy(
    tmp_path: Path, browser: Browser
) -> None:
    with regulator(tmp_path) as served:
        for path in ("/", "/public/report", "/openapi.json", "/public/api/districts", "/no-such-page"):
            r = httpx.get(served.url + path, timeout=30)
            csp = r.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (path, r.headers)
            assert r.headers.get("x-frame-options") == "DENY", path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            assert r.headers.get("referrer-policy") == "same-origin", path
        # the API page loads nothing from a CDN into the regulator's origin
        assert httpx.get(served.url + "/redoc", timeout=30).status_code == 404
        check_api_docs(served.url, browser)
        for path in ("/", "/public/report"):  # no page of the regulator runs inline script
            csp = httpx.get(served.url + path, timeout=30).headers["content-security-policy"]
            assert "script-src 'self';" in csp, (path, csp)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        try:
            page.goto(served.url + "/public/report")
            page.wait_for_function(
                "() => document.querySelectorAll('#district option').length > 0", timeout=30_000
            )
            page.goto(served.url + "/")
            page.wait_for_load_state("networkidle")
        finally:
            context.close()
    assert violations == []


def test_the_hostile_images_are_what_they_claim() -> None:
    """The test's own images: Pillow reads the claimed size from the patched header, and the PNG is one."""
    assert Image.open(io.BytesIO(claiming(9999, 9999))).size == (9999, 9999)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(claiming(16000, 16000)))
    with Image.open(io.BytesIO(png_bomb(256))) as small:
        assert small.size == (256, 256) and small.format == "PNG"


@pytest.mark.parametrize(
    ("height", "taken"),
    [
        (4088, True),  # below
        (4096, True),  # at: 4096 x 4096 at 4:2:0 is 393,216 blocks of 128 bytes, 48 MiB exactly
        (4104, False),  # above
    ],
)
def test_a_progressive_photo_is_decoded_up_to_the_buffer_bound(height: int, taken: bool) -> None:
    photo = base64.b64encode(claiming(4096, height)).decode()
    if taken:
        assert checked_photo(photo, "photo")
    else:
        with pytest.raises(Refusal) as refused:
            checked_photo(photo, "photo")
        assert refused.value.status == 415 and "48 MB" in refused.value.reason


def test_a_cameras_own_photos_are_taken() -> None:
    """What phones and cameras write passes the bounds: a one-scan 12 MP JPEG at 4:4:4 (no whole-image
    buffer), with a thumbnail JPEG in its EXIF segment (scans before the picture's own), and an MPO
    (a second picture behind the first, as stereo and depth cameras write)."""
    big = Image.effect_noise((250, 188), 40).resize((4000, 3000)).convert("RGB")
    thumb = io.BytesIO()
    big.resize((160, 120)).save(thumb, "JPEG")
    exif = Image.Exif()
    exif[0x0110] = "site camera"  # Model
    with_thumb = io.BytesIO()
    big.save(with_thumb, "JPEG", subsampling=0, exif=exif.tobytes() + thumb.getvalue())
    mpo = io.BytesIO()
    big.save(mpo, "MPO", save_all=True, append_images=[big.resize((800, 600))], subsampling=0)
    for made in (with_thumb.getvalue(), mpo.getvalue()):
        assert (
            made.count(b"\xff\xda") > 1
        )  # more than one scan in the file, none of them the picture's second
        assert checked_photo(base64.b64encode(made).decode(), "photo") == made
