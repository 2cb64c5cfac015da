"""A compulsory second factor (issue #41, GB/T 22239-2019 8.1.4.1 d), over real HTTP on each database
engine: an authority user without TOTP signs in to an enrolment only, the QR code the regulator draws reads
back (OpenCV) as the secret's otpauth:// URI, and its authenticator codes (pyotp) finish the enrolment and
the next sign-in."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
import sqlalchemy as sa

from regulator.access.auth import LoginPolicy
from regulator.asgi import ServeSettings
from regulator.server import RegulatorServer
from tests.regulator.qr_decode import decode, svg_picture
from tests.regulator.support import PROJECT, SECRET, db_url  # noqa: F401 (fixture)

PASSWORD = "correct horse 9"
QUEUE = "/ui/api/hazards"


async def serving(db: str, tmp_path: Path, policy: LoginPolicy) -> RegulatorServer:
    server = RegulatorServer(db, evidence_dir=tmp_path / "evidence", login_policy=policy)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    accounts = server._app.state.accounts
    accounts.add_user("li.jian", PASSWORD, "regulator")
    accounts.add_user("wang.gong", PASSWORD, "project", PROJECT)
    await server.start()
    return server


@pytest.fixture
async def compulsory(db_url: str, tmp_path: Path) -> AsyncIterator[RegulatorServer]:
    server = await serving(db_url, tmp_path, LoginPolicy(second_factor_required=True))
    yield server
    await server.stop()


async def sign_in(client: httpx.AsyncClient, user: str, otp: str = "") -> httpx.Response:
    return await client.post("/ui/api/login", json={"username": user, "password": PASSWORD, "otp": otp})


async def test_an_authority_user_without_a_second_factor_can_only_enrol_until_done(
    compulsory: RegulatorServer,
) -> None:
    async with httpx.AsyncClient(base_url=compulsory.base_url, timeout=30) as client:
        signed = await sign_in(client, "li.jian")
        assert signed.status_code == 200, signed.text
        assert signed.json()["second_factor_required"] is True
        refused = await client.get(QUEUE)
        assert refused.status_code == 403, refused.text
        assert refused.json()["second_factor_required"] is True
        assert "请先绑定动态口令" in refused.json()["error"]
        for path in ("/ui/api/overview", "/ui/api/projects", "/ui/api/auth-log"):
            assert (await client.get(path)).status_code == 403, path
        me = (await client.get("/ui/api/me")).json()
        assert (me["second_factor"], me["second_factor_required"]) == (False, True)

        assert (await client.get("/ui/api/second-factor/qr.svg")).status_code == 404  # nothing enrolling yet
        enrol = (await client.post("/ui/api/second-factor")).json()
        qr = await client.get(enrol["qr_svg"])
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
        assert "no-store" in qr.headers["cache-control"]
        assert decode(svg_picture(qr.text)) == enrol["otpauth_uri"], "the QR code reads as the URI"
        totp = pyotp.TOTP(parse_qs(urlsplit(enrol["otpauth_uri"]).query)["secret"][0])

        wrong = await client.post("/ui/api/second-factor/confirm", json={"code": "000000"})
        assert wrong.status_code == 422 and (await client.get(QUEUE)).status_code == 403
        done = await client.post("/ui/api/second-factor/confirm", json={"code": totp.now()})
        assert done.status_code == 200, done.text
        assert (await client.get(QUEUE)).status_code == 200, "the same session works once enrolled"

    async with httpx.AsyncClient(base_url=compulsory.base_url, timeout=30) as client:
        without = await sign_in(client, "li.jian")
        assert without.status_code == 401 and without.json()["otp_required"] is True
        signed = await sign_in(client, "li.jian", totp.now())
        assert signed.status_code == 200 and signed.json()["second_factor_required"] is False
        assert (await client.get(QUEUE)).status_code == 200
    with compulsory.repo.engine.connect() as db:
        events = [r[0] for r in db.execute(sa.text("SELECT event FROM auth_log WHERE username = 'li.jian'"))]
    assert "totp_enrolled" in events


async def test_a_project_user_needs_no_second_factor(compulsory: RegulatorServer) -> None:
    async with httpx.AsyncClient(base_url=compulsory.base_url, timeout=30) as client:
        signed = await sign_in(client, "wang.gong")
        assert signed.status_code == 200 and signed.json()["second_factor_required"] is False
        assert (await client.get(QUEUE)).status_code == 200


async def test_a_grace_period_lets_a_new_account_work_before_enrolling(tmp_path: Path) -> None:
    policy = LoginPolicy(second_factor_required=True, second_factor_grace_s=3 * 86400)
    server = await serving(f"sqlite:///{tmp_path}/reg.sqlite", tmp_path, policy)
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            assert (await sign_in(client, "li.jian")).status_code == 200
            assert (await client.get(QUEUE)).status_code == 200, "within the grace"
            with server.repo.engine.begin() as db:  # the account is now 4 days old
                db.execute(
                    sa.text("UPDATE users SET created_at = :t WHERE username = 'li.jian'"),
                    {"t": time.time() - 4 * 86400},
                )
            assert (await client.get(QUEUE)).status_code == 403, "past the grace"
    finally:
        await server.stop()


def test_the_served_regulator_requires_a_second_factor_unless_told_otherwise() -> None:
    settings = ServeSettings("sqlite:///x.sqlite", "evidence", None, 7.0, 15.0, 600.0)
    assert settings.login_policy().second_factor_required is True
    assert LoginPolicy().second_factor_required is False  # embedded (the demo, tests): optional
