"""Camera patrol at the regulator (issue #18 §1), over real HTTP on SQLite and PostgreSQL: signed patrol
pictures are kept (newest per camera), refused clearly when they are not JPEGs, too large or unsigned,
and shown on the patrol wall of the projects a user may see, with findings, age and status; the wall's
page time at 500 projects x 8 cameras is measured and printed."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import MAX_PICTURE_BYTES, PICTURES_PATH
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET, real_jpeg, signed
from tests.regulator.test_review import CHEAP, PASSWORD

OTHER = "GD-GZ-TH-01"  # a project of another city, whose district regulator must not see PROJECT
OTHER_SECRET = "secret-th-0001"


def picture_body(camera: str, taken_at: float, jpeg: bytes, project: str = PROJECT, **findings: Any) -> bytes:
    """A CameraPicture as a gateway sends it (written out as the contract's JSON)."""
    return json.dumps(
        {
            "project": project,
            "camera": camera,
            "taken_at": taken_at,
            "every_s": 600,
            "findings": findings,
            "jpeg": base64.b64encode(jpeg).decode(),
        }
    ).encode()


async def send(
    client: httpx.AsyncClient, body: bytes, project: str = PROJECT, secret: str = SECRET
) -> httpx.Response:
    return await client.post(
        PICTURES_PATH, content=body, headers=signed(PICTURES_PATH, body, project=project, secret=secret)
    )


async def signed_in(
    server: RegulatorServer, user: str, role: str, jurisdiction: str | None
) -> httpx.AsyncClient:
    Accounts(server.repo, CHEAP).add_user(user, PASSWORD, role, jurisdiction=jurisdiction)
    client = httpx.AsyncClient(base_url=server.base_url, timeout=30)
    r = await client.post("/ui/api/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client


@pytest.fixture
async def bureau(receiver: RegulatorServer) -> AsyncIterator[RegulatorServer]:
    """The receiver with a second project in Guangzhou."""
    receiver.repo.add_project(OTHER, "天河某项目", "广州", OTHER_SECRET, "天河区")
    yield receiver


async def test_pictures_are_kept_newest_per_camera_and_walled_by_jurisdiction(
    bureau: RegulatorServer,
) -> None:
    now = time.time()
    first, newer, late = real_jpeg("first"), real_jpeg("newer"), real_jpeg("late")
    async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
        findings = {"persons": 3, "heads": 3, "bare_heads": 1, "zones": {"hoist-entrance": True}}
        r = await send(gw, picture_body("cam-gate", now - 20, first, **findings))
        assert r.status_code == 200 and r.json() == {"camera": "cam-gate", "status": "stored"}, r.text
        assert (await send(gw, picture_body("cam-gate", now - 5, newer, **findings))).json()[
            "status"
        ] == "stored"
        # a retry of an older picture arriving late must not replace the newer one
        assert (await send(gw, picture_body("cam-gate", now - 10, late))).json()["status"] == "older"
        assert (await send(gw, picture_body("cam-tower", now - 3, first))).status_code == 200
        r = await send(gw, picture_body("cam-1", now - 1, first, project=OTHER), OTHER, OTHER_SECRET)
        assert r.status_code == 200

    nanshan = await signed_in(bureau, "ns", "regulator", "广东省/深圳市/南山区")
    top = await signed_in(bureau, "top", "regulator", None)
    try:
        page = (await nanshan.get("/ui/api/patrol")).json()
        assert [(t["project"], t["camera"]) for t in page["tiles"]] == [
            (PROJECT, "cam-gate"),
            (PROJECT, "cam-tower"),
        ]
        gate = page["tiles"][0]
        assert gate["findings"] == {
            "persons": 3,
            "heads": 3,
            "bare_heads": 1,
            "zones": {"hoist-entrance": True},
            "edges": {},
        }
        assert gate["taken_at"] == pytest.approx(now - 5) and 4 <= gate["age_s"] < 60
        assert gate["status"] == "ok" and gate["project_name"] == "示范项目"
        picture = await nanshan.get(gate["picture"])
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        assert picture.content == newer
        # another district's camera answers as if absent
        hidden = await nanshan.get(f"/ui/api/patrol/{OTHER}/cam-1/picture")
        assert hidden.status_code == 404
        everything = (await top.get("/ui/api/patrol", params={"page_size": 2})).json()
        assert everything["total"] == 3 and everything["pages"] == 2 and len(everything["tiles"]) == 2
        second = (await top.get("/ui/api/patrol", params={"page_size": 2, "page": 2})).json()
        # by project code then camera: Guangzhou's project sorts first
        assert [(t["project"], t["camera"]) for t in everything["tiles"] + second["tiles"]] == [
            (OTHER, "cam-1"),
            (PROJECT, "cam-gate"),
            (PROJECT, "cam-tower"),
        ]
    finally:
        await nanshan.aclose()
        await top.aclose()


async def test_bad_pictures_are_refused_clearly(bureau: RegulatorServer) -> None:
    now = time.time()
    async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        r = await send(gw, picture_body("cam-gate", now, png))
        assert r.status_code == 415 and "not a JPEG" in r.json()["error"]
        big = b"\xff\xd8" + b"\0" * MAX_PICTURE_BYTES
        r = await send(gw, picture_body("cam-gate", now, big))
        assert r.status_code == 413 and "smaller" in r.json()["error"]
        body = picture_body("cam-gate", now, real_jpeg())
        r = await gw.post(
            PICTURES_PATH, content=body, headers=signed(PICTURES_PATH, body, secret="wrong-secret")
        )
        assert r.status_code == 401 and "signature" in r.json()["error"]
        r = await send(gw, picture_body("../etc", now, real_jpeg()))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "camera"
    with bureau.repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT COUNT(*) FROM camera_pictures")).scalar() == 0


async def test_wall_at_500_projects_by_8_cameras(bureau: RegulatorServer, tmp_path: Path) -> None:
    """4,000 cameras: a page of 24, the problem filter and a district's wall, each timed over HTTP."""
    repo = bureau.repo
    now = time.time()
    jpeg = real_jpeg("wall")
    codes = [f"GD-SZ-W-{i:03d}" for i in range(500)]
    with repo.engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO projects(code, name, city, district, contractor, secret, created_at, district_id, "
                "last_seen_at) SELECT :code, :name, city, district, contractor, secret, created_at, district_id, "
                ":seen FROM projects WHERE code = :like"
            ),
            [{"code": c, "name": f"项目{i}", "like": PROJECT, "seen": now} for i, c in enumerate(codes)],
        )
        db.execute(
            sa.text(
                "INSERT INTO camera_pictures(project, camera, taken_at, received_at, every_s, findings, jpeg) "
                "VALUES (:p, :c, :t, :t, 600, :f, :j)"
            ),
            [
                {
                    "p": code,
                    "c": f"cam-{k}",
                    # every 7th camera last sent an hour ago: stale
                    "t": now - (3600 if (i * 8 + k) % 7 == 0 else 30),
                    "f": json.dumps({"persons": k, "heads": k, "bare_heads": 0, "zones": {}, "edges": {}}),
                    "j": jpeg,
                }
                for i, code in enumerate(codes)
                for k in range(8)
            ],
        )
    expected_stale = sum(1 for n in range(4000) if n % 7 == 0)
    top = await signed_in(bureau, "top", "regulator", None)
    try:
        timings = {}
        for name, params in {
            "first page": {},
            "page 100": {"page": 100},
            "problems": {"status": "problem"},
        }.items():
            await top.get("/ui/api/patrol", params=params)  # warm the pool
            started = time.perf_counter()
            page = (await top.get("/ui/api/patrol", params=params)).json()
            timings[name] = (time.perf_counter() - started) * 1000
            assert len(page["tiles"]) == 24 and page["stale"] == expected_stale
            assert page["total"] == (expected_stale if name == "problems" else 4000)
        assert all(t["status"] == "stale" for t in page["tiles"])
        print(
            f"\npatrol wall at 4,000 cameras ({repo.dialect}): "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in timings.items())
        )
        assert max(timings.values()) < 2000, timings
    finally:
        await top.aclose()


