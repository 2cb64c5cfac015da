"""The regulator's sign-in against an attacker's probes (issue #41, GB/T 22239-2019 level 3 identity, access
and audit items), over real HTTP on each database engine: a password guessed by trying (lockout, per-address
throttling), user names told apart by how long a refusal takes, weak and old passwords, idle sessions, the
session cookie's flags, a chunked body over the limit, and the append-only audit trail of all of it."""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pyotp
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from regulator.access.auth import LoginPolicy
from regulator.server import RegulatorServer
from sitegw.cli import app as sitegw_app
from tests.regulator.support import PROJECT, SECRET, Authenticator, db_url  # noqa: F401 (fixture)

PASSWORD = "correct horse 9"
LOGIN = "/ui/api/login"


async def serving(db: str | Path, tmp_path: Path, **options: object) -> RegulatorServer:
    server = RegulatorServer(db, evidence_dir=tmp_path / "evidence", **options)  # type: ignore[arg-type]
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    await server.start()
    return server


regulator_codes = [""]  # li.jian's enrolment code, as the administrator handed it over


@pytest.fixture
async def regulator(db_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    """The regulator with its default sign-in policy, an admin and a regulator user."""
    server = await serving(db_url, tmp_path)
    accounts = server._app.state.accounts
    accounts.add_user("admin1", "pass-admin1", "admin")
    regulator_codes[0] = accounts.add_user("li.jian", PASSWORD, "regulator").enrolment_code or ""
    yield server
    await server.stop()


async def sign_in(server: RegulatorServer, username: str, password: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        return await client.post(LOGIN, json={"username": username, "password": password}, headers=headers)


def trail(server: RegulatorServer) -> list[tuple[str, str]]:
    with server.repo.engine.connect() as db:
        return [
            (row[0], row[1])
            for row in db.execute(sa.text("SELECT event, username FROM auth_log ORDER BY id"))
        ]


async def test_thirty_wrong_passwords_lock_the_user_until_an_admin_unlocks_it(
    regulator: RegulatorServer, tmp_path: Path
) -> None:
    answers = [(await sign_in(regulator, "li.jian", f"guess-{i}")).status_code for i in range(30)]
    # five wrong answers, then the name is locked: the guesser learns nothing more
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    right = await sign_in(regulator, "li.jian", PASSWORD)
    assert right.status_code == 429, right.text
    assert (
        "locked" in right.json()["error"] and "sitegw regulator unlock-user li.jian" in right.json()["error"]
    )
    assert int(right.headers["Retry-After"]) > 1000  # the lock's 30 minutes
    # an unknown name is answered exactly so: the lockout does not tell which names exist
    unknown = [(await sign_in(regulator, "nobody", f"guess-{i}")).status_code for i in range(6)]
    assert unknown == [401] * 5 + [429]
    # the unlock path: the command line (an admin's POST /ui/api/users/NAME/unlock does the same)
    db = str(regulator.repo.engine.url)
    result = CliRunner().invoke(sitegw_app, ["regulator", "unlock-user", "li.jian", "--db", db])
    assert result.exit_code == 0 and "user li.jian unlocked" in result.output, result.output
    assert (await sign_in(regulator, "li.jian", PASSWORD)).status_code == 200
    events = trail(regulator)
    assert events.count(("failure", "li.jian")) == 5 and events.count(("locked", "li.jian")) == 26
    assert ("unlocked", "li.jian") in events and events[-1] == ("login", "li.jian")


async def test_many_names_tried_from_one_address_throttle_that_address(regulator: RegulatorServer) -> None:
    answers = [(await sign_in(regulator, f"user{i}", "wrong-pass-1")).status_code for i in range(21)]
    assert answers == [401] * 20 + [429]  # 20 failures within 15 minutes from one address
    right = await sign_in(regulator, "li.jian", PASSWORD)
    assert right.status_code == 429 and "too many failed sign-ins from 127.0.0.1" in right.json()["error"]
    # another client behind the trusted proxy (X-Forwarded-For) is not held back by this one's failures
    other = await sign_in(regulator, "li.jian", PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
    assert other.status_code == 200, other.text


@pytest.mark.slow  # 100 sign-ins, each hashing as a real one does: 10-50 s
async def test_a_known_and_an_unknown_user_name_take_as_long_to_refuse(tmp_path: Path) -> None:
    # the probe: a known name's wrong password took ~107 ms, an unknown name ~1 ms
    lenient = LoginPolicy(user_failures=1000, address_failures=1000)
    server = await serving(tmp_path / "r.sqlite", tmp_path, login_policy=lenient)
    server._app.state.accounts.add_user("li.jian", PASSWORD, "regulator")
    took: dict[str, list[float]] = {"li.jian": [], "nobody": []}
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            for i in range(50):
                for name in took:  # interleaved, so that a busy moment of the machine falls on both
                    start = time.perf_counter()
                    r = await client.post(LOGIN, json={"username": name, "password": f"wrong-{i}"})
                    took[name].append(time.perf_counter() - start)
                    assert r.status_code == 401 and r.json()["error"].startswith("wrong username, password")
    finally:
        await server.stop()
    known, unknown = statistics.median(took["li.jian"]), statistics.median(took["nobody"])
    assert 0.75 < known / unknown < 1.33, (known, unknown)


async def test_the_session_cookie_is_httponly_samesite_and_secure_over_tls(
    regulator: RegulatorServer,
) -> None:
    plain = await sign_in(regulator, "li.jian", PASSWORD)
    cookie = plain.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    # behind the TLS-terminating proxy (trusted by --forwarded-allow-ips): Secure
    tls = await sign_in(regulator, "li.jian", PASSWORD, **{"X-Forwarded-Proto": "https"})
    cookie = tls.headers["set-cookie"].lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie


async def test_secure_cookies_can_be_required(tmp_path: Path) -> None:
    server = await serving(tmp_path / "r.sqlite", tmp_path, secure_cookies=True)
    server._app.state.accounts.add_user("li.jian", PASSWORD, "regulator")
    try:
        r = await sign_in(server, "li.jian", PASSWORD)
    finally:
        await server.stop()
    assert r.status_code == 200 and "; secure" in r.headers["set-cookie"].lower()


async def test_weak_passwords_are_refused_and_an_old_one_must_be_changed(regulator: RegulatorServer) -> None:
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as admin:
        assert (
            await admin.post(LOGIN, json={"username": "admin1", "password": "pass-admin1"})
        ).status_code == 200
        for weak, why in {
            "short1": "too short",
            "abcdefghij": "too simple",
            "12345678901": "too simple",
        }.items():
            r = await admin.post(
                "/ui/api/users", json={"username": "x", "password": weak, "role": "regulator"}
            )
            assert r.status_code == 422 and why in r.json()["error"], r.text
    with regulator.repo.engine.begin() as db:  # li.jian's password set 91 days ago
        db.execute(
            sa.text("UPDATE users SET password_changed_at = :t WHERE username = 'li.jian'"),
            {"t": time.time() - 91 * 86400},
        )
    old = await sign_in(regulator, "li.jian", PASSWORD)
    assert old.status_code == 403 and old.json()["password_expired"] is True, old.text
    assert "POST /ui/api/password" in old.json()["error"]
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as client:
        change = {"username": "li.jian", "password": PASSWORD, "new_password": "new horse 10"}
        assert (await client.post("/ui/api/password", json=change)).status_code == 200
    assert (await sign_in(regulator, "li.jian", PASSWORD)).status_code == 401
    assert (await sign_in(regulator, "li.jian", "new horse 10")).status_code == 200
    assert ("password_changed", "li.jian") in trail(regulator)


async def test_an_idle_session_ends(tmp_path: Path) -> None:
    server = await serving(tmp_path / "r.sqlite", tmp_path, login_policy=LoginPolicy(idle_s=1.0))
    server._app.state.accounts.add_user("li.jian", PASSWORD, "regulator")
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            assert (
                await client.post(LOGIN, json={"username": "li.jian", "password": PASSWORD})
            ).status_code == 200
            assert (await client.get("/ui/api/me")).status_code == 200
            await asyncio.sleep(1.5)
            assert (await client.get("/ui/api/me")).status_code == 401
    finally:
        await server.stop()


async def test_a_chunked_body_over_the_limit_is_413_on_a_route_that_parses_its_body(tmp_path: Path) -> None:
    # the probe: FastAPI answered its own 400 ("error parsing the body") when the limit cut a chunked body
    server = await serving(tmp_path / "r.sqlite", tmp_path, max_body_mb=0.25)

    def ask() -> bytes:  # chunked (no Content-Length), a little past the limit, then waiting for the answer
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                f"POST {LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            for n, chunk in enumerate([b'{"username": "li.jian", "password": "', *[b"x" * 16_384] * 19]):
                # past the limit (chunk 17) the server has its verdict while the client still sends: a
                # server that closed at once met the last chunks with a reset, which ate its 413
                if n == 17:
                    time.sleep(0.3)
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            answer = b""
            while part := sock.recv(4096):  # until the server closes the connection after its answer
                answer += part
            return answer

    try:
        answer = await asyncio.to_thread(ask)
    finally:
        await server.stop()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    error = json.loads(body)["error"]
    assert "more than 262144 bytes sent" in error and "--max-body-mb" in error


async def test_the_audit_trail_is_read_by_admins_and_cannot_be_edited(regulator: RegulatorServer) -> None:
    await sign_in(regulator, "li.jian", "wrong-guess-1")
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as client:
        await client.post(LOGIN, json={"username": "li.jian", "password": PASSWORD})
        assert (await client.get("/ui/api/auth-log")).status_code == 403  # a regulator, not an admin
        await client.post("/ui/api/logout")
        await client.post(LOGIN, json={"username": "admin1", "password": "pass-admin1"})
        rows = (await client.get("/ui/api/auth-log")).json()
    seen = [(r["event"], r["username"], r["address"]) for r in rows]
    assert ("failure", "li.jian", "127.0.0.1") in seen and ("logout", "li.jian", "127.0.0.1") in seen
    assert ("user_saved", "li.jian", "") in seen and seen[-1] == ("login", "admin1", "127.0.0.1")
    for statement in ("DELETE FROM auth_log", "UPDATE auth_log SET username = 'someone else'"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), regulator.repo.engine.begin() as db:
            db.execute(sa.text(statement))
    assert len(trail(regulator)) == len(rows)


async def test_an_authority_user_with_a_second_factor_needs_its_code(regulator: RegulatorServer) -> None:
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as client:
        await client.post(LOGIN, json={"username": "li.jian", "password": PASSWORD})
        enrolled = await client.post("/ui/api/second-factor", json={"enrolment_code": regulator_codes[0]})
        assert enrolled.status_code == 200, enrolled.text
        uri = enrolled.json()["otpauth_uri"]
        assert uri.startswith("otpauth://totp/sitegw%20regulator:li.jian?secret=")
        app = pyotp.parse_uri(uri)  # what the phone's authenticator app makes of it
        assert isinstance(app, pyotp.TOTP)
        phone = Authenticator(app.secret)
        wrong = await client.post("/ui/api/second-factor/confirm", json={"code": "000000"})
        assert wrong.status_code == 422 and "not the app's current code" in wrong.json()["error"]
        confirmed = await client.post("/ui/api/second-factor/confirm", json={"code": phone.code()})
        assert confirmed.status_code == 200, confirmed.text
    # the password alone no longer signs in; nor does a wrong code; the app's code does
    alone = await sign_in(regulator, "li.jian", PASSWORD)
    assert alone.status_code == 401 and "动态口令" in alone.json()["error"], alone.text
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as client:
        guess = await client.post(LOGIN, json={"username": "li.jian", "password": PASSWORD, "otp": "123456"})
        assert guess.status_code == 401 and "wrong" in guess.json()["error"]
        right = await client.post(
            LOGIN, json={"username": "li.jian", "password": PASSWORD, "otp": phone.code()}
        )
        assert right.status_code == 200, right.text
    events = trail(regulator)
    assert ("totp_enrolled", "li.jian") in events and events.count(("failure", "li.jian")) == 2
    # a project user is no authority user: no second factor for them
    regulator._app.state.accounts.add_user("site", PASSWORD, "project", PROJECT)
    async with httpx.AsyncClient(base_url=regulator.base_url, timeout=30) as client:
        await client.post(LOGIN, json={"username": "site", "password": PASSWORD})
        assert (await client.post("/ui/api/second-factor")).status_code == 403
