"""What the regulator's routers share: the session cookie's name, the signed-in user behind a request
(``Who``; ``Enrolling`` also lets through a user who must first enrol a second factor), a blocking call run off the event loop, a gateway's signed request run with its replay refused,
and the admin-only check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from regulator.access.auth import Accounts, SignedIn
from regulator.ingest.receive import refuse_replay
from regulator.ledger.review import ReviewError
from regulator.storage.nonces import NonceReused
from regulator.storage.scope import Actor

COOKIE = "sitegw_regulator_session"

P = ParamSpec("P")
T = TypeVar("T")


class SecondFactorMissing(ReviewError):
    """403: an authority user who must enrol a second factor before using anything else."""

    def __init__(self) -> None:
        super().__init__(
            403,
            "enrol a second factor first (请先绑定动态口令): scan the QR code of POST /ui/api/second-factor "
            "with an authenticator app and confirm with its code (POST /ui/api/second-factor/confirm)",
        )


async def session_of(request: Request) -> SignedIn:
    """The session behind the request's cookie, whether or not its user must enrol a second factor first;
    401 when there is none."""
    accounts: Accounts = request.app.state.accounts
    session = await run_in_threadpool(accounts.signed_in, request.cookies.get(COOKIE))
    if session is None:
        raise ReviewError(401, "not signed in (请先登录)")
    return session


async def signed_in(request: Request) -> Actor:
    """The user behind the request's session cookie; 401 when there is none, 403 (SecondFactorMissing) while
    they must enrol a second factor."""
    session = await session_of(request)
    if session.must_enrol:
        raise SecondFactorMissing
    return session.actor


Who = Annotated[Actor, Depends(signed_in)]
Enrolling = Annotated[SignedIn, Depends(session_of)]


def blocking(fn: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """``fn`` as an awaitable run in the thread pool (a database call must not block the event loop)."""

    async def run(*a: P.args, **kw: P.kwargs) -> T:
        return await run_in_threadpool(fn, *a, **kw)

    return run


async def signed(request: Request, handle: Callable[[bytes], T]) -> T:
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
