"""The sign-in audit trail (GB/T 22239-2019 8.1.4.3 安全审计): every sign-in, failed sign-in, refusal of a
locked account or a throttled address, sign-out, password change and account change, with its time, the
user name as typed, the client's address and who made a change.

Append-only: this module only inserts and reads, no route edits or deletes a row, and the table's triggers
refuse UPDATE and DELETE (migration 0017). Nothing purges it: records are kept as long as the database
(the standard asks for at least six months). Lockout and throttling count this trail's failures, so every
API process of a multi-worker regulator sees the same counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from regulator.storage.db import sql

EVENTS = (
    "login",  # signed in
    "failure",  # wrong user name or password
    "locked",  # refused: the user name had too many failures (right password or not)
    "throttled",  # refused: the address had too many failures
    "expired",  # right password, but it expired: refused until changed
    "logout",
    "password_changed",  # by the user, with the old password
    "user_saved",  # an administrator created or changed a user (CLI or admin UI)
    "unlocked",  # an administrator lifted a lockout
    "totp_enrolled",  # a second factor confirmed with its first code
    "totp_replaced",  # a second factor replaced (password and the old factor's code), other sessions ended
    "enrolment_code",  # an administrator issued a one-time enrolment code (add-user, enrolment-code)
)


@dataclass(frozen=True, slots=True)
class AuthRecord:
    """One row of the trail."""

    id: int
    ts: float
    event: str
    username: str
    address: str
    actor: str
    detail: str


def record(
    db: Connection, event: str, username: str, address: str = "", actor: str = "", detail: str = ""
) -> None:
    """Append one record (in the caller's transaction, so it commits with what it tells)."""
    assert event in EVENTS, event
    db.execute(
        sql(
            "INSERT INTO auth_log(ts, event, username, address, actor, detail) "
            "VALUES (:ts, :e, :u, :a, :actor, :d)"
        ),
        {"ts": time.time(), "e": event, "u": username, "a": address, "actor": actor, "d": detail},
    )


def user_failures(db: Connection, username: str, since: float, limit: int) -> list[float]:
    """When the newest ``limit`` failed sign-ins of ``username`` after ``since`` and after the user's latest
    sign-in, unlock or new password happened, newest first."""
    rows = db.execute(
        sql(
            "SELECT ts FROM auth_log WHERE username = :u AND event = 'failure' AND ts > :since AND ts > "
            "COALESCE((SELECT MAX(ts) FROM auth_log WHERE username = :u AND event IN "
            "('login', 'unlocked', 'password_changed', 'user_saved')), 0) ORDER BY ts DESC LIMIT :n"
        ),
        {"u": username, "since": since, "n": limit},
    )
    return [row[0] for row in rows]


def address_failures(db: Connection, address: str, since: float, limit: int) -> list[float]:
    """When the newest ``limit`` failed sign-ins from ``address`` after ``since`` happened, newest first."""
    rows = db.execute(
        sql(
            "SELECT ts FROM auth_log WHERE address = :a AND event = 'failure' AND ts > :since "
            "ORDER BY ts DESC LIMIT :n"
        ),
        {"a": address, "since": since, "n": limit},
    )
    return [row[0] for row in rows]


def read(db: Connection, after: int, limit: int = 1000) -> list[AuthRecord]:
    """The records after id ``after``, oldest first, ``limit`` at most."""
    rows = db.execute(
        sql(
            "SELECT id, ts, event, username, address, actor, detail FROM auth_log WHERE id > :after "
            "ORDER BY id LIMIT :n"
        ),
        {"after": after, "n": limit},
    )
    return [AuthRecord(*row) for row in rows]
