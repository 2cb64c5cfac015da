"""四不两直 inspections on a phone (issue 53 §3) over real HTTP, on PostgreSQL and the embedded SQLite, with
the jurisdictions test's bureau: a district inspector keeps the city's confined-space month for their own
project, sends photos (each with when and where), then the inspection; each failed item is a hazard under
rectification citing its item's article (the criteria's major one listed for supervision), the photos its
evidence, the project covered. Sent again under the same keys, nothing is kept twice. The site sees nothing
before it is sent; another district's inspector can neither send to it nor read it."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import date
from typing import Any

import httpx

from contract.config.dangerous_works import DangerousWork
from regulator.access.auth import Accounts
from regulator.ledger.dangerous_works import keep
from regulator.storage.readings import ReadingRecord
from tests.regulator.support import real_jpeg
from tests.regulator.test_jurisdictions import FT, NS, TH, Bureau, bureau, get  # noqa: F401
from tests.regulator.test_review import CHEAP, PASSWORD

API = "/ui/api/inspections"
HERE = {"latitude": 22.5329, "longitude": 113.9305, "accuracy_m": 12.0}


def key() -> str:
    return str(uuid.uuid4())


async def send_photo(client: httpx.AsyncClient, photo_key: str, text: str) -> httpx.Response:
    jpeg = base64.b64encode(real_jpeg(text)).decode()
    return await client.put(
        f"{API}/photos/{photo_key}", json={"jpeg": jpeg, "taken_at": time.time() - 60} | HERE
    )


async def a_month_of_confined_spaces(bureau: Bureau) -> dict[str, Any]:
    sz = bureau.clients["sz"]
    r = await sz.post(
        f"{API}/plans",
        json={
            "kind": "theme",
            "title": "有限空间专项排查",
            "theme": "confined",
            "due": "2099-12-31",
            "starts": "2026-01-01",
        },
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def the_visit(photos: list[str]) -> dict[str, Any]:
    """有限空间: item 1 (建质规 第十一条（一）) failed with a photo, item 5 (GB 55034 §3.9.3) failed, one more
    finding beyond the checklist, the others passed or not applicable."""
    results = [{"position": i, "result": "pass"} for i in range(5)]
    results[0] = {"position": 0, "result": "fail", "note": "集水井未设警示标志", "photos": [photos[0]]}
    results[3]["result"] = "na"
    results[4] = {"position": 4, "result": "fail", "note": "未检测可燃气体"}
    finding = {"description": "配电箱无门", "article": "JGJ 46-2005 第8.1.10条", "photos": [photos[1]]}
    return {"project": NS.code, "inspected_at": time.time(), "results": results, "findings": [finding]} | HERE


async def test_a_phone_inspection_becomes_hazards_once(bureau: Bureau) -> None:
    ns, ft, root = bureau.clients["ns"], bureau.clients["ft"], bureau.clients["root"]
    month = await a_month_of_confined_spaces(bureau)
    # the phone keeps the plans of the inspector's place: the city's month, with Nanshan's project only
    kept = [p for p in await get(ns, f"{API}/on-site") if p["id"] == month["id"]]
    assert [t["project"] for t in kept[0]["targets"]] == [NS.code]
    assert kept[0]["checklist"][0]["article"] == "建质规〔2024〕5号 第十一条（一）"

    Accounts(bureau.server.repo, CHEAP).add_user("ns.site", PASSWORD, "project", NS.code)
    site = httpx.AsyncClient(base_url=bureau.server.base_url)
    assert (await site.post("/ui/api/login", json={"username": "ns.site", "password": PASSWORD})).is_success
    assert (await site.get(f"{API}/on-site")).status_code == 403  # the site has no plans to look at

    photos = [key(), key()]
    for i, photo_key in enumerate(photos):
        r = await send_photo(ns, photo_key, f"photo {i}")
        assert r.status_code == 200, r.text
        assert (r.json()["duplicate"], r.json()["latitude"]) == (False, HERE["latitude"])
    again = await send_photo(ns, photos[0], "photo 0")
    assert again.json()["duplicate"] is True
    assert (await send_photo(ns, photos[0], "another picture")).status_code == 409
    # the photos are on the server, the inspection is not: the site sees no hazard of it
    seen = await get(site, "/ui/api/hazards", state="all")
    assert [h for h in seen["hazards"] if h["source"] == "inspection"] == []

    visit_key, visit = key(), the_visit(photos)
    # another district's inspector can neither send the Nanshan inspection nor cite Nanshan's photos
    assert (await ft.put(f"{API}/plans/{month['id']}/on-site/{key()}", json=visit)).status_code == 404
    ft_visit = visit | {"project": FT.code}
    assert (await ft.put(f"{API}/plans/{month['id']}/on-site/{key()}", json=ft_visit)).status_code == 409
    # every checklist item needs its result
    short = visit | {"results": visit["results"][:4]}
    r = await ns.put(f"{API}/plans/{month['id']}/on-site/{key()}", json=short)
    assert r.status_code == 422 and "checklist item 5" in r.text

    r = await ns.put(f"{API}/plans/{month['id']}/on-site/{visit_key}", json=visit)
    assert r.status_code == 200, r.text
    sent = r.json()
    assert sent["duplicate"] is False and len(sent["hazards"]) == 3
    assert [line["result"] for line in sent["lines"]] == ["fail", "pass", "pass", "na", "fail", "fail"]
    hazards = [await get(ns, f"/ui/api/hazards/{h}") for h in sent["hazards"]]
    assert [(h["source"], h["state"], h["major"]) for h in hazards] == [
        ("inspection", "rectifying", True),
        ("inspection", "rectifying", False),
        ("inspection", "rectifying", False),
    ]
    assert [h["clause"] for h in hazards] == [
        "建质规〔2024〕5号 第十一条（一）",
        "GB 55034-2022 第3.9.3条",
        "JGJ 46-2005 第8.1.10条",
    ]
    assert hazards[0]["message"] == "有限空间未辨识、未设置安全警示标志：集水井未设警示标志"
    first_photo = sent["photos"][0]["sha256"]
    assert [e["sha256"] for e in hazards[0]["evidence"]] == [first_photo]
    assert (sent["photos"][0]["latitude"], sent["photos"][0]["position"]) == (HERE["latitude"], 0)
    # the major one is under listed supervision at county and city, as an order would list it
    for hazard_id, levels in zip(sent["hazards"], (["city", "district"], [], []), strict=True):
        listed = await get(root, "/ui/api/listings", hazard=hazard_id)
        assert sorted(x["level"] for x in listed["listings"]) == levels
    # the site sees its hazards now, and the project is covered for the plan
    seen = await get(site, "/ui/api/hazards", state="all")
    assert sorted(h["id"] for h in seen["hazards"] if h["source"] == "inspection") == sent["hazards"]
    cover = await get(bureau.clients["sz"], f"{API}/plans/{month['id']}/coverage")
    assert [(p["project"], p["state"], p["inspected_by"]) for p in cover["projects"]] == [
        (FT.code, "due", None),
        (NS.code, "done", "ns"),
    ]

    # the answer was lost: the phone sends the same inspection again, and it is the same one
    r = await ns.put(f"{API}/plans/{month['id']}/on-site/{visit_key}", json=visit)
    assert r.status_code == 200, r.text
    assert (r.json()["duplicate"], r.json()["id"], r.json()["hazards"]) == (True, sent["id"], sent["hazards"])
    everything = await get(root, "/ui/api/hazards", state="all")
    assert len([h for h in everything["hazards"] if h["source"] == "inspection"]) == 3
    # its photo, to the inspector; to the other district's neither the inspection nor its photo
    r = await ns.get(f"{API}/on-site/{sent['id']}/photos/{first_photo}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert (await ft.get(f"{API}/on-site/{sent['id']}")).status_code == 404
    assert (await ft.get(f"{API}/on-site/{sent['id']}/photos/{first_photo}")).status_code == 404
    await site.aclose()


async def test_a_phones_bad_photo_or_clock_is_refused_naming_it(bureau: Bureau) -> None:
    ns = bureau.clients["ns"]
    r = await ns.put(
        f"{API}/photos/{key()}", json={"jpeg": base64.b64encode(b"GIF89a").decode(), "taken_at": time.time()}
    )
    assert r.status_code == 415, r.text
    jpeg = base64.b64encode(real_jpeg()).decode()
    r = await ns.put(f"{API}/photos/{key()}", json={"jpeg": jpeg, "taken_at": time.time() + 3_600})
    assert r.status_code == 422 and "taken_at" in r.text and "clock" in r.text
    r = await ns.put(f"{API}/photos/{key()}", json={"jpeg": jpeg, "taken_at": time.time(), "latitude": 95})
    assert r.status_code == 422 and "latitude" in r.text
    r = await ns.put(f"{API}/photos/not a key", json={"jpeg": jpeg, "taken_at": time.time()})
    assert r.status_code in (404, 422)


async def test_after_a_platform_accident_the_sweep_reaches_every_site_with_a_platform(bureau: Bureau) -> None:
    """举一反三 (issue 53 §5): Futian's gateway reports a suspended platform's counterweight, Nanshan's 危大 list
    names its 吊篮, Tianhe (Guangzhou) has a platform too; the Shenzhen sweep after Nanshan's accident reaches
    Nanshan and Futian with the 高处作业 checklist, each district's inspector seeing their own."""
    repo, sz = bureau.server.repo, bureau.clients["sz"]
    now = time.time()
    for site in (FT, TH):
        records = [
            ReadingRecord("platform-1", "", "counterweight_kg", now - 30, 850.0, "kg"),
            ReadingRecord("platform-1", "", "wind_ms", now - 30, 4.0, "m/s"),
        ]
        repo.store_readings(site.code, uuid.uuid4().hex, 600, records)
    keep(
        repo,
        NS.code,
        [DangerousWork(id="dl-1", name="3号楼外立面吊篮作业", actual_start=date(2026, 1, 5))],
        now,
    )
    r = await sz.post(
        "/ui/api/incidents",
        json={
            "project": NS.code,
            "kind": "accident",
            "occurred_at": now - 3_600,
            "injuries": 1,
            "description": "吊篮倾斜",
        },
    )
    assert r.status_code == 200, r.text
    accident = r.json()["id"]

    r = await sz.post(f"{API}/sweeps", json={"incident": accident, "work": "platform", "due": "2099-12-31"})
    assert r.status_code == 200, r.text
    swept = r.json()
    assert (swept["kind_name"], swept["incident_id"], swept["work"]) == ("举一反三排查", accident, "platform")
    assert swept["title"] == f"举一反三：{NS.name}事故后高处作业吊篮专项排查"
    assert any("吊篮" in item["text"] for item in swept["checklist"])
    cover = await get(sz, f"{API}/plans/{swept['id']}/coverage")
    assert sorted(p["project"] for p in cover["projects"]) == sorted([NS.code, FT.code])  # not Tianhe's
    ns_view = await get(bureau.clients["ns"], f"{API}/plans/{swept['id']}/coverage")
    assert [p["project"] for p in ns_view["projects"]] == [NS.code]
    # the other district's inspector may not start one from Nanshan's accident; no such kind of work
    ft = await bureau.clients["ft"].post(
        f"{API}/sweeps", json={"incident": accident, "work": "platform", "due": "2099-12-31"}
    )
    assert ft.status_code == 404
    bad = await sz.post(f"{API}/sweeps", json={"incident": accident, "work": "scaffold", "due": "2099-12-31"})
    assert bad.status_code == 422 and "platform" in bad.text
