"""Users, roles and tokens of the supervisors' API, kept in ``<state-dir>/users.sqlite``.

Passwords are hashed with Argon2id (argon2-cffi); tokens are random and only their SHA-256 is
stored, so a copy of the file gives no one a login. Roles are ordered: ``viewer`` reads,
``supervisor`` also acknowledges, notes, resolves and silences, ``admin`` also manages users and
tokens and reads the configuration.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.sqlite_tx import connect
from plumbing.dummy_hash import dummy_hash

Role = Literal["viewer", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "supervisor", "admin")
ROLE_RANK = {r: i for i, r in enumerate(ROLES)}
SESSION_TTL_S = 12 * 3600  # one shift
NAME_RE = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL,
                                  created_ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token_sha TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                                   kind TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
                                   created_ts REAL NOT NULL, expires_ts REAL);
"""


class AuthError(ValueError):
    """A user or token request that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user name (or token label) and its role."""

    name: str
    role: Role

    def can(self, role: Role) -> bool:
        """Does this principal have at least ``role``?"""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as listed (no hash)."""

    name: str
    role: Role
    created_ts: float


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just created: the only moment its secret is known."""

    token: str
    name: str
    role: Role
    expires_ts: float | None


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_role(role: str) -> Role:
    """``role`` as a Role, or an AuthError listing the valid ones."""
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


class AuthStore:
    """The user and token database (thread-safe: the API calls it from worker threads)."""

    def __init__(self, path: Path) -> None:
        self._db = connect(path, SCHEMA)
        self._lock = threading.Lock()
        self._hasher = PasswordHasher()
        self._dummy_hash = dummy_hash(self._hasher)  # an unknown user's check costs a known one's

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # ---- users

    def add_user(self, name: str, role: str, password: str, *, replace: bool = False) -> UserInfo:
        """Create (or with ``replace``, reset) a user; errors name the bad field."""
        if not NAME_RE.match(name):
            raise AuthError(
                f"user name {name!r}: 1-64 letters, digits, Chinese characters, '.', '-', '_' or '@'"
            )
        valid_role = check_role(role)
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"password for {name!r} is too short: at least {MIN_PASSWORD} characters")
        pw_hash = self._hasher.hash(password)
        now = time.time()
        with self._lock:
            exists = self._db.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone()
            if exists and not replace:
                raise AuthError(
                    f"user {name!r} already exists (use --replace to reset the password and role)"
                )
            self._db.execute(
                "INSERT OR REPLACE INTO users VALUES (?,?,?,?)", (name, valid_role, pw_hash, now)
            )
            if exists:  # a reset password ends the old sessions
                self._db.execute("DELETE FROM tokens WHERE name=? AND kind='session'", (name,))
        return UserInfo(name, valid_role, now)

    def remove_user(self, name: str) -> None:
        """Delete a user and every token issued to them."""
        with self._lock:
            if self._db.execute("DELETE FROM users WHERE name=?", (name,)).rowcount == 0:
                raise AuthError(f"no user {name!r}")
            self._db.execute("DELETE FROM tokens WHERE name=?", (name,))

    def users(self) -> list[UserInfo]:
        """Every user, by name."""
        with self._lock:
            rows = self._db.execute("SELECT name, role, created_ts FROM users ORDER BY name").fetchall()
        return [UserInfo(n, r, c) for n, r, c in rows]

    def verify_password(self, name: str, password: str) -> Principal | None:
        """The user if the password is right, else None (same cost either way)."""
        with self._lock:
            row = self._db.execute("SELECT role, pw_hash FROM users WHERE name=?", (name,)).fetchone()
        try:
            self._hasher.verify(row[1] if row else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return Principal(name, row[0]) if row else None

    # ---- tokens

    def issue(
        self,
        name: str,
        role: Role,
        *,
        kind: Literal["session", "api"] = "session",
        label: str = "",
        ttl_s: float | None = SESSION_TTL_S,
    ) -> IssuedToken:
        """A new bearer token for ``name`` with ``role``; ``ttl_s`` None never expires (API tokens)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        expires = None if ttl_s is None else now + ttl_s
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens VALUES (?,?,?,?,?,?,?)",
                (_sha(token), name, role, kind, label, now, expires),
            )
            self._db.execute("DELETE FROM tokens WHERE expires_ts IS NOT NULL AND expires_ts < ?", (now,))
        return IssuedToken(token, name, role, expires)

    def principal(self, token: str) -> Principal | None:
        """Who holds ``token`` (None: unknown or expired). A session's role follows its user's."""
        with self._lock:
            row = self._db.execute(
                "SELECT t.name, t.role, t.kind, t.expires_ts, u.role FROM tokens t LEFT JOIN users u ON u.name=t.name "
                "WHERE t.token_sha=?",
                (_sha(token),),
            ).fetchone()
        if row is None:
            return None
        name, role, kind, expires, user_role = row
        if expires is not None and expires < time.time():
            return None
        if kind == "session":
            if user_role is None:
                return None
            role = user_role
        return Principal(name, role)

    def revoke(self, token: str) -> None:
        """End a token (logout)."""
        with self._lock:
            self._db.execute("DELETE FROM tokens WHERE token_sha=?", (_sha(token),))


class LoginThrottle:
    """At most ``limit`` failed logins per user name and per client address in ``window_s``.

    In memory on purpose: a restart forgives, but an attacker cannot restart the gateway.
    """

    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> float:
        """Seconds to wait before another try for any of ``keys`` (0: allowed now)."""
        now = time.time()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = [t for t in self._fails.get(key, []) if now - t < self.window_s]
                self._fails[key] = recent
                if len(recent) >= self.limit:
                    wait = max(wait, recent[0] + self.window_s - now)
        return wait

    def failed(self, *keys: str) -> None:
        """Count a failed login against each key."""
        now = time.time()
        with self._lock:
            for key in keys:
                self._fails.setdefault(key, []).append(now)

    def succeeded(self, name: str) -> None:
        """A good password clears the name's count (not the address's)."""
        with self._lock:
            self._fails.pop("user:" + name, None)
