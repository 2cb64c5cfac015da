"""Photos of a finding or a public report: base64 JPEGs that must decode as pictures.

A base64 text that starts like a JPEG is not yet a picture (a renamed file, a cut upload, a hostile
payload); each photo is decoded by OpenCV at an eighth of its size (cheap, and a decompression bomb's
pixels are never all allocated) and refused with the photo's place in the list when it does not decode.
"""

from __future__ import annotations

import cv2
import numpy as np

from contract.self_check import MAX_PHOTOS
from regulator.ingest.receive import Refusal, decode_jpeg

MAX_PHOTO_BYTES = 3 * 1024 * 1024  # a phone's photo at full size is 2–5 MB; 3 MB keeps a clear picture
# the picture's own size: a 12-megapixel phone photo is 4000 x 3000; larger is no photo of a site
MAX_SIDE = 10_000


def photo(b64: str, field: str) -> bytes:
    """The JPEG bytes of one base64 photo; Refusal 413 (too large), 415 (not a picture) or 422 (not base64)."""
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
    _check_decodes(jpeg, field)
    return jpeg


def frame_size(jpeg: bytes) -> tuple[int, int] | None:
    """(height, width) from the JPEG's start-of-frame header, read before any pixel is decoded; None
    when the markers lead to no frame header."""
    at = 2
    while at + 9 <= len(jpeg):
        if jpeg[at] != 0xFF:
            return None
        marker = jpeg[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(jpeg[at + 5 : at + 7], "big"), int.from_bytes(jpeg[at + 7 : at + 9], "big")
        at += 2 + length
    return None


def _check_decodes(jpeg: bytes, field: str) -> None:
    """Refusal 415 unless ``jpeg`` has a frame of a sane size and decodes to a picture."""
    size = frame_size(jpeg)
    if size is not None and max(size) > MAX_SIDE:
        raise Refusal(
            415, f"{field} is {size[1]} x {size[0]} pixels, more than {MAX_SIDE} a side: not a site photo"
        )
    picture = (
        None if size is None else cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    )
    if picture is None or picture.size == 0:
        raise Refusal(
            415,
            f"{field} starts like a JPEG but does not decode as a picture: send the photo itself (照片无法识别)",
        )


def photos(items: list[str], field: str = "photos") -> list[bytes]:
    """Each photo of a list, checked; Refusal naming the first bad one (e.g. photos[1])."""
    if len(items) > MAX_PHOTOS:
        raise Refusal(422, f"{field} has {len(items)} photos; at most {MAX_PHOTOS} are taken")
    return [photo(p, f"{field}[{i}]") for i, p in enumerate(items)]
