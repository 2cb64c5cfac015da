"""Refuse request bodies over a size limit with 413, before they are read whole.

The regulator faces the internet: without a limit, one client sending a body of gigabytes would
have it buffered in memory (ingest reads the body to check its signature). A declared
Content-Length over the limit is refused at once, unread; a body without one (chunked) is counted
as it arrives and refused as soon as it passes the limit. Either way the connection is closed
afterwards, so the rest of the body is never read.

FastAPI 0.165 brought a ``max_body_size`` of its own, but it answers ``{"detail": "Content Too Large"}``
rather than this API's ``{"error": ...}`` with the setting to change, and sitegw supports older FastAPI.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_MB = 16.0  # an event with a base64 JPEG of several MB; a phone's rectification photo


class _TooLarge(Exception):
    """The body being read passed the limit."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send, f"{declared} bytes declared")
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:  # too late for a 413 (an app streaming its answer while reading): just end it
                raise
            await self._refuse(send, f"more than {self.max_bytes} bytes sent")

    async def _refuse(self, send: Send, what: str) -> None:
        reason = (
            f"request body too large ({what}): at most {self.max_bytes} bytes are accepted "
            "(the regulator's --max-body-mb)"
        )
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


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None
