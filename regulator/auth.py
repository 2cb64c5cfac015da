"""Users, roles and sign-in sessions of the review UI.

Roles: ``regulator`` (review, order, close: every project, or those of their jurisdiction),
``project`` (one project: see it, report rectification), ``admin`` (all of that on every project, plus
registering projects and users). What each sees is regulator/scope.py's. Passwords are argon2id
hashes; a session is a random token in an HttpOnly cookie, stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from regulator.db import sql
from regulator.jurisdictions import UnknownPlace, find
from regulator.scope import Actor
from regulator.storage import Repository

ROLES = ("regulator", "project", "admin")
SESSION_S = 12 * 3600.0


class AuthError(Exception):
    """Sign-in refused, or a user that cannot be created as asked."""


class Accounts:
    """Users and sessions in the repository's database."""

    def __init__(self, repo: Repository, hasher: PasswordHasher | None = None) -> None:
        self.repo = repo
        # verification reads the cost from each stored hash, so only new passwords use these parameters
        self._hasher = hasher or PasswordHasher()

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        project: str | None = None,
        display_name: str = "",
        jurisdiction: str | None = None,
    ) -> str | None:
        """Create a user or replace their password, role, project and jurisdiction (a regulator's place,
        e.g. 广东省/深圳市/南山区; none: every project); the jurisdiction's path as stored."""
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        if role == "project" and not project:
            raise AuthError("a project user needs --project CODE (the project they report for)")
        if jurisdiction and role != "regulator":
            raise AuthError(
                f"--jurisdiction is for regulator users: a {role} user sees "
                + ("their project only" if role == "project" else "every jurisdiction (the top)")
                + "; give a user a place with --role regulator --jurisdiction 广东省/深圳市/南山区"
            )
        if project and self.repo.project(project) is None:
            raise AuthError(
                f"unknown project {project!r}: register it first with `sitegw regulator add-project`"
            )
        if len(password) < 8:
            raise AuthError("password too short: at least 8 characters")
        with self.repo.engine.begin() as db:
            try:
                place = find(db, jurisdiction) if jurisdiction else None
            except UnknownPlace as exc:
                raise AuthError(str(exc)) from None
            db.execute(
                sql(
                    "INSERT INTO users(username, password_hash, role, project, display_name, created_at, "
                    "jurisdiction_id) VALUES (:u, :h, :r, :p, :d, :now, :j) ON CONFLICT (username) DO UPDATE SET "
                    "password_hash=excluded.password_hash, role=excluded.role, project=excluded.project, "
                    "display_name=excluded.display_name, jurisdiction_id=excluded.jurisdiction_id"
                ),
                {
                    "u": username,
                    "h": self._hasher.hash(password),
                    "r": role,
                    "p": project if role == "project" else None,
                    "d": display_name or username,
                    "now": time.time(),
                    "j": place.id if place else None,
                },
            )
        return place.path if place else None

    def login(self, username: str, password: str) -> str:
        """A new session token for these credentials; AuthError otherwise (same text either way)."""
        with self.repo.engine.connect() as db:
            row = db.execute(
                sql("SELECT password_hash FROM users WHERE username = :u"), {"u": username}
            ).first()
        try:
            if row is None:
                raise VerificationError
            self._hasher.verify(row[0], password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong username or password (用户名或密码错误)") from None
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.repo.engine.begin() as db:
            db.execute(sql("DELETE FROM sessions WHERE expires_at < :now"), {"now": now})
            db.execute(
                sql("INSERT INTO sessions VALUES (:t, :u, :exp)"),
                {"t": _digest(token), "u": username, "exp": now + SESSION_S},
            )
        return token

    def logout(self, token: str) -> None:
        """End a session."""
        with self.repo.engine.begin() as db:
            db.execute(sql("DELETE FROM sessions WHERE token_sha256 = :t"), {"t": _digest(token)})

    def actor(self, token: str | None) -> Actor | None:
        """The signed-in user behind a session token, if it is valid."""
        if not token:
            return None
        with self.repo.engine.connect() as db:
            row = db.execute(
                sql(
                    "SELECT u.username, u.role, u.project, j.path FROM sessions s "
                    "JOIN users u ON u.username = s.username LEFT JOIN jurisdictions j ON j.id = u.jurisdiction_id "
                    "WHERE s.token_sha256 = :t AND s.expires_at > :now"
                ),
                {"t": _digest(token), "now": time.time()},
            ).first()
        return Actor(*row) if row else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
