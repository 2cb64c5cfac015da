"""What the regulator's routers share: the session cookie's name, the signed-in user behind a request
(``Who``), a blocking call run off the event loop, a gateway's signed request run with its replay refused,
and the admin-only check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from regulator.access.auth import Accounts
from regulator.access.scope import Actor
from regulator.ingest.receive import refuse_replay
from regulator.ledger.review import ReviewError
from regulator.storage.repository import NonceReused

COOKIE = "sitegw_regulator_session"


async def signed_in(request: Request) -> Actor:
    """The user behind the request's session cookie; 401 when there is none."""
    accounts: Accounts = request.app.state.accounts
    who = await run_in_threadpool(accounts.actor, request.cookies.get(COOKIE))
    if who is None:
        raise ReviewError(401, "not signed in (请先登录)")
    return who


Who = Annotated[Actor, Depends(signed_in)]


def blocking(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """``fn`` as an awaitable run in the thread pool (a database call must not block the event loop)."""
    return lambda *a, **kw: run_in_threadpool(fn, *a, **kw)


async def signed(request: Request, handle: Callable[[bytes], Any]) -> Any:
    """``handle`` of a gateway's signed request's body, run in the thread pool; a replayed nonce is 401."""
    body = await request.body()
    try:
        return await run_in_threadpool(handle, body)
    except NonceReused as reused:
        raise refuse_replay(str(reused)) from None


def admin(who: Actor) -> None:
    """403 unless ``who`` is an admin."""
    if who.role != "admin":
        raise ReviewError(403, "only an admin may do this")
