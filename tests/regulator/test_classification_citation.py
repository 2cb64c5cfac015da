"""Issue 49 §1: a hazard whose worst level cites an item of 建质规〔2024〕5号 is a major hazard at the regulator
from that citation, with its article and item, without anyone adding a row to the classification table.

- the citation forms the rules write (ASCII or full-width brackets, spaces, the criteria's title) count; an
  article without its item, an item the article does not have, another document's article and a sentence
  saying it is not one (不属) do not;
- driven by the kind registry: every level of every shipped rule (the AlertEvents the rules engine raises
  for each rule's limit probes, tests/rules/test_all_clear.py, with the clauses each rule module declares
  per level and each kind's offline clause) is classified through the regulator's seeded table: major with
  the cited article and item where the clause cites one, general where it cites none and says no major
  hazard, so the next kind cannot be filed general by a table that never heard of its article;
- over real HTTP on SQLite and PostgreSQL: the queue, and the counts of major hazards of the monthly
  report, the national export and risk grading; a table row naming the rule downgrades a cited item
  (with its reason), a ``*`` row cannot;
- the migration that brings a stored ledger up writes the audit trail of what it reclassified.

The oracle here is written from the criteria (docs/standards.md: articles 4 to 17 and their items), not
read from the classifier."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import re
import time
import zipfile
from typing import Any

import httpx
import pytest

import rules
from contract.kinds import registry
from contract.wire import EVENTS_PATH
from kinds.confined_space import attendant as confined_attendant
from kinds.confined_space import entry as confined_entry
from kinds.crane import jacking_night as crane_jacking_night
from kinds.hoist import load as hoist_load
from kinds.platform import lifeline as platform_lifeline
from kinds.platform import lock as platform_lock
from kinds.platform import lock_calibration as platform_lock_calibration
from regulator.ledger import classify
from regulator.names import beijing_text, rule_name
from regulator.reports.monthly import figures
from regulator.server import RegulatorServer
from regulator.storage.db import downgrade, migrate
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from rules import vision_rules
from tests.regulator.citations import ITEM, first_item, negated
from tests.regulator.support import make_event
from tests.regulator.test_review import send, signed_in
from tests.rules.test_all_clear import PROBES, fire

# docs/standards.md "18 articles": the items of each article that lists major hazards (0: none, one criterion)
CRITERIA = {4: 5, 5: 4, 6: 4, 7: 3, 8: 9, 9: 5, 10: 2, 11: 4, 12: 2, 13: 7, 14: 3, 15: 3, 16: 0, 17: 0}
ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ANY_ARTICLE = re.compile(r"建质规〔2024〕5号\s*第([一二三四五六七八九十]+)条")
MAJOR_SAID = "重大事故隐患"


def number(zh: str) -> int:
    if "十" not in zh:
        return ZH[zh]
    tens, _, ones = zh.partition("十")
    return (ZH[tens] if tens else 1) * 10 + (ZH[ones] if ones else 0)


@pytest.mark.parametrize(
    ("clause", "article", "item"),
    [
        ("建质规〔2024〕5号 第九条(五) 高处作业吊篮安全锁失效属重大事故隐患", "第九条", "（五）"),
        ("建质规〔2024〕5号第十一条（二）有限空间作业未执行“先通风、再检测、后作业”", "第十一条", "（二）"),
        ("GB 5144-2006；属 建质规 〔2024〕 5号 第 八 条 （ 一 ） 未办理使用登记", "第八条", "（一）"),
        ("《房屋市政工程生产安全重大事故隐患判定标准（2024版）》第十三条第（七）项", "第十三条", "（七）"),
        ("建质规〔2024〕5号 第十七条 其他严重违反强制性标准的现实危险", "第十七条", ""),
        # the first item that counts: another document's article before it is not one
        (
            "应急管理部令第13号 第十五条（参照）；建质规〔2024〕5号 第十一条(四) 未配备气体检测设备",
            "第十一条",
            "（四）",
        ),
    ],
)
def test_a_cited_item_of_the_criteria_is_major_with_its_article(clause: str, article: str, item: str) -> None:
    got = classify.classify([], "any.rule", clause)
    assert (got["classification"], got["article"], got["item"], got["classified_by"]) == (
        "major",
        article,
        item,
        "citation",
    )
    assert got["citation"] == f"建质规〔2024〕5号 {article}{item}"


@pytest.mark.parametrize(
    "clause",
    [
        "JGJ 196-2010 塔身垂直度超出规范；属 建质规〔2024〕5号 第八条 重大事故隐患",  # which item? the table says
        "建质规〔2024〕5号 第九条(七)",  # 第九条 has five items: a misprint is no criterion
        "建质规〔2024〕5号 第十八条(一)",  # in force, not a hazard
        "建质规〔2024〕5号 第十十条(十十)；建质规〔2024〕5号 第九条（）",  # no numbers at all
        "应急管理部令第13号 第十五条（参照）作业中发现异常情况立即撤离",  # another document's article
        "防暑降温措施管理办法 第八条 日最高气温达到40℃以上",
        "未戴安全帽不属 建质规〔2024〕5号 第九条(五) 所列情形，按一般隐患整改",
        "GB 5144-2006 第6.1.2条 起重量达额定起重量 110%",
    ],
)
def test_no_item_of_the_criteria_cited_is_general(clause: str) -> None:
    assert classify.classify([], "any.rule", clause)["classification"] == "general"


# ---- every level of every shipped rule --------------------------------------------------------------


def shipped_levels() -> set[tuple[str, str, str]]:
    """(rule, level, clause) of every shipped rule's levels: what the engine raises for each rule's limit
    probes, each rule module's declared clause per level, each kind's offline clause, the cameras' checks."""
    found: set[tuple[str, str, str]] = set()
    for probe in PROBES:
        for value in probe.beyond:
            found |= {(e.rule, e.level, e.clause) for e in fire(probe, value).events()}
    for module in pkgutil.iter_modules(rules.__path__):
        mod = importlib.import_module(f"rules.{module.name}")
        rule = getattr(mod, "RULE", None)
        if not isinstance(rule, str):
            continue
        if isinstance(getattr(mod, "CLAUSE", None), str):
            found.add((rule, "declared", mod.CLAUSE))
        declared = getattr(mod, "CLAUSES", None)
        if isinstance(declared, dict):
            found |= {(rule, level, c) for level, c in declared.items() if isinstance(c, str)}
    for kind in registry.kinds():
        if kind.offline_clause:
            found.add(("device.offline", kind.name, kind.offline_clause))
    found |= {(rule, level, clause) for rule, (clause, level) in vision_rules.CLAUSES.items()}
    return found


