"""Three levels of platforms and a real gateway (issue 50 §2 and §5): a district's `sitegw regulator serve`
forwarding to its city's, which forwards to the province's, each on its own PostgreSQL, and a `sitegw run`
gateway reporting to the district.

What the province's staff check: a warning the province issues reaches the site under the district (the
gateway's board holds it once), and the site's receipt and its supervisor's acknowledgement come back up to
the province's page of the warning; lifted at the province, it leaves the site's board. Records arrive once
at every level, the province's listing (挂牌督办) over the district's hazard comes down both hops, all through
a SIGKILL of the city and the province down for a while.

Before §2 a warning issued at the province reached no site of a city running its own platform (the city's
warnings list did not hold it); before §5 a district could not be registered at its city at all
(``add-city`` took only 省/市)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contract.config import load_site
from contract.wire import EVENTS_PATH
from gateway.api.auth_store import AuthStore
from regulator.access.auth import Accounts
from regulator.forwarding.cities import register
from regulator.forwarding.sender import ForwardLink
from regulator.ledger.review import ReviewError
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.e2e.test_gateway_kill import cli
from tests.regulator.chain import CITY_ID, CITY_KEY, CITY_PLACE, Regulator, _cli, major, wait
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed
from tests.regulator.test_forwarding import PASSWORD
from tests.support import free_port, wait_port
from tests.uplinks.test_feedback import CHEAP
from tests.uplinks.test_feedback import gateway as gateway_in_process

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

DISTRICT_ID, DISTRICT_KEY = "NS", "a-district-key-for-the-tests-01"
DISTRICT_PLACE = f"{CITY_PLACE}/南山区"
SUPERVISOR, SITE_PASSWORD = "super1", "correct-horse-9"
HAZARDS = "SELECT project, alert_id, rule, state, level FROM hazards"


@dataclass
class Three:
    district: Regulator
    city: Regulator
    province: Regulator

    @property
    def sides(self) -> tuple[Regulator, Regulator, Regulator]:
        return self.district, self.city, self.province

    def post(self, alert: str) -> None:
        """A gateway's signed event to the district."""
        self.district.post(major(alert) if alert.startswith("major") else make_event(alert))

    def same(self) -> bool:
        """Every level holds the district's ledger as the district does, nothing queued on the way up."""
        queued = sum(
            int(s.rows("SELECT COUNT(*) FROM forward_outbox")[0][0]) for s in (self.district, self.city)
        )
        return queued == 0 and self.district.ledger() == self.city.ledger() == self.province.ledger()

    def kill_all(self) -> None:
        for side in self.sides:
            side.stop(kill=True)

    def logs(self) -> str:
        return "\n".join(log for side in self.sides for log in side.logs)[-8000:]


def forwarding(to: Regulator, child_id: str, key: str, place: str) -> tuple[str, ...]:
    return (
        "--forward-to",
        to.url,
        "--forward-id",
        child_id,
        "--forward-secret",
        key,
        "--forward-jurisdiction",
        place,
    )


@contextmanager
def three_levels() -> Iterator[Three]:
    """The province with city SZ registered, the city with district NS registered and forwarding to the
    province, the district forwarding to the city with the test project."""
    with ExitStack() as stack:
        dbs = [stack.enter_context(pg_database()) for _ in range(3)]
        province = Regulator(dbs[2], free_port(), ("--optional-second-factor",))
        city = Regulator(dbs[1], free_port())
        city.args = forwarding(province, CITY_ID, CITY_KEY, CITY_PLACE)
        district = Regulator(dbs[0], free_port(), forwarding(city, DISTRICT_ID, DISTRICT_KEY, DISTRICT_PLACE))
        for parent, child, key, place in (
            (province, CITY_ID, CITY_KEY, CITY_PLACE),
            (city, DISTRICT_ID, DISTRICT_KEY, DISTRICT_PLACE),
        ):
            subprocess.run(
                _cli("add-city", child, "--jurisdiction", place, "--secret", key, "--db", parent.db),
                check=True,
                timeout=60,
            )
        repo = district.repo()
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
        repo.close()
        for side in (province, city, district):
            side.spawn()
            stack.callback(side.stop, True)
        for side in (province, city, district):
            side.ready()
        yield Three(district, city, province)


