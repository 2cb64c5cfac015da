"""One byte range of a stored file (RFC 9110 §14): browsers fetch a <video> in ranges to learn its length
and to seek, and Safari plays nothing from a server that answers a ``Range`` with the whole body."""

from __future__ import annotations

import re

from starlette.responses import Response

SINGLE = re.compile(r"bytes=(\d*)-(\d*)")


def ranged(data: bytes, asked: str | None, media_type: str, headers: dict[str, str]) -> Response:
    """``data`` as the answer to a request with the ``Range`` header ``asked``: 206 with the one range
    asked, 416 for a range past the end, else 200 with all of it (no header, another unit, several ranges:
    the RFC lets a server send the whole then)."""
    headers = headers | {"Accept-Ranges": "bytes"}
    match = SINGLE.fullmatch(asked.strip()) if asked else None
    if match is None or not (match[1] or match[2]):
        return Response(data, media_type=media_type, headers=headers)
    size = len(data)
    if match[1]:  # bytes=START- or bytes=START-END
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:  # bytes=-N: the last N bytes
        start, end = max(0, size - int(match[2])), size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers=headers | {"Content-Range": f"bytes */{size}"})
    return Response(
        data[start : end + 1],
        status_code=206,
        media_type=media_type,
        headers=headers | {"Content-Range": f"bytes {start}-{end}/{size}"},
    )