LEVELS = sorted(shipped_levels())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> list[classify.Rule]:
    """The classification table of a new regulator database (every migration run)."""
    repo = Repository(tmp_path_factory.mktemp("seeded") / "regulator.sqlite")
    with repo.engine.connect() as db:
        table = classify.load(db)
    repo.close()
    return table


def test_every_rule_of_every_kind_is_among_the_levels_classified() -> None:
    covered = {rule for rule, _, _ in LEVELS}
    missing = set(registry.rule_names()) - covered
    assert not missing, f"rules with no level classified here: {sorted(missing)}"


@pytest.mark.parametrize(("rule", "level", "clause"), LEVELS, ids=[f"{r}@{lv}" for r, lv, _ in LEVELS])
def test_each_shipped_level_is_classified_as_its_clause_cites(
    seeded: list[classify.Rule], rule: str, level: str, clause: str
) -> None:
    for article, item in ITEM.findall(clause):
        assert number(article) in CRITERIA and 1 <= number(item) <= CRITERIA[number(article)], (
            f"{rule} {level} cites 第{article}条({item}), which 建质规〔2024〕5号 does not have: {clause}"
        )
    got = classify.classify(seeded, rule, clause)
    cites = first_item(clause)
    if cites:
        assert (got["classification"], got["article"], got["item"]) == (
            "major",
            f"第{cites[1]}条",
            f"（{cites[2]}）",
        ), f"{rule} {level} cites {cites[0]} but is {got['classification_name']} {got['citation']}: {clause}"
    elif MAJOR_SAID in clause and any(
        not negated(clause, m) for m in ANY_ARTICLE.finditer(clause)
    ):  # an article without its item: the table's row
        assert got["classification"] == "major" and got["article"], (rule, level, clause, got)
    else:
        assert got["classification"] == "general", (rule, level, clause, got)