async def test_a_picture_request_stands_until_a_newer_picture_arrives(bureau: RegulatorServer) -> None:
    """立即抓拍: the project's gateway reads the request in its feedback answer until a picture newer than the one
    held is kept; a late, older picture does not answer it. A project user may not ask."""
    now = time.time()
    path = "/api/v1/feedback?after=0"

    async def wanted(gw: httpx.AsyncClient) -> list[str]:
        r = await gw.get(path, headers=signed(path, b"", method="GET"))
        assert r.status_code == 200, r.text
        return list(r.json()["pictures_wanted"])

    top = await signed_in(bureau, "top", "regulator", None)
    Accounts(bureau.repo, CHEAP).add_user("site", PASSWORD, "project", PROJECT)
    site = httpx.AsyncClient(base_url=bureau.base_url, timeout=30)
    try:
        assert (await site.post("/ui/api/login", json={"username": "site", "password": PASSWORD})).is_success
        async with httpx.AsyncClient(base_url=bureau.base_url, timeout=30) as gw:
            assert (await send(gw, picture_body("cam-gate", now - 20, real_jpeg("a")))).status_code == 200
            assert await wanted(gw) == []
            assert (await top.post(f"/ui/api/patrol/{PROJECT}/cam-gate/request")).status_code == 200
            assert (await site.post(f"/ui/api/patrol/{PROJECT}/cam-gate/request")).status_code == 403
            assert await wanted(gw) == ["cam-gate"]
            assert (await send(gw, picture_body("cam-gate", now - 30, real_jpeg("late")))).json()[
                "status"
            ] == "older"
            assert await wanted(gw) == ["cam-gate"]
            assert (await send(gw, picture_body("cam-gate", now - 1, real_jpeg("b")))).json()[
                "status"
            ] == "stored"
            assert await wanted(gw) == []
    finally:
        await top.aclose()
        await site.aclose()
