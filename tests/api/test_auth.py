"""Authentication over real HTTP: roles, hashed passwords, throttled logins, tokens, closed CORS."""

from __future__ import annotations

import httpx

from plumbing.sqlite import sqlite3
from tests.api.site import PASSWORD, RunningSite


def login(site: RunningSite, name: str, password: str) -> httpx.Response:
    return httpx.post(
        site.url + "api/v1/auth/login", json={"username": name, "password": password}, timeout=10
    )


def test_passwords_are_stored_as_argon2_hashes_only(site: RunningSite) -> None:
    db = sqlite3.connect(site.state_dir / "users.sqlite")
    rows = db.execute("SELECT name, pw_hash FROM users").fetchall()
    db.close()
    assert rows and all(h.startswith("$argon2id$") and PASSWORD not in h for _, h in rows)


def test_login_gives_a_token_with_the_users_role(site: RunningSite) -> None:
    r = login(site, "super1", PASSWORD)
    assert r.status_code == 200 and r.json()["role"] == "supervisor"
    me = httpx.get(site.url + "api/v1/auth/me", headers={"Authorization": "Bearer " + r.json()["token"]})
    assert me.json() == {"name": "super1", "role": "supervisor", "anonymous": False}
    anon = httpx.get(site.url + "api/v1/auth/me").json()
    assert anon["anonymous"] is True and anon["role"] == "viewer"  # the demo allows anonymous reading
    bad = httpx.get(site.url + "api/v1/site", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401 and "log in again" in bad.json()["detail"]


def test_logout_ends_the_token(site: RunningSite) -> None:
    headers = site.login("viewer1")
    assert httpx.post(site.url + "api/v1/auth/logout", headers=headers).status_code == 204
    assert httpx.get(site.url + "api/v1/auth/me", headers=headers).status_code == 401


def test_failed_logins_are_throttled_per_user(site: RunningSite) -> None:
    codes = [login(site, "admin1", "wrong-password").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    blocked = login(site, "admin1", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    site.gw.auth.throttle._fails.clear()  # type: ignore[union-attr]  (the other tests log in as admin1)


def test_only_an_admin_manages_users_and_tokens(site: RunningSite) -> None:
    new = {"name": "王工", "role": "supervisor", "password": "long-enough-1"}
    assert httpx.post(site.url + "api/v1/users", json=new, headers=site.login("super1")).status_code == 403
    admin = site.login("admin1")
    made = httpx.post(site.url + "api/v1/users", json=new, headers=admin, timeout=10)
    assert made.status_code == 201 and made.json()["name"] == "王工"
    assert httpx.post(site.url + "api/v1/users", json=new, headers=admin, timeout=10).status_code == 409
    assert login(site, "王工", "long-enough-1").json()["role"] == "supervisor"
    assert "王工" in [u["name"] for u in httpx.get(site.url + "api/v1/users", headers=admin).json()]
    token = httpx.post(
        site.url + "api/v1/tokens", json={"label": "office-screen", "role": "viewer"}, headers=admin
    )
    assert token.status_code == 201 and token.json()["expires_ts"] is None
    screen = {"Authorization": "Bearer " + token.json()["token"]}
    assert httpx.get(site.url + "api/v1/auth/me", headers=screen).json()["name"] == "office-screen"
    assert (
        httpx.post(
            site.url + "api/v1/silences",
            json={"rule": "crane.wind", "reason": "r", "end_ts": 9e9},
            headers=screen,
        ).status_code
        == 403
    )
    assert httpx.delete(site.url + "api/v1/users/王工", headers=admin).status_code == 204
    assert login(site, "王工", "long-enough-1").status_code == 401


def test_cors_is_closed_by_default(site: RunningSite) -> None:
    r = httpx.get(site.url + "api/v1/site", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = httpx.options(
        site.url + "api/v1/silences",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_a_gateway_without_anonymous_reading_asks_for_a_token(site: RunningSite) -> None:
    site.gw.auth.anonymous_read = False  # type: ignore[union-attr]
    try:
        r = httpx.get(site.url + "api/v1/site")
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
        assert httpx.get(site.url + "api/v1/site", headers=site.login("viewer1")).status_code == 200
        token = site.login("viewer1")["Authorization"].split()[1]
        # EventSource and <img> cannot send headers: GET takes the token as a query parameter
        assert httpx.get(site.url + "api/v1/health", params={"access_token": token}).status_code == 200
        assert httpx.get(site.url).status_code == 200  # the page itself loads, and asks for a login
    finally:
        site.gw.auth.anonymous_read = True  # type: ignore[union-attr]
