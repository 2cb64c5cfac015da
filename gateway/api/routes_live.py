"""The live stream: readings, device status and alert events over Server-Sent Events and WebSocket.

Both carry the same events (``readings``, ``status``, ``alert``, ``regulator``, ``reset``) with the hub's
ids; ``regulator`` is one decision of the regulator on an alert (a Decision, see ``/api/v1/alerts``).
SSE resumes with the standard ``Last-Event-ID`` header (EventSource sends it by itself when it
reconnects); both also accept ``last_event_id`` as a query parameter. A client loading a snapshot first
takes ``/api/v1/stream/position``, then loads, then streams from that id: what happened while it loaded
comes on the stream. ``reset`` means the client's position could not be resumed (the gateway
restarted): reload the snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Header, Query, WebSocket, WebSocketDisconnect
from sse_starlette import EventSourceResponse, ServerSentEvent

from gateway.api.auth import ERRORS, AuthPolicy, viewer
from gateway.api.hub import LiveEvent, LiveHub
from gateway.api.models import StreamPosition

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


PING_S = 15  # keeps proxies and phones' networks from closing an idle stream
SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
        "description": "events `readings`, `status`, `alert`, `regulator` (a decision of the "
        "regulator on an alert), `reset`; `id:` BOOT.SEQ",
    }
}


def ws_text(e: LiveEvent) -> str:
    """A WebSocket message: {"id", "event", "data"} with the hub's pre-serialised data inlined."""
    return f'{{"id":"{e.id}","event":"{e.event}","data":{e.data}}}'


def live_router(hub: LiveHub) -> APIRouter:
    """SSE and WebSocket streams of one gateway's hub."""
    r = APIRouter(prefix="/api/v1", tags=["live"])

    @r.get(
        "/stream",
        response_class=EventSourceResponse,
        responses=ERRORS | SSE_DOC,
        dependencies=[Depends(viewer)],
        summary="Live readings, device status, alert events and regulator decisions (SSE)",
    )
    async def stream(
        last_event_id_header: str | None = Header(None, alias="Last-Event-ID"),
        last_event_id: str | None = Query(
            None, max_length=64, description="resume after this id (as Last-Event-ID)"
        ),
    ) -> EventSourceResponse:
        async def events() -> AsyncIterator[ServerSentEvent]:
            async for e in hub.stream(last_event_id_header or last_event_id):
                yield ServerSentEvent(data=e.data, event=e.event, id=e.id)

        return EventSourceResponse(events(), ping=PING_S, headers={"Cache-Control": "no-store"})

    @r.get(
        "/stream/position",
        response_model=StreamPosition,
        responses=ERRORS,
        dependencies=[Depends(viewer)],
        summary="The live stream's position: take it before loading a snapshot, stream from it after",
    )
    async def position() -> StreamPosition:
        return StreamPosition(last_event_id=hub.position)

    @r.websocket("/ws")
    async def websocket(
        ws: WebSocket,
        last_event_id: str | None = Query(None, max_length=64),
        access_token: str | None = Query(None),
    ) -> None:
        policy: AuthPolicy = ws.app.state.auth
        token = access_token or _bearer(ws.headers.get("authorization"))
        allowed = (
            policy.anonymous_read
            if token is None
            else await asyncio.to_thread(policy.store.principal, token) is not None
        )
        await ws.accept()  # before refusing: a close frame tells the browser why (a bare 403 does not)
        if not allowed:
            await ws.close(code=4401, reason="log in first: ?access_token=TOKEN")
            return
        # the client sends nothing, but reading is how a closed socket is noticed between events
        sender = asyncio.create_task(_send(ws, last_event_id))
        closed = asyncio.create_task(_until_closed(ws))
        _, pending = await asyncio.wait({sender, closed}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await ws.close()

    async def _send(ws: WebSocket, last_event_id: str | None) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            async for e in hub.stream(last_event_id):
                await ws.send_text(ws_text(e))

    return r


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await ws.receive_text()