def site_file(tmp_path: Path, regulator_url: str) -> tuple[Path, Path, int]:
    """The project's site file (no devices: the warnings are the point), its regulator uplink the district
    polling fast, and its state folder with a supervisor to acknowledge warnings; the API's port."""
    api_port = free_port()
    site = {
        "project": {"code": PROJECT, "name": "示范项目", "city": "深圳", "district": "南山区"},
        "uplinks": [
            {
                "type": "regulator",
                "name": "ns",
                "base_url": regulator_url,
                "secret": SECRET,
                "feedback_every_s": 0.5,
                "heartbeat_s": 5,
                "backoff_initial_s": 0.2,
                "backoff_max_s": 2,
                "timeout_s": 5,
            }
        ],
        "api": {"host": "127.0.0.1", "port": api_port},
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    state = tmp_path / "state"
    state.mkdir()
    users = AuthStore(state / "users.sqlite")
    users.add_user(SUPERVISOR, "supervisor", SITE_PASSWORD, replace=True)
    users.close()
    return path, state, api_port


@contextmanager
def gateway(tmp_path: Path, regulator: Regulator) -> Iterator[httpx.Client]:
    """`sitegw run` of the project (site_file), reporting to ``regulator``; its API."""
    path, state, api_port = site_file(tmp_path, regulator.url)
    proc = cli("run", str(path), "--state-dir", str(state))
    try:
        wait_port(api_port, timeout=90)
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=10) as api:
            yield api
    finally:
        proc.kill()
        out, _ = proc.communicate(timeout=30)
        assert "Traceback" not in out, out[-4000:]


