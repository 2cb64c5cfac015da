"""Users, roles and sign-in sessions of the review UI.

Roles: ``regulator`` (review, order, close: every project, or those of their jurisdiction),
``project`` (one project: see it, report rectification), ``admin`` (all of that on every project, plus
registering projects and users). What each sees is regulator/storage/scope.py's. Passwords are argon2id
hashes; a session is a random token in an HttpOnly cookie, stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from plumbing.dummy_hash import dummy_hash
from regulator.access import auth_log, second_factor
from regulator.access.passwords import PasswordPolicy
from regulator.storage.db import sql
from regulator.storage.jurisdictions import UnknownPlace, find
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

ROLES = ("regulator", "project", "admin")
TOUCH_S = 30.0  # a session's last use is written at most this often
# one answer for a wrong password, a missing one-time code and a wrong or used one: an answer that differs once
# the password is right would tell a guesser that it is (GB/T 22239-2019 8.1.4.1; OWASP ASVS 2.2.x)
WRONG = "wrong username, password or one-time code (用户名、密码或动态口令错误)"


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """How sign-in failures are handled and how long a session lasts (GB/T 22239-2019 8.1.4.1 b: 登录失败处理,
    连接超时自动退出).

    A user name with ``user_failures`` failed sign-ins in a row (each within ``window_s`` of the next) is locked
    for ``lock_s`` after the last, whatever password comes next, unless an administrator unlocks it; an
    address with ``address_failures`` failures within ``window_s`` is refused for the rest of that window. A
    session ends ``idle_s`` after its last request, and ``session_s`` after sign-in at the latest."""

    user_failures: int = 5
    address_failures: int = 20
    window_s: float = 900.0
    lock_s: float = 1800.0
    idle_s: float = 1800.0
    session_s: float = 12 * 3600.0
    passwords: PasswordPolicy = field(default_factory=PasswordPolicy)
    # 8.1.4.1 d: an authority user without a second factor is led to enrol one at sign-in and may do nothing
    # else until done, ``second_factor_grace_s`` after their account was created (False: enrolling is optional)
    second_factor_required: bool = False
    second_factor_grace_s: float = 0.0


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A valid session: who, and whether they must enrol a second factor before anything else."""

    actor: Actor
    must_enrol: bool
    enrolled: bool


class AuthError(Exception):
    """Sign-in refused, or a user that cannot be created as asked."""


@dataclass(frozen=True, slots=True)
class SavedUser:
    """A user as :meth:`Accounts.add_user` saved them: their jurisdiction's path as stored (None: none), and
    the one-time enrolment code of an authority user's second factor, for the administrator to hand over."""

    jurisdiction: str | None
    enrolment_code: str | None


class SignInRefused(AuthError):
    """Sign-in refused before the password was looked at (429, ``retry_after_s``), or a right password that
    expired (403, ``expired``)."""

    def __init__(self, reason: str, status: int, retry_after_s: float = 0.0) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after_s = retry_after_s


