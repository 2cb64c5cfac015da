"""Refuse request bodies over a size limit with 413, before they are read whole.

The regulator faces the internet: without a limit, one client sending a body of gigabytes would
have it buffered in memory (ingest reads the body to check its signature). A declared
Content-Length over the limit is refused at once, unread; a body without one (chunked) is counted
as it arrives and refused as soon as it passes the limit. Either way the connection is closed
afterwards, so the rest of the body is never taken for a request.

Before the 413 goes out, a little more of the body is read and dropped (at most ``DRAIN_BYTES`` or
``DRAIN_S``): a server that closes with the client's bytes still arriving makes the kernel answer them
with a reset, and a reset throws away the 413 waiting in the client's buffer. A client a little over the
limit (a gateway's event with one picture too many) then sees the refusal and its reason, not a broken
connection it would retry for ever; one sending gigabytes is still cut off after a megabyte.

FastAPI 0.165 brought a ``max_body_size`` of its own, but it answers ``{"detail": "Content Too Large"}``
rather than this API's ``{"error": ...}`` with the setting to change, and sitegw supports older FastAPI.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_MB = 16.0  # an event with a base64 JPEG of several MB; a phone's rectification photo
DRAIN_BYTES = 1 << 20  # read and dropped past the limit before the 413, so the client gets to read it
DRAIN_S = 2.0


class _TooLarge(Exception):
    """The body being read passed the limit."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes``, or over a path's own limit in
    ``limits`` (path: (bytes, what to do instead), e.g. a patrol picture's 1 MB)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, limits: Mapping[str, tuple[int, str]] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # the smaller of the two applies, and its refusal says what to change
        limit, fix = min(
            (self.max_bytes, "the regulator's --max-body-mb"),
            self.limits.get(scope["path"], (self.max_bytes, "")),
            key=lambda pair: pair[0],
        )
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _drain(receive)
            await self._refuse(send, f"{declared} bytes declared", limit, fix)
            return
        received = 0
        started = False
        over = False  # the body passed the limit: whatever the app answers then is replaced by the 413

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if over and not started:
                # FastAPI turns any error while it reads a body it parses (a model) into its own 400 "error
                # parsing the body": a chunked body over the limit got that 400 rather than this 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:  # too late for a 413 (an app streaming its answer while reading): just end it
                raise
        if over and not started:
            await _drain(receive)
            await self._refuse(send, f"more than {limit} bytes sent", limit, fix)

    @staticmethod
    async def _refuse(send: Send, what: str, limit: int, fix: str) -> None:
        reason = f"request body too large ({what}): at most {limit} bytes are accepted ({fix})"
        body = json.dumps({"error": reason}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),  # the unread rest of the body must not be taken for a request
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive) -> None:
    """Read and drop the body's rest, up to DRAIN_BYTES and DRAIN_S (see the module's docstring)."""
    drained, deadline = 0, time.monotonic() + DRAIN_S
    while drained <= DRAIN_BYTES:
        try:
            message = await asyncio.wait_for(receive(), deadline - time.monotonic())
        except TimeoutError:
            return
        if message["type"] != "http.request" or not message.get("more_body", False):
            return  # the client went away, or its whole body is in
        drained += len(message.get("body", b""))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None