def on_board(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get("/api/v1/warnings", params={"active": "true"})
    assert r.status_code == 200, r.text
    return [w for w in r.json() if w["source"] == "regulator"]


@pytest.mark.slow  # three regulators started four times and a gateway: about two minutes on a shared box
@pytest.mark.timeout(420)
def test_a_province_warning_reaches_the_site_under_a_district_and_its_acknowledgement_comes_back(
    tmp_path: Path,
) -> None:
    with three_levels() as c, gateway(tmp_path, c.district) as api:
        posted = {f"a{n}" for n in range(20)} | {"major-limiter"}
        for n in range(10):
            c.post(f"a{n}")
        c.post("major-limiter")
        wait(c.same, "the district's hazards at the city and the province", 90, c)
        assert [
            r[0]
            for r in c.province.rows(
                "SELECT j.path FROM projects p JOIN jurisdictions j ON j.id = p.district_id"
            )
        ] == [DISTRICT_PLACE]

        repo = c.province.repo()
        try:
            Accounts(repo).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
        finally:
            repo.close()
        ui = httpx.Client(base_url=c.province.url, timeout=30)
        assert ui.post("/ui/api/login", json={"username": "gd", "password": PASSWORD}).status_code == 200
        until_ = datetime.now(UTC) + timedelta(hours=2)
        r = ui.post(
            "/ui/api/weather-warnings", json={"type": "gale", "colour": "red", "valid_to": until_.isoformat()}
        )
        assert r.status_code == 200, r.text
        issued = r.json()
        assert issued["jurisdiction"] == "广东省" and [s["project"] for s in issued["site_list"]] == [PROJECT]
        [major_hazard] = [
            h
            for h in ui.get("/ui/api/hazards", params={"state": "all"}).json()["hazards"]
            if h["alert_id"] == "major-limiter"
        ]
        r = ui.post(
            f"/ui/api/hazards/{major_hazard['id']}/listings", json={"level": "province", "kind": "stop_work"}
        )
        assert r.status_code == 200, r.text

        # the city killed mid-way, the province away a while; the district takes more hazards meanwhile
        c.city.stop(kill=True)
        c.province.stop(kill=True)
        for n in range(10, 20):
            c.post(f"a{n}")
        c.city.start()
        time.sleep(3)  # the city queues what the district forwards, the province still away
        c.province.start()

        [signal] = wait_for(lambda: on_board(api), "the province's warning on the gateway's board", 90, c)
        assert (signal["type"], signal["colour"], signal["measure"]) == ("gale", "red", issued["measure"])
        assert abs(datetime.fromisoformat(signal["valid_to"]).timestamp() - until_.timestamp()) < 1
        # one copy at each level below, each the one its site hears
        for side in (c.city, c.district):
            assert side.rows("SELECT jurisdiction, type, colour FROM weather_warnings") == [
                ("广东省", "gale", "red")
            ]
        wait(
            lambda: c.district.rows("SELECT level FROM listings") == [("province",)],
            "the province's listing at the district",
            60,
            c,
        )

        # the supervisor acknowledges it on the site; the city is killed again as that travels up
        login = api.post("/api/v1/auth/login", json={"username": SUPERVISOR, "password": SITE_PASSWORD})
        auth = {"Authorization": "Bearer " + login.json()["token"]}
        before = time.time()
        r = api.post(f"/api/v1/warnings/{signal['id']}/ack", headers=auth)
        assert r.status_code == 200, r.text
        wait(
            lambda: c.district.rows("SELECT acked_by FROM weather_warning_sites") == [(SUPERVISOR,)],
            "the acknowledgement at the district",
            30,
            c,
        )
        # the district's admin cannot lift the province's warning: the province does
        repo = c.district.repo()
        try:
            [(copy,)] = c.district.rows("SELECT id FROM weather_warnings")
            with pytest.raises(ReviewError) as refused:
                WeatherWarnings(repo).lift(Actor("ns.admin", "admin"), int(copy))
            assert refused.value.status == 409 and "上级平台" in refused.value.reason
        finally:
            repo.close()
        c.city.stop(kill=True)
        c.city.start()

        def acknowledged() -> dict[str, Any] | None:
            w = ui.get(f"/ui/api/weather-warnings/{issued['id']}").json()
            return w if w["acknowledged"] == 1 else None

        seen = wait_for(
            acknowledged, "the site's acknowledgement on the province's page of the warning", 90, c
        )
        [site] = seen["site_list"]
        assert (site["project"], site["acked_by"]) == (PROJECT, SUPERVISOR)
        assert seen["received"] == 1 and site["received_at"] <= site["acked_at"]
        assert before - 1 <= site["acked_at"] <= time.time()

        # lifted at the province: off the site's board, by way of both copies
        r = ui.post(f"/ui/api/weather-warnings/{issued['id']}/lift")
        assert r.status_code == 200, r.text
        wait(lambda: on_board(api) == [], "the lifted warning off the gateway's board", 60, c)
        wait(c.same, "every level holding the district's ledger once", 60, c)
        ui.close()

        once_at_every_level(c, posted)


def once_at_every_level(c: Three, posted: set[str]) -> None:
    """Each hazard once at every level, with the gateway's own weather.warning alert (the red gale) beside
    the ``posted``; one copy of the warning below the province, lifted; one receipt per level, acknowledged;
    the province's listing and its notice down at the district."""
    hazards = c.province.rows(HAZARDS)
    assert sorted(hazards) == sorted(c.city.rows(HAZARDS)) == sorted(c.district.rows(HAZARDS))
    assert len(hazards) == len(posted) + 1 and {r[2] for r in hazards if r[1] not in posted} == {
        "weather.warning"
    }
    for side in (c.city, c.district):
        assert side.rows("SELECT COUNT(*) FROM forward_down WHERE kind = 'warning'") == [(1,)]
        assert side.rows(
            "SELECT COUNT(*) FROM weather_warnings WHERE valid_to <= extract(epoch FROM now())"
        ) == [(1,)]
    for side in c.sides:
        assert side.rows("SELECT project, acked_by FROM weather_warning_sites") == [(PROJECT, SUPERVISOR)]
    assert c.province.rows("SELECT level, authority FROM listings") == [("province", "广东省")]
    assert len(c.district.rows("SELECT number FROM notices")) == 1


def wait_for(check: Any, what: str, limit_s: float, c: Three) -> Any:
    """The first truthy ``check()``, polled until ``limit_s`` (the chain's output in the failure)."""
    found: list[Any] = []

    def probe() -> bool:
        got = check()
        if got:
            found.append(got)
        return bool(got)

    wait(probe, what, limit_s, c)
    return found[-1]


async def arrive(check: Callable[[], Awaitable[Any]], what: str, limit_s: float) -> Any:
    """The first truthy ``await check()``, polled without blocking the regulators in this event loop."""
    deadline = time.monotonic() + limit_s
    while not (got := await check()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {limit_s:.0f} s")
        await asyncio.sleep(0.2)
    return got


def in_process_levels(
    stack: ExitStack, tmp_path: Path
) -> tuple[list[str], tuple[RegulatorServer, RegulatorServer, RegulatorServer]]:
    """A district, city and province regulator in this process, each on its own PostgreSQL (closed with
    ``stack``), each child forwarding to its parent and polling every second, the district holding the
    project: the databases and (district, city, province)."""
    dbs = [stack.enter_context(pg_database()) for _ in range(3)]
    province = RegulatorServer(dbs[2], port=free_port(), evidence_dir=tmp_path / "province")
    register(province.repo, CITY_ID, "深圳市平台", CITY_PLACE, CITY_KEY)
    city = RegulatorServer(
        dbs[1],
        port=free_port(),
        evidence_dir=tmp_path / "city",
        forward=ForwardLink(province.base_url, CITY_ID, CITY_KEY, CITY_PLACE, idle_s=0.3, poll_s=1.0),
    )
    register(city.repo, DISTRICT_ID, "南山区平台", DISTRICT_PLACE, DISTRICT_KEY)
    district = RegulatorServer(
        dbs[0],
        port=free_port(),
        evidence_dir=tmp_path / "district",
        forward=ForwardLink(city.base_url, DISTRICT_ID, DISTRICT_KEY, DISTRICT_PLACE, idle_s=0.3, poll_s=1.0),
    )
    district.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    return dbs, (district, city, province)


@pytest.mark.timeout(180)
async def test_three_levels_in_one_process_carry_a_warning_down_and_its_acknowledgement_up(
    tmp_path: Path,
) -> None:
    """The short variant for `make test`: the same three regulators and gateway in this process, polling
    every second, without the kills and the outage (the slow test above)."""
    with ExitStack() as stack:
        dbs, (district, city, province) = in_process_levels(stack, tmp_path)
        Accounts(province.repo, CHEAP).add_user("gd", PASSWORD, "regulator", jurisdiction="广东省")
        c = Three(*(Regulator(db, s.port) for db, s in zip(dbs, (district, city, province), strict=True)))
        path, state, _ = site_file(tmp_path, district.base_url)
        servers = (province, city, district)
        for server in servers:
            await server.start()
        try:
            async with (
                gateway_in_process(load_site(path), state) as gw,
                httpx.AsyncClient(base_url=gw.url or "", timeout=10) as api,
                httpx.AsyncClient(base_url=province.base_url, timeout=10) as ui,
                httpx.AsyncClient(base_url=district.base_url, timeout=10) as to_district,
            ):
                posted = {"major-limiter", "a0"}
                for alert in sorted(posted):
                    event = major(alert) if alert.startswith("major") else make_event(alert)
                    body = event.model_dump_json().encode()
                    r = await to_district.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
                    assert r.status_code == 200, r.text
                await arrive(lambda: asyncio.to_thread(c.same), "the district's hazards at the province", 60)
                assert (
                    await ui.post("/ui/api/login", json={"username": "gd", "password": PASSWORD})
                ).is_success
                r = await ui.post("/ui/api/weather-warnings", json={"type": "gale", "colour": "red"})
                assert r.status_code == 200, r.text
                issued = r.json()
                hazards = (await ui.get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
                [major_hazard] = [h for h in hazards if h["alert_id"] == "major-limiter"]
                r = await ui.post(
                    f"/ui/api/hazards/{major_hazard['id']}/listings",
                    json={"level": "province", "kind": "stop_work"},
                )
                assert r.status_code == 200, r.text

                async def board() -> list[dict[str, Any]]:
                    r = await api.get("/api/v1/warnings", params={"active": "true"})
                    return [w for w in r.json() if w["source"] == "regulator"]

                [signal] = await arrive(board, "the province's warning on the gateway's board", 60)
                login = await api.post(
                    "/api/v1/auth/login", json={"username": SUPERVISOR, "password": SITE_PASSWORD}
                )
                r = await api.post(
                    f"/api/v1/warnings/{signal['id']}/ack",
                    headers={"Authorization": "Bearer " + login.json()["token"]},
                )
                assert r.status_code == 200, r.text

                async def acknowledged() -> bool:
                    w = (await ui.get(f"/ui/api/weather-warnings/{issued['id']}")).json()
                    return bool(w["acknowledged"] == w["received"] == 1)

                await arrive(acknowledged, "the acknowledgement on the province's page of the warning", 60)
                assert (await ui.post(f"/ui/api/weather-warnings/{issued['id']}/lift")).is_success
                await arrive(lambda: _none(board), "the lifted warning off the gateway's board", 60)
                await arrive(lambda: asyncio.to_thread(c.same), "every level holding the ledger once", 60)
                await asyncio.to_thread(once_at_every_level, c, posted)
        finally:
            for server in reversed(servers):
                await server.stop()


async def _none(found: Callable[[], Awaitable[list[Any]]]) -> bool:
    return not await found()