class Accounts:
    """Users and sessions in the repository's database."""

    def __init__(
        self, repo: Repository, hasher: PasswordHasher | None = None, policy: LoginPolicy | None = None
    ) -> None:
        self.repo = repo
        # verification reads the cost from each stored hash, so only new passwords use these parameters
        self._hasher = hasher or PasswordHasher()
        self.policy = policy or LoginPolicy()
        # checked against for an unknown user name, so that it costs what a known one's check costs: without
        # it an unknown name was answered in 1 ms and a known one in 100 ms, telling which names exist (plumbing/dummy_hash.py)
        self._dummy_hash = dummy_hash(self._hasher)

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        project: str | None = None,
        display_name: str = "",
        jurisdiction: str | None = None,
        actor: str = "cli",
    ) -> SavedUser:
        """Create a user or replace their password, role, project and jurisdiction (a regulator's place,
        e.g. 广东省/深圳市/南山区; none: every project). ``actor``: who did it, for the audit trail (an
        administrator's name, or ``cli``). A reset clears the second factor; an authority user gets a new
        one-time enrolment code for it (:meth:`issue_enrolment_code`)."""
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
        if problem := self.policy.passwords.problem(password):
            raise AuthError(problem)
        now = time.time()
        with self.repo.engine.begin() as db:
            try:
                place = find(db, jurisdiction) if jurisdiction else None
            except UnknownPlace as exc:
                raise AuthError(str(exc)) from None
            db.execute(
                sql(
                    "INSERT INTO users(username, password_hash, role, project, display_name, created_at, "
                    "jurisdiction_id, password_changed_at) VALUES (:u, :h, :r, :p, :d, :now, :j, :now) "
                    "ON CONFLICT (username) DO UPDATE SET password_hash=excluded.password_hash, "
                    "role=excluded.role, project=excluded.project, display_name=excluded.display_name, "
                    "jurisdiction_id=excluded.jurisdiction_id, password_changed_at=excluded.password_changed_at, "
                    # an administrator's reset (a forgotten password, a lost phone) clears the second factor too
                    "totp_secret=NULL, totp_pending=NULL, totp_last_step=NULL"
                ),
                {
                    "u": username,
                    "h": self._hasher.hash(password),
                    "r": role,
                    "p": project if role == "project" else None,
                    "d": display_name or username,
                    "now": now,
                    "j": place.id if place else None,
                },
            )
            # a new password ends the sessions signed in with the old one
            db.execute(sql("DELETE FROM sessions WHERE username = :u"), {"u": username})
            auth_log.record(db, "user_saved", username, actor=actor, detail=f"role {role}")
            code = self._enrolment_code(db, username, actor) if role in second_factor.ROLES else None
        return SavedUser(place.path if place else None, code)

    def issue_enrolment_code(self, username: str, actor: str) -> str:
        """A new one-time code with which authority user ``username`` enrols a second factor, replacing any
        earlier one; valid ``second_factor.ENROLMENT_TTL_S``. It does not touch a factor already enrolled (a
        lost phone is an ``add_user`` reset)."""
        with self.repo.engine.begin() as db:
            row = db.execute(sql("SELECT role FROM users WHERE username = :u"), {"u": username}).first()
            if row is None or row[0] not in second_factor.ROLES:
                raise AuthError(
                    f"no {' or '.join(second_factor.ROLES)} user {username!r}: an enrolment code is for the "
                    "authority's users (`sitegw regulator add-user` creates one)"
                )
            return self._enrolment_code(db, username, actor)

    @staticmethod
    def _enrolment_code(db: Connection, username: str, actor: str) -> str:
        code = second_factor.new_enrolment_code()
        db.execute(
            sql("UPDATE users SET enrol_code_sha256 = :c, enrol_code_expires = :exp WHERE username = :u"),
            {
                "c": second_factor.enrolment_digest(code),
                "exp": time.time() + second_factor.ENROLMENT_TTL_S,
                "u": username,
            },
        )
        auth_log.record(db, "enrolment_code", username, actor=actor)
        return code

    def login(self, username: str, password: str, address: str = "", code: str = "") -> str:
        """A new session token for these credentials (``code``: the one-time code of a user with a second
        factor), from the client at ``address``; AuthError otherwise (the same text for an unknown user and a
        wrong password), SignInRefused for a locked user name, a throttled address, a missing or wrong
        one-time code or an expired password. Every outcome is in the audit trail."""
        self._check(username, password, address, code)
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.repo.engine.begin() as db:
            db.execute(sql("DELETE FROM sessions WHERE expires_at < :now"), {"now": now})
            db.execute(
                sql(
                    "INSERT INTO sessions(token_sha256, username, expires_at, last_seen) VALUES (:t, :u, :exp, :now)"
                ),
                {"t": _digest(token), "u": username, "exp": now + self.policy.session_s, "now": now},
            )
            auth_log.record(db, "login", username, address)
        return token

    def change_password(
        self, username: str, password: str, new_password: str, address: str = "", code: str = ""
    ) -> None:
        """Set a new password with the old one (and the one-time code, with a second factor): throttled and
        audited as a sign-in is; an expired password may be changed so."""
        if problem := self.policy.passwords.problem(new_password):
            raise AuthError(problem)
        if new_password == password:
            raise AuthError("the new password must differ from the old one (新密码不能与旧密码相同)")
        self._check(username, password, address, code, expired_ok=True)
        with self.repo.engine.begin() as db:
            db.execute(
                sql("UPDATE users SET password_hash = :h, password_changed_at = :now WHERE username = :u"),
                {"h": self._hasher.hash(new_password), "now": time.time(), "u": username},
            )
            db.execute(sql("DELETE FROM sessions WHERE username = :u"), {"u": username})
            auth_log.record(db, "password_changed", username, address, actor=username)

    def enrol_second_factor(
        self, who: Actor, enrolment_code: str = "", password: str = "", code: str = "", address: str = ""
    ) -> str:
        """A new TOTP secret for the signed-in authority user ``who``, as the ``otpauth://`` URI their app
        takes; it counts once confirmed with a code (:meth:`confirm_second_factor`). A first factor takes the
        administrator's ``enrolment_code``; replacing one takes the user's ``password`` and the current
        factor's ``code``, checked (throttled, locked, audited) as a sign-in is."""
        if who.role not in second_factor.ROLES:
            raise AuthError(
                f"a second factor is for {' and '.join(second_factor.ROLES)} users, not {who.role}"
            )
        with self.repo.engine.connect() as db:
            row = db.execute(
                sql(
                    "SELECT totp_secret IS NOT NULL, enrol_code_sha256, enrol_code_expires FROM users "
                    "WHERE username = :u"
                ),
                {"u": who.name},
            ).first()
        if row is None:
            raise AuthError(f"no user {who.name!r}")
        if row[0]:  # replacing: what a sign-in asks, so a session left open cannot take the account
            self._check(who.name, password, address, code, expired_ok=True)
        elif not _enrolment_code_ok(row[1], row[2], enrolment_code):
            with self.repo.engine.begin() as db:
                auth_log.record(db, "failure", who.name, address, detail="enrolment code wrong or expired")
            raise AuthError(
                "the enrolment code is wrong or expired (绑定码错误或已过期): an administrator gives one with "
                f"`sitegw regulator enrolment-code {who.name}`"
            )
        secret = second_factor.new_secret()
        with self.repo.engine.begin() as db:
            db.execute(
                sql("UPDATE users SET totp_pending = :s WHERE username = :u"), {"s": secret, "u": who.name}
            )
        return second_factor.uri(secret, who.name)

    def pending_second_factor(self, who: Actor) -> str | None:
        """The ``otpauth://`` URI of the secret ``who`` is enrolling (None: none is), for its QR code."""
        with self.repo.engine.connect() as db:
            row = db.execute(
                sql("SELECT totp_pending FROM users WHERE username = :u"), {"u": who.name}
            ).first()
        return second_factor.uri(row[0], who.name) if row and row[0] else None

    def confirm_second_factor(self, who: Actor, code: str, address: str = "", token: str = "") -> None:
        """Make the enrolled secret the user's second factor, if ``code`` is its current code (that code is then
        used: it does not sign in again). Replacing a factor ends every other session of the user but the one
        of ``token``, and spends the enrolment code."""
        with self.repo.engine.begin() as db:
            row = db.execute(
                sql("SELECT totp_pending, totp_secret IS NOT NULL FROM users WHERE username = :u"),
                {"u": who.name},
            ).first()
            if row is None or row[0] is None:
                raise AuthError("no second factor being enrolled: POST /ui/api/second-factor first")
            step = second_factor.matched_step(row[0], code)
            if step is None:
                raise AuthError("that is not the app's current code (动态口令错误): check the phone's clock")
            db.execute(
                sql(
                    "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = :step, "
                    "enrol_code_sha256 = NULL, enrol_code_expires = NULL WHERE username = :u"
                ),
                {"u": who.name, "step": step},
            )
            if row[1]:
                db.execute(
                    sql("DELETE FROM sessions WHERE username = :u AND token_sha256 <> :t"),
                    {"u": who.name, "t": _digest(token)},
                )
            auth_log.record(
                db, "totp_replaced" if row[1] else "totp_enrolled", who.name, address, actor=who.name
            )

    def unlock(self, username: str, actor: str) -> bool:
        """Lift a lockout of ``username`` (its failures so far no longer count); whether it was locked."""
        with self.repo.engine.begin() as db:
            locked = self._locked_until(db, username, time.time()) is not None
            auth_log.record(db, "unlocked", username, actor=actor, detail="was locked" if locked else "")
        return locked

    def _check(self, username: str, password: str, address: str, code: str, expired_ok: bool = False) -> None:
        """Refuse unless ``password`` is ``username``'s, the name is not locked, the address not throttled,
        ``code`` is the second factor's (when the user has one) and (unless ``expired_ok``) the password not
        expired; record a refusal."""
        policy, now = self.policy, time.time()
        with self.repo.engine.begin() as db:  # the refusal's record commits before it is raised
            refusal = self._refusal(db, username, address, now)
            row = db.execute(
                sql("SELECT password_hash, password_changed_at, totp_secret FROM users WHERE username = :u"),
                {"u": username},
            ).first()
        if refusal is not None:
            raise refusal
        try:
            # an unknown name is checked against the dummy hash: the same work, the same answer
            self._hasher.verify(row[0] if row else self._dummy_hash, password)
            if row is None:
                raise VerificationError
        except (VerificationError, InvalidHashError):
            with self.repo.engine.begin() as db:
                auth_log.record(db, "failure", username, address, detail="" if row else "unknown user")
            raise AuthError(WRONG) from None
        if row[2] is not None and (problem := self._spend_code(username, row[2], code)):
            with self.repo.engine.begin() as db:  # a failure as a wrong password is: codes are not guessed
                auth_log.record(db, "failure", username, address, detail=f"one-time code {problem}")
            raise AuthError(WRONG)
        if not expired_ok and policy.passwords.expired(row[1], now):
            with self.repo.engine.begin() as db:
                auth_log.record(db, "expired", username, address)
            raise SignInRefused(
                f"the password of {username!r} is older than {policy.passwords.max_age_days:g} days: change it "
                "first (密码已过期，请修改): POST /ui/api/password with username, password and new_password, "
                "or an administrator sets a new one with `sitegw regulator add-user`",
                403,
            )

    def _spend_code(self, username: str, secret: str, code: str) -> str:
        """Accept ``code`` of ``secret`` once: '' when it is a code of a step after the last one accepted (now
        the last), else why not (for the audit trail only: the user is told as for a wrong password)."""
        if not code:
            return "missing"
        step = second_factor.matched_step(secret, code)
        if step is None:
            return "wrong"
        with self.repo.engine.begin() as db:  # one statement: two sign-ins with one code, only one is first
            spent = db.execute(
                sql(
                    "UPDATE users SET totp_last_step = :s WHERE username = :u "
                    "AND (totp_last_step IS NULL OR totp_last_step < :s)"
                ),
                {"s": step, "u": username},
            ).rowcount
        return "" if spent == 1 else "already used"

    def _refusal(self, db: Connection, username: str, address: str, now: float) -> SignInRefused | None:
        """The refusal, recorded, of a sign-in from a throttled ``address`` or as a locked ``username``."""
        policy = self.policy
        if address:
            recent = auth_log.address_failures(db, address, now - policy.window_s, policy.address_failures)
            if len(recent) >= policy.address_failures:
                auth_log.record(db, "throttled", username, address)
                retry = recent[-1] + policy.window_s - now
                return SignInRefused(
                    f"too many failed sign-ins from {address}: try again in {retry / 60:.0f} min "
                    f"(登录失败次数过多，请{retry / 60:.0f}分钟后再试)",
                    429,
                    retry,
                )
        until = self._locked_until(db, username, now)
        if until is None:
            return None
        auth_log.record(db, "locked", username, address)
        return SignInRefused(
            f"user {username!r} is locked after {policy.user_failures} failed sign-ins, until "
            f"{until - now:.0f} s from now (账户已锁定); an administrator can unlock it now: "
            f"`sitegw regulator unlock-user {username}`",
            429,
            until - now,
        )

    def _locked_until(self, db: Connection, username: str, now: float) -> float | None:
        """Until when ``username`` is locked (None: it is not)."""
        policy = self.policy
        recent = auth_log.user_failures(
            db, username, now - policy.lock_s - policy.window_s, policy.user_failures
        )
        if len(recent) < policy.user_failures or recent[0] - recent[-1] > policy.window_s:
            return None
        until = recent[0] + policy.lock_s
        return until if until > now else None

    def logout(self, token: str, address: str = "") -> None:
        """End a session."""
        with self.repo.engine.begin() as db:
            ended = db.execute(
                sql("DELETE FROM sessions WHERE token_sha256 = :t RETURNING username"), {"t": _digest(token)}
            ).first()
            if ended is not None:
                auth_log.record(db, "logout", ended[0], address)

    def actor(self, token: str | None) -> Actor | None:
        """The signed-in user behind a session token, if it is valid (:meth:`signed_in`)."""
        session = self.signed_in(token)
        return session.actor if session else None

    def signed_in(self, token: str | None) -> SignedIn | None:
        """The session behind a token, if it is valid: not past its end, and used within the idle timeout
        (each use moves it on); with whether its user must enrol a second factor first."""
        if not token:
            return None
        now, digest = time.time(), _digest(token)
        with self.repo.engine.connect() as db:
            row = db.execute(
                sql(
                    "SELECT u.username, u.role, u.project, j.path, s.last_seen, u.totp_secret IS NOT NULL, "
                    "u.created_at FROM sessions s JOIN users u ON u.username = s.username "
                    "LEFT JOIN jurisdictions j ON j.id = u.jurisdiction_id "
                    "WHERE s.token_sha256 = :t AND s.expires_at > :now AND s.last_seen > :idle"
                ),
                {"t": digest, "now": now, "idle": now - self.policy.idle_s},
            ).first()
        if row is None:
            return None
        # not a write per request: the idle timeout is minutes; a standby's regulator writes nothing (its
        # pages do not keep a session alive: the primary's requests do)
        if now - row[4] > TOUCH_S and not self.repo.read_only:
            with self.repo.engine.begin() as db:
                db.execute(
                    sql("UPDATE sessions SET last_seen = :now WHERE token_sha256 = :t"),
                    {"now": now, "t": digest},
                )
        policy, enrolled = self.policy, bool(row[5])
        must_enrol = (
            policy.second_factor_required
            and row[1] in second_factor.ROLES
            and not enrolled
            and now >= row[6] + policy.second_factor_grace_s
        )
        return SignedIn(Actor(*row[:4]), must_enrol, enrolled)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _enrolment_code_ok(stored: str | None, expires: float | None, given: str) -> bool:
    """Whether ``given`` is the user's unexpired enrolment code."""
    return (
        stored is not None
        and expires is not None
        and time.time() < expires
        and hmac.compare_digest(stored, second_factor.enrolment_digest(given))
    )