SEVERITY = ("warning", "alarm", "critical")


def test_an_escalating_hazard_is_never_filed_lower_than_its_milder_level(seeded: list[classify.Rule]) -> None:
    """A hazard is classified by the clause of its worst level: a rule whose milder level cites a major item
    and whose worse one cites none would file the worse danger general once it escalates."""
    major: dict[tuple[str, str], set[bool]] = {}
    for rule, level, clause in LEVELS:
        if level in SEVERITY:
            said = classify.classify(seeded, rule, clause)["classification"] == "major"
            major.setdefault((rule, level), set()).add(said)
    lower = [
        f"{rule}: {milder} is major, {worse} is not"
        for (rule, milder), said in major.items()
        if said == {True}
        for worse in SEVERITY[SEVERITY.index(milder) + 1 :]
        if False in major.get((rule, worse), set())
    ]
    assert not lower, lower


# ---- over real HTTP: the queue, the monthly report and the national export ----------------------------

SENT = {  # rule: (level, clause) as the rules write them, and what the queue must say
    "platform.lock": ("critical", platform_lock.CLAUSE),
    "platform.lifeline": ("alarm", platform_lifeline.CLAUSE),
    "platform.lock_calibration": ("critical", platform_lock_calibration.CLAUSE),
    "confined_space.entry": ("critical", confined_entry.ENTRY.clause),
    "confined_space.attendant": ("alarm", confined_attendant.CLAUSE),
    # a warning (its level) waits out flood control before it is a hazard: sent as an alarm, same clause
    "crane.jacking_night": ("alarm", crane_jacking_night.CLAUSE),
    "hoist.load": ("alarm", hoist_load.CLAUSES["alarm"]),
}
EXPECTED = {
    "platform.lock": ("major", "第九条", "（五）"),
    "platform.lifeline": ("major", "第九条", "（五）"),
    "platform.lock_calibration": ("major", "第九条", "（五）"),
    "confined_space.entry": ("major", "第十一条", "（二）"),
    "confined_space.attendant": ("major", "第十一条", "（三）"),
    # its clause names 第八条(三) for the checks night makes hard and says it is not that hazard
    "crane.jacking_night": ("general", "", ""),
    "hoist.load": ("general", "", ""),
}


async def deliver(server: RegulatorServer, ts: float) -> None:
    """One alert per rule of SENT, signed as a gateway signs them."""
    for rule, (level, clause) in SENT.items():
        event = make_event(alert=f"{rule}:1", rule=rule, level=level, clause=clause, ts=ts)
        r = await send(server, EVENTS_PATH, json.loads(event.model_dump_json()))
        assert r.status_code == 200, r.text


