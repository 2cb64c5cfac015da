"""Photos of a finding or a public report: base64 JPEGs that must decode as pictures.

A base64 text that starts like a JPEG is not yet a picture (a renamed file, a cut upload, a hostile
payload), and decoding one can cost far more memory than its bytes: a 1.5 MB progressive JPEG of
16000 x 16000 made libjpeg hold 700 MB of coefficients (issue 56). So a photo is checked in the order
of what each step costs:

1. its base64 length (at most ``MAX_PHOTO_BYTES``);
2. its frame header, as Pillow's JPEG parser reads it (markers only, no pixel): a picture a side over
   ``MAX_SIDE`` or over ``MAX_PIXELS`` in all is refused, and so is one whose decode would hold its whole
   image as coefficients (progressive, or several scans) beyond ``MAX_BUFFERED_BYTES``;
3. only then decoded, by Pillow at an eighth of its size (a one-scan JPEG is decoded row by row, so
   this costs little), one photo at a time in the process (``_DECODING``): the memory a decode takes is
   bounded by step 2, and no crowd of requests multiplies it.

The hand-written marker walk this replaces could be misled (a ``FF 01`` marker made it read a small
frame header hidden in a comment while libjpeg read the real one); Pillow refuses such a file.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

from PIL.JpegImagePlugin import JpegImageFile

from contract.self_check import MAX_PHOTOS
from regulator.ingest.receive import Refusal, decode_jpeg

MAX_PHOTO_BYTES = 3 * 1024 * 1024  # a phone's photo at full size is 2–5 MB; 3 MB keeps a clear picture
# the picture's own size: a 12-megapixel phone photo is 4000 x 3000; larger is no photo of a site
MAX_SIDE = 10_000
MAX_PIXELS = 50_000_000  # a 50-megapixel phone's full-size photo (8160 x 6120 is 49.9 MP)
# libjpeg keeps a progressive (or multi-scan) JPEG's whole image as 16-bit DCT coefficients until its last
# scan: 2 bytes per sample of each component. 48 MiB takes a progressive 16 MP photo at 4:2:0 (a phone's
# sampling) or 8 MP at 4:4:4; phones write one-scan (baseline) JPEGs, which need no such buffer.
MAX_BUFFERED_BYTES = 48 * 1024 * 1024
DECODE_WAIT_S = 30.0  # a photo waits this long for the decoder, then the sender is told to retry
_DECODING = threading.BoundedSemaphore(1)
# every decode on one thread: glibc gives each thread its own malloc arena and keeps a freed buffer of a
# decode's size there (its mmap threshold rises to the largest block freed), so decodes taking turns on the
# server's many request threads each left one behind: three 4000 x 3000 progressive photos in a burst held
# 85 MB over idle where one decode needs 36 (2026-11-26)
_DECODER = ThreadPoolExecutor(1, thread_name_prefix="photo-decode")


def photo(b64: str, field: str) -> bytes:
    """The JPEG bytes of one base64 photo; Refusal 413 (too large), 415 (not a picture), 422 (not base64)
    or 503 (the decoder busy for ``DECODE_WAIT_S``)."""
    if len(b64) > MAX_PHOTO_BYTES * 4 // 3 + 100:
        raise Refusal(
            413,
            f"{field} is more than {MAX_PHOTO_BYTES // (1024 * 1024)} MB: send a smaller JPEG (缩小照片后再提交)",
        )
    try:
        jpeg = decode_jpeg(b64, field)
    except Refusal as refused:
        if "not valid base64" in refused.reason:
            raise
        raise Refusal(415, f"{refused.reason}: send a JPEG photo (请上传JPEG格式照片)") from None
    picture, first_scan = _header(jpeg, field)
    _check_size(picture, jpeg[first_scan:], field)
    _decode(picture, field)
    return jpeg


def _unreadable(field: str) -> Refusal:
    return Refusal(
        415,
        f"{field} starts like a JPEG but does not decode as a picture: send the photo itself (照片无法识别)",
    )


def _header(jpeg: bytes, field: str) -> tuple[JpegImageFile, int]:
    """The JPEG with its header parsed by Pillow and no pixel decoded, and where its first scan's data
    starts (Pillow's parser stops there); 415 when Pillow cannot read it. Read as a plain JPEG: an MPO
    (a camera's picture with a second one behind it) is taken as its first picture, the one decoded."""
    try:
        picture = JpegImageFile(io.BytesIO(jpeg))
    except (SyntaxError, OSError, ValueError):  # not a JPEG, or no frame header libjpeg would read
        raise _unreadable(field) from None
    assert picture.fp is not None  # not loaded yet
    return picture, picture.fp.tell()


def buffered_bytes(picture: JpegImageFile) -> int:
    """The bytes of DCT coefficients libjpeg holds for the whole image when it cannot decode the JPEG row
    by row: 64 coefficients of 2 bytes per 8 x 8 block of each component, at the component's sampling."""
    width, height = picture.size
    h_max = max(h for _, h, _, _ in picture.layer)
    v_max = max(v for _, _, v, _ in picture.layer)
    blocks = 0
    for _, h, v, _ in picture.layer:
        blocks += -(-width * h // (8 * h_max)) * -(-height * v // (8 * v_max))
    return blocks * 64 * 2


def _whole_image(picture: JpegImageFile, scans: bytes) -> bool:
    """Whether libjpeg must buffer the whole image: a progressive JPEG, or one with a second scan before
    its end of image. ``scans``: the bytes from the first scan's data on. There, FF DA (start of scan) and
    FF D9 (end of image) cannot occur inside entropy-coded data (an FF there is followed by 00 or a
    restart marker), so the first FF D9 ends the picture (an MPO's second picture behind it is never
    decoded, nor an EXIF thumbnail before the first scan)."""
    if picture.info.get("progressive"):
        return True
    end = scans.find(b"\xff\xd9")
    return scans.find(b"\xff\xda", 0, end if end >= 0 else len(scans)) >= 0


def _check_size(picture: JpegImageFile, scans: bytes, field: str) -> None:
    """Refusal 415 for a picture too large to be a photo, or whose decode would buffer too much;
    ``scans``: the JPEG from its first scan's data on."""
    width, height = picture.size
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise Refusal(
            415,
            f"{field} is {width} x {height} pixels, more than {MAX_SIDE} a side or {MAX_PIXELS // 1_000_000} "
            "megapixels: not a site photo (照片尺寸过大)",
        )
    if _whole_image(picture, scans) and buffered_bytes(picture) > MAX_BUFFERED_BYTES:
        raise Refusal(
            415,
            f"{field} is a progressive (or multi-scan) JPEG of {width} x {height}: decoding it would take "
            f"more than {MAX_BUFFERED_BYTES // (1024 * 1024)} MB; send the camera's own JPEG or a smaller one "
            "(请上传相机原图或缩小照片)",
        )


def _decode(picture: JpegImageFile, field: str) -> None:
    """Refusal 415 unless the picture decodes (grey, at an eighth of its size); 503 if the decoder stayed
    busy with other photos for ``DECODE_WAIT_S``."""
    if not _DECODING.acquire(timeout=DECODE_WAIT_S):
        raise Refusal(503, f"{field}: the server is busy checking other photos; send it again in a minute")
    try:
        _DECODER.submit(_load, picture).result()
    except (OSError, SyntaxError, ValueError):  # a cut or corrupt scan ("image file is truncated", ...)
        raise _unreadable(field) from None
    finally:
        _DECODING.release()
        picture.close()


def _load(picture: JpegImageFile) -> None:
    """The picture decoded, grey, at an eighth of its size (libjpeg's DCT scaling)."""
    width, height = picture.size
    picture.draft("L", (max(1, width // 8), max(1, height // 8)))
    picture.load()


def photos(items: list[str], field: str = "photos") -> list[bytes]:
    """Each photo of a list, checked; Refusal naming the first bad one (e.g. photos[1])."""
    if len(items) > MAX_PHOTOS:
        raise Refusal(422, f"{field} has {len(items)} photos; at most {MAX_PHOTOS} are taken")
    return [photo(p, f"{field}[{i}]") for i, p in enumerate(items)]
