"""Who may do what in the API: bearer tokens, role checks, login with throttling, user admin routes.

Reads need ``viewer`` unless the gateway allows anonymous reading (the site-office screen);
nothing writes anonymously. A token comes in ``Authorization: Bearer ...``; GET requests may
give it as ``access_token`` instead, because a browser's EventSource and ``<img>`` cannot send
headers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from gateway.api.auth_store import AuthError, AuthStore, LoginThrottle, Principal, Role

ANONYMOUS = Principal("anonymous", "viewer")
bearer = HTTPBearer(auto_error=False, description="a login token (POST /api/v1/auth/login) or an API token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token"},
    403: {"description": "the token's role may not do this"},
}


@dataclass
class AuthPolicy:
    """The API's authentication state: the user store, login throttle, anonymous reading."""

    store: AuthStore
    anonymous_read: bool = True
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def _token(request: Request, creds: HTTPAuthorizationCredentials | None) -> str | None:
    if creds is not None:
        return creds.credentials
    if request.method == "GET":
        return request.query_params.get("access_token")
    return None


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the caller, or 401/403 when they lack ``role``."""

    async def dependency(request: Request, creds: Credentials) -> Principal:
        policy: AuthPolicy = request.app.state.auth
        token = _token(request, creds)
        if token is None:
            if role == "viewer" and policy.anonymous_read:
                return ANONYMOUS
            raise HTTPException(
                401,
                "log in first (POST /api/v1/auth/login) and send the token as 'Authorization: Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        who = await asyncio.to_thread(policy.store.principal, token)
        if who is None:
            raise HTTPException(
                401, "the token is unknown or expired: log in again", headers={"WWW-Authenticate": "Bearer"}
            )
        if not who.can(role):
            raise HTTPException(403, f"{who.name} is {who.role}; this needs {role} or above")
        return who

    return dependency


viewer = require("viewer")
supervisor = require("supervisor")
admin = require("admin")
Viewer = Annotated[Principal, Depends(viewer)]
Supervisor = Annotated[Principal, Depends(supervisor)]
Admin = Annotated[Principal, Depends(admin)]


class LoginRequest(BaseModel):
    """A user name and password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenView(BaseModel):
    """A bearer token and what it allows."""

    token: str
    name: str
    role: Role
    expires_ts: float | None = Field(description="Unix seconds; null: never expires")


class MeView(BaseModel):
    """The caller as the API sees them."""

    name: str
    role: Role
    anonymous: bool


class UserRequest(BaseModel):
    """A new user (or a reset of one with replace)."""

    name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=256)
    replace: bool = False


class UserView(BaseModel):
    """A user as listed."""

    name: str
    role: Role
    created_ts: float


class ApiTokenRequest(BaseModel):
    """A long-lived token for a machine (a wall screen, a script)."""

    label: str = Field(min_length=1, max_length=64, description="what holds it, e.g. 办公室大屏")
    role: Role = "viewer"
    ttl_days: float | None = Field(None, gt=0, le=3650, description="null: never expires")


def auth_router() -> APIRouter:
    """Login, logout, who am I, users and API tokens."""
    r = APIRouter(prefix="/api/v1", tags=["auth"])

    @r.post(
        "/auth/login",
        response_model=TokenView,
        summary="Log in; the token lasts one shift (12 h)",
        responses={
            401: {"description": "wrong name or password"},
            429: {"description": "too many failed logins: wait Retry-After seconds"},
        },
    )
    async def login(body: LoginRequest, request: Request) -> TokenView:
        policy: AuthPolicy = request.app.state.auth
        keys = ("user:" + body.username, "addr:" + (request.client.host if request.client else "?"))
        wait = policy.throttle.retry_after(*keys)
        if wait > 0:
            raise HTTPException(
                429,
                f"too many failed logins: try again in {wait:.0f} s",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        who = await asyncio.to_thread(policy.store.verify_password, body.username, body.password)
        if who is None:
            policy.throttle.failed(*keys)
            raise HTTPException(401, "wrong user name or password")
        policy.throttle.succeeded(body.username)
        issued = await asyncio.to_thread(policy.store.issue, who.name, who.role)
        return TokenView(token=issued.token, name=issued.name, role=issued.role, expires_ts=issued.expires_ts)

    @r.post("/auth/logout", status_code=204, summary="End this token", responses=ERRORS)
    async def logout(request: Request, who: Viewer, creds: Credentials) -> Response:
        if creds is not None:
            await asyncio.to_thread(request.app.state.auth.store.revoke, creds.credentials)
        return Response(status_code=204)

    @r.get("/auth/me", response_model=MeView, summary="Who the token belongs to", responses=ERRORS)
    async def me(who: Viewer) -> MeView:
        return MeView(name=who.name, role=who.role, anonymous=who is ANONYMOUS)

    @r.get("/users", response_model=list[UserView], summary="Users (admin)", responses=ERRORS)
    async def users(request: Request, who: Admin) -> list[UserView]:
        found = await asyncio.to_thread(request.app.state.auth.store.users)
        return [UserView(name=u.name, role=u.role, created_ts=u.created_ts) for u in found]

    @r.post(
        "/users",
        response_model=UserView,
        status_code=201,
        summary="Add a user (admin)",
        responses=ERRORS | {409: {"description": "exists, or a bad name"}},
    )
    async def add_user(body: UserRequest, request: Request, who: Admin) -> UserView:
        try:
            u = await asyncio.to_thread(
                request.app.state.auth.store.add_user,
                body.name,
                body.role,
                body.password,
                replace=body.replace,
            )
        except AuthError as exc:
            raise HTTPException(409, str(exc)) from exc
        return UserView(name=u.name, role=u.role, created_ts=u.created_ts)

    @r.delete(
        "/users/{name}",
        status_code=204,
        summary="Remove a user and their tokens (admin)",
        responses=ERRORS | {404: {"description": "no such user"}},
    )
    async def remove_user(name: str, request: Request, who: Admin) -> Response:
        try:
            await asyncio.to_thread(request.app.state.auth.store.remove_user, name)
        except AuthError as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(status_code=204)

    @r.post(
        "/tokens",
        response_model=TokenView,
        status_code=201,
        summary="Issue an API token (admin)",
        responses=ERRORS,
    )
    async def api_token(body: ApiTokenRequest, request: Request, who: Admin) -> TokenView:
        ttl = None if body.ttl_days is None else body.ttl_days * 86400
        issued = await asyncio.to_thread(
            request.app.state.auth.store.issue,
            body.label,
            body.role,
            kind="api",
            label=f"issued by {who.name}",
            ttl_s=ttl,
        )
        return TokenView(token=issued.token, name=issued.name, role=issued.role, expires_ts=issued.expires_ts)

    return r