async def queue(reg: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    r = await reg.get("/ui/api/hazards", params={"state": "all", "page_size": 200})
    assert r.status_code == 200, r.text
    return {h["rule"]: h for h in r.json()["hazards"]}


async def test_cited_items_are_major_in_the_queue_the_reports_the_export_and_the_grading(
    receiver: RegulatorServer,
) -> None:
    now = time.time()
    await deliver(receiver, now)
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        got = await queue(reg)
        said = {r: (h["classification"], h["article"], h["item"]) for r, h in got.items()}
        assert said == EXPECTED
        lock = got["platform.lock"]
        assert (lock["classification_name"], lock["citation"], lock["classified_by"]) == (
            "重大事故隐患",
            "建质规〔2024〕5号 第九条（五）",
            "citation",
        )
        majors = sum(c == "major" for c, _, _ in EXPECTED.values())

        month = figures(receiver.repo, Actor("li.jian", "regulator"), beijing_text(now)[:7], now=now + 60)
        assert (month.found, month.found_major) == (len(SENT), majors)
        by_article = dict(month.by_article)
        assert (by_article["第九条"], by_article["第十一条"]) == (3, 2) and "第八条" not in by_article
        assert {m.check for m in month.major} >= {
            rule_name("platform.lock"),
            rule_name("confined_space.entry"),
        }

        r = await reg.get("/ui/api/risk")
        assert r.status_code == 200, r.text
        [graded] = r.json()["projects"]
        assert (graded["open_major"], graded["open_general"]) == (majors, len(SENT) - majors)

        day = beijing_text(now)[:10]
        tomorrow = beijing_text(now + 86400)[:10]
        r = await reg.get("/ui/api/exports/national.zip", params={"from": day, "to": tomorrow})
        assert r.status_code == 200, r.text
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            package = json.loads(z.read("package.json"))
        records = {h["check"]: h for h in package["items"]["hazards"]}
        assert sum(h["classification"] == "重大事故隐患" for h in records.values()) == majors
        locked = records[rule_name("platform.lock")]
        assert (locked["classification"], locked["citation"]) == (
            "重大事故隐患",
            "建质规〔2024〕5号 第九条（五）",
        )

        # ordered without saying, two alarms: the major one gets a major hazard's clock (15 days) and listed
        # supervision, the general one 7 days and none
        pair = ("confined_space.attendant", "hoist.load")
        for rule in pair:
            assert (await reg.post(f"/ui/api/hazards/{got[rule]['id']}/order", json={})).status_code == 200
        ordered = await queue(reg)
        days = {r: round((ordered[r]["deadline"] - now) / 86400) for r in pair}
        assert days == {"confined_space.attendant": 15, "hoist.load": 7}
        listed = {r: ordered[r]["major"] for r in pair}
        assert listed == {"confined_space.attendant": True, "hoist.load": False}
    finally:
        await reg.aclose()


async def test_a_row_naming_the_rule_downgrades_a_cited_item_and_a_wildcard_row_cannot(
    receiver: RegulatorServer,
) -> None:
    await deliver(receiver, time.time())
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        wildcard = {"rule": "*", "clause_contains": "第九条(五)", "major": False, "article": "", "item": ""}
        r = await reg.put("/ui/api/classifications", json=wildcard | {"basis": "本地：吊篮另行处理"})
        assert r.status_code == 200, r.text
        assert (await queue(reg))["platform.lifeline"]["classification"] == "major"
        own = wildcard | {"rule": "platform.lifeline"}
        assert (await reg.put("/ui/api/classifications", json=own | {"basis": " "})).status_code == 422
        basis = "本地规定：安全带未挂生命绳按一般隐患整改"
        r = await reg.put("/ui/api/classifications", json=own | {"basis": basis})
        assert r.status_code == 200, r.text
        night = (await queue(reg))["platform.lifeline"]
        assert (night["classification"], night["basis"], night["classified_by"]) == (
            "general",
            basis,
            "table",
        )
    finally:
        await reg.aclose()


# ---- the stored ledger: the migration's audit trail ---------------------------------------------------


async def test_the_migration_records_who_reclassified_the_stored_hazards(receiver: RegulatorServer) -> None:
    await deliver(receiver, time.time())
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        lifeline = (await queue(reg))["platform.lifeline"]["id"]
        change = {"major": False, "article": "", "item": "", "reason": "现场核查为误挂，已复挂"}
        assert (await reg.post(f"/ui/api/hazards/{lifeline}/reclassify", json=change)).status_code == 200
        engine = receiver.repo.engine
        downgrade(engine, "0025")  # the ledger as the release before stored it
        migrate(engine)
        got = await queue(reg)
        trail: dict[str, list[dict[str, Any]]] = {}
        for rule, h in got.items():
            r = await reg.get(f"/ui/api/hazards/{h['id']}")
            assert r.status_code == 200, r.text
            trail[rule] = [a for a in r.json()["actions"] if a["action"] == "reclassify"]
    finally:
        await reg.aclose()
    lock = trail["platform.lock"]
    assert [(a["actor"], a["role"]) for a in lock] == [("migration 0026 (条款引用判定)", "system")]
    assert lock[0]["reason"].startswith("改判为重大事故隐患 建质规〔2024〕5号 第九条（五）")
    assert "原按分类表为一般隐患" in lock[0]["reason"]
    assert [a["actor"] for a in trail["confined_space.entry"]] == ["migration 0026 (条款引用判定)"]
    assert [a["actor"] for a in trail["platform.lifeline"]] == ["li.jian"]  # the inspector's stands
    assert trail["hoist.load"] == []  # general before and after: nothing to record
    assert got["platform.lifeline"]["classification"] == "general"
