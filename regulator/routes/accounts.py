"""Users for admins: creating one, lifting a lockout, and the sign-in audit trail (regulator/access/auth_log.py)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from regulator.access import auth_log
from regulator.access.auth import Accounts, AuthError
from regulator.answers import SESSION, After
from regulator.ledger.review import ReviewError
from regulator.routes.routing import Who, admin, blocking
from regulator.storage.repository import Repository


class AuthRecordRow(BaseModel):
    """One record of the sign-in audit trail."""

    id: int = Field(description="record number, increasing")
    ts: float = Field(description="when, Unix seconds")
    event: str = Field(description=", ".join(auth_log.EVENTS))
    username: str = Field(description="the user name as typed (an unknown one too)")
    address: str = Field(description="the client's address ('' from the command line)")
    actor: str = Field(description="who changed the account ('' for the user's own sign-in)")
    detail: str = Field(description="more, e.g. the role saved")


class NewUser(BaseModel):
    """An administrator creating a user."""

    username: str = Field(min_length=1)
    password: str
    role: str
    project: str | None = None
    display_name: str = ""
    jurisdiction: str | None = Field(
        None, description="a regulator's place, 省/市/区县 from the province down, e.g. 广东省/深圳市/南山区"
    )


def accounts_router(repo: Repository, accounts: Accounts) -> APIRouter:
    """The routes over ``accounts``; ``repo``: where the sign-in audit trail is kept."""
    r = APIRouter()

    @r.post("/ui/api/users", responses=SESSION)
    async def add_user(body: NewUser, who: Who) -> dict[str, str | None]:
        """Create a user (admin); for a regulator or admin, the one-time ``enrolment_code`` of their second
        factor, to hand over in person (it is shown once)."""
        admin(who)
        saved = await run_in_threadpool(
            accounts.add_user,
            body.username,
            body.password,
            body.role,
            body.project,
            body.display_name,
            body.jurisdiction,
            who.name,
        )
        return {"status": "created", "username": body.username, "enrolment_code": saved.enrolment_code}

    @r.post("/ui/api/users/{username}/enrolment-code", responses=SESSION)
    async def enrolment_code(username: str, who: Who) -> dict[str, str]:
        """A new one-time enrolment code for an authority user's second factor (admin; replaces any earlier
        one, valid 72 hours, in the sign-in audit trail). 404: no such regulator or admin user."""
        admin(who)
        try:
            code = await run_in_threadpool(accounts.issue_enrolment_code, username, who.name)
        except AuthError as exc:
            raise ReviewError(404, str(exc)) from None
        return {"username": username, "enrolment_code": code}

    @r.post("/ui/api/users/{username}/unlock", responses=SESSION)
    async def unlock_user(username: str, who: Who) -> dict[str, str]:
        """Lift a user's lockout after failed sign-ins (admin; in the sign-in audit trail)."""
        admin(who)
        was = await run_in_threadpool(accounts.unlock, username, who.name)
        return {"status": "unlocked" if was else "was not locked", "username": username}

    @r.get("/ui/api/auth-log", responses=SESSION)
    async def sign_in_audit(who: Who, after: After = 0) -> list[AuthRecordRow]:
        """The sign-in audit trail (admin): every sign-in, failure, lockout, sign-out and account change after
        record ``after``, 1,000 at most, oldest first. Read-only: nothing edits or deletes it."""
        admin(who)

        def read() -> list[auth_log.AuthRecord]:
            with repo.engine.connect() as db:
                return auth_log.read(db, after)

        return [AuthRecordRow.model_validate(r, from_attributes=True) for r in await blocking(read)()]

    return r
