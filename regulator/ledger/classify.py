"""Each hazard is a major hazard (重大事故隐患) or a general one (一般隐患) against 建质规〔2024〕5号
(《房屋市政工程生产安全重大事故隐患判定标准（2024版）》), with the article and item it falls under.

The criteria list only major hazards: every item of their articles 4 to 15 (施工安全管理 … 冒险作业), and
articles 16 (banned processes) and 17 (the catch-all), which have no items, is one. A gateway alert is
classified from its rule and the clause of the worst level it reached (the rules cite the 2024 article and
item in the clause of a level that is a major hazard, e.g. platform.lock's 「建质规〔2024〕5号 第九条(五)
高处作业吊篮安全锁失效属重大事故隐患」), first of these that speaks:

1. an inspector's reclassification of that one hazard, with a reason (kept in the audit trail);
2. a row of ``classification_rules`` (a table the regulator edits) naming the hazard's own rule whose
   ``clause_contains`` is in the clause (empty: any clause), the longer text first: a regulator's local
   rule, or a downgrade of a cited item, which, like every row, must say why (``basis``);
3. the clause's citation (:func:`cited`): major, with that article and item, without any row;
4. a ``*`` row (any rule) whose ``clause_contains`` is in the clause, the longer text first: a wildcard
   row adds a major hazard the citation cannot say, it never downgrades a cited item (that takes a row
   naming the rule, and its reason);
5. none: general, saying that no article of the criteria applies.

A citation counts when the clause names the criteria, 建质规〔2024〕5号 (any of the brackets 〔〕 [] （） ()
around 2024, spaces anywhere) or their title 《房屋市政工程生产安全重大事故隐患判定标准（2024版）》,
followed by an article (第九条) and an item ((五) or （五）, 第（五）项), the item one the article has
(``ITEMS``: 第九条 has five); articles 16 and 17 count without an item. These do not count: an article
without its item where the article has items (第八条 alone says too little: a table row says which, as
crane.tilt's does), an item the article does not have (a misprint is not a criterion), another
document's article (应急管理部令第13号 第十五条), and a citation in a sentence (between ；。;) that says it
is not one (不属, 不是, 不构成, 不列, 非重大, 一般隐患). The first counting citation in the clause is the
hazard's article and item. tests/regulator/test_classification_citation.py classifies every level of
every shipped rule this way, so a rule that cites an item is never filed as general.

The seed rows are the facts of docs/standards.md (§1, §2, §3, §6, §7), not guesses: where the facts
name an article and item the row says it (the ``*`` rows, which the citations now also say); where they
say a case is general (an absent project manager, hard hats and generic edge protection) the row says so
and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from regulator.storage.db import sql

STANDARD = "建质规〔2024〕5号"
NAMES = {True: "重大事故隐患", False: "一般隐患"}
NO_ARTICLE = (
    f"{STANDARD} 无对应条目：该检查项及其最高级别条款未引用判定标准的条款，按一般隐患处理（监管人员可改判）"
)


@dataclass(frozen=True, slots=True)
class Seed:
    """One row of the seed table."""

    rule: str
    clause_contains: str
    major: bool
    article: str
    item: str
    basis: str


# (docs/standards.md section) in each basis: where the fact is written
SEEDS: tuple[Seed, ...] = (
    Seed(
        "*",
        "第四条(二)",
        True,
        "第四条",
        "（二）",
        "项目负责人、专职安全生产管理人员未取得有效安全生产考核合格证书（§7）",
    ),
    Seed(
        "*",
        "第四条(三)",
        True,
        "第四条",
        "（三）",
        "特种作业人员未取得有效操作资格证书上岗（§7，如无证塔吊、升降机司机）",
    ),
    Seed("*", "第五条(三)", True, "第五条", "（三）", "深基坑施工未进行第三方监测（§2）"),
    Seed(
        "*", "第五条(四)", True, "第五条", "（四）", "支护结构或周边建筑变形超过设计控制值且未及时处理（§2）"
    ),
    Seed("*", "第六条(二)", True, "第六条", "（二）", "模板支架承受的施工荷载超过设计值（§6）"),
    Seed(
        "*",
        "第八条(四)",
        True,
        "第八条",
        "（四）",
        "建筑起重机械安全装置不齐全、失效或者被违规拆除、破坏（§1、§5）",
    ),
    Seed("*", "第八条(八)", True, "第八条", "（八）", "塔机与周边建筑或群塔未保持安全距离（§1）"),
    Seed("*", "第十五条(二)", True, "第十五条", "（二）", "恶劣天气违规进行吊装、安拆或高处作业（§7）"),
    Seed(
        "crane.tilt",
        "第八条",
        True,
        "第八条",
        "",
        "塔机垂直度超出规范要求（§1：属第八条，standards.md 未写明款号，待核对印刷版后补）",
    ),
    Seed("personnel.absent", "", False, "", "", "项目负责人不在岗属一般隐患，非重大事故隐患（§7）"),
    Seed(
        "personnel.attendance",
        "",
        False,
        "",
        "",
        "项目负责人带班时间不足属一般隐患：判定标准只列证书与人员配备（第四条（二）），不列到岗（§7）",
    ),
    Seed(
        "vision.no_helmet",
        "",
        False,
        "",
        "",
        "未戴安全帽不是判定标准的条目（第九条只列特定情形），属一般隐患，仍须整改销号（§3）",
    ),
    Seed(
        "vision.edge_missing",
        "",
        False,
        "",
        "",
        "一般临边防护缺失不是判定标准的条目（第九条只列特定情形，如电梯井口无防护门），属一般隐患（§3）",
    ),
)


@dataclass(frozen=True, slots=True)
class Rule(Seed):
    """A row of ``classification_rules``: a seed's fields, its id and who wrote it last, when."""

    id: int
    updated_by: str
    updated_at: float


# the items of each article of the criteria that lists major hazards (docs/standards.md, "18 articles"):
# 0 for an article that is one criterion without items (16 banned processes, 17 other)
ITEMS: dict[int, int] = {
    4: 5,
    5: 4,
    6: 4,
    7: 3,
    8: 9,
    9: 5,
    10: 2,
    11: 4,
    12: 2,
    13: 7,
    14: 3,
    15: 3,
    16: 0,
    17: 0,
}
NUMERALS = "一二三四五六七八九"
_N = f"[{NUMERALS}十]{{1,3}}"
_CITATION = re.compile(
    r"(?:建质规\s*[〔\[［(（]\s*2024\s*[〕\]］)）]\s*5\s*号|《?房屋市政工程生产安全重大事故隐患判定标准\s*[(（]\s*2024\s*版\s*[)）]》?)"
    rf"\s*第\s*({_N})\s*条(?:\s*第?\s*[(（]\s*({_N})\s*[)）]\s*项?)?"
)
_SENTENCE = re.compile(r"[；;。\n]")
NEGATIONS = ("不属", "不是", "不构成", "不列", "非重大", "一般隐患")
"""Words that, in the sentence of a citation, say the case is not that criterion."""


_NUMERAL = re.compile(f"([{NUMERALS}]?)十([{NUMERALS}]?)|([{NUMERALS}])")


def numeral(text: str) -> int:
    """A Chinese numeral of 1 to 99 as articles and items are numbered (九, 十, 十一, 二十三); 0 for
    anything else (十十), which is no article or item."""
    m = _NUMERAL.fullmatch(text)
    if m is None:
        return 0
    if m[3]:
        return NUMERALS.index(m[3]) + 1
    return (NUMERALS.index(m[1]) + 1 if m[1] else 1) * 10 + (NUMERALS.index(m[2]) + 1 if m[2] else 0)


@dataclass(frozen=True, slots=True)
class Citation:
    """An article and item of the criteria a clause cites, as the ledger writes them (第九条, （五）)."""

    article: str
    item: str


def mentions(clause: str) -> list[tuple[int, int | None, bool]]:
    """Every (article, item or None, negated) the clause cites of the criteria, in order, valid or not."""
    found = []
    for m in _CITATION.finditer(clause):
        start = max((s.end() for s in _SENTENCE.finditer(clause, 0, m.start())), default=0)
        end = after.start() if (after := _SENTENCE.search(clause, m.end())) else len(clause)
        negated = any(word in clause[start:end] for word in NEGATIONS)
        found.append((numeral(m[1]), numeral(m[2]) if m[2] else None, negated))
    return found


@lru_cache(maxsize=4096)  # a ledger's hazards share a few hundred clauses: a month's report reads each once
def cited(clause: str) -> Citation | None:
    """The first article and item of the criteria the clause cites that is a major hazard, as the module
    docstring says which count; None where it cites none."""
    for article, item, negated in mentions(clause):
        items = ITEMS.get(article)
        if negated or items is None:
            continue
        if (item is None and items == 0) or (item is not None and 1 <= item <= items):
            return Citation(f"第{_chinese(article)}条", f"（{_chinese(item)}）" if item else "")
    return None


def _chinese(n: int) -> str:
    """1 to 99 as a Chinese numeral, the way the criteria number articles and items."""
    tens, ones = divmod(n, 10)
    return (
        ("" if tens < 2 else NUMERALS[tens - 1])
        + ("十" if tens else "")
        + (NUMERALS[ones - 1] if ones else "")
    )


def _plain(text: str) -> str:
    """Full-width brackets as ASCII ones, so 第八条（四） and 第八条(四) are the same text."""
    return text.replace("（", "(").replace("）", ")").replace(" ", "")


def load(db: Connection) -> list[Rule]:
    """Every row of the table, by rule and clause."""
    rows = db.execute(
        sql(
            "SELECT id, rule, clause_contains, major, article, item, basis, updated_by, updated_at "
            "FROM classification_rules ORDER BY rule, clause_contains"
        )
    ).all()
    return [
        Rule(
            id=r[0],
            rule=r[1],
            clause_contains=r[2],
            major=bool(r[3]),
            article=r[4],
            item=r[5],
            basis=r[6],
            updated_by=r[7],
            updated_at=r[8],
        )
        for r in rows
    ]


def table_row(table: list[Rule], rule: str, clause: str) -> Rule | None:
    """The table's row for a hazard of ``rule`` whose worst level cites ``clause``: of the rows whose text is
    in the clause (or empty), the hazard's own rule's before ``*``, then the longer text; None: no row."""
    text = _plain(clause)
    matching = [
        r
        for r in table
        if r.rule in (rule, "*") and (not r.clause_contains or _plain(r.clause_contains) in text)
    ]
    return max(matching, key=lambda r: (r.rule == rule, len(r.clause_contains)), default=None)


def classify(table: list[Rule], rule: str, clause: str) -> dict[str, Any]:
    """The classification of a hazard of ``rule`` whose worst level cites ``clause``: its rule's own table
    row, else the clause's citation of the criteria, else a ``*`` row, else general (module docstring)."""
    row = table_row(table, rule, clause)
    if (row is None or row.rule != rule) and (citation := cited(clause)) is not None:
        basis = f"条款引用 {STANDARD} {citation.article}{citation.item}：判定标准所列重大事故隐患"
        return described(True, citation.article, citation.item, basis, "citation")
    return by_row(row)


def by_row(row: Rule | None) -> dict[str, Any]:
    """The classification a table row gives (None: no row, general, saying that no article applies)."""
    if row is None:
        return described(False, "", "", NO_ARTICLE, "table")
    return described(row.major, row.article, row.item, row.basis, "table")


def described(major: bool, article: str, item: str, basis: str, by: str) -> dict[str, Any]:
    """A classification as the API gives it."""
    return {
        "classification": "major" if major else "general",
        "classification_name": NAMES[major],
        "article": article,
        "item": item,
        "citation": f"{STANDARD} {article}{item}" if article else "",
        "basis": basis,
        "classified_by": by,
    }


def of_hazard(table: list[Rule], h: dict[str, Any]) -> dict[str, Any]:
    """A hazard's classification: the inspector's, where one reclassified it, else the table's."""
    if h.get("class_major") is not None:
        return described(
            bool(h["class_major"]), h["class_article"], h["class_item"], h["class_basis"], h["class_by"]
        )
    return classify(table, h["rule"], h["clause"])


class ClassificationError(ValueError):
    """A table row that cannot be kept, with what to change."""


def save(db: Connection, row: Seed, by: str, now: float) -> int:
    """Add or replace the row for (rule, clause_contains); its id. ClassificationError if incomplete."""
    if not row.rule.strip():
        raise ClassificationError("rule is empty: give a rule id (e.g. crane.load) or * for any rule")
    if row.major and not row.article.strip():
        raise ClassificationError(
            f"a major hazard needs the article of {STANDARD} it falls under, e.g. 第八条"
        )
    if not row.basis.strip():
        raise ClassificationError("basis is empty: say why (the item's wording, or why no article applies)")
    args = {
        "r": row.rule.strip(),
        "c": row.clause_contains.strip(),
        "m": row.major,
        "a": row.article.strip(),
        "i": row.item.strip(),
        "b": row.basis.strip(),
        "by": by,
        "now": now,
    }
    return int(
        db.execute(
            sql(
                "INSERT INTO classification_rules(rule, clause_contains, major, article, item, basis, updated_by, "
                "updated_at) VALUES (:r, :c, :m, :a, :i, :b, :by, :now) ON CONFLICT (rule, clause_contains) "
                "DO UPDATE SET major = excluded.major, article = excluded.article, item = excluded.item, "
                "basis = excluded.basis, updated_by = excluded.updated_by, updated_at = excluded.updated_at "
                "RETURNING id"
            ),
            args,
        ).scalar_one()
    )


def delete(db: Connection, row_id: int) -> bool:
    """Remove a row; whether there was one."""
    return bool(db.execute(sql("DELETE FROM classification_rules WHERE id = :i"), {"i": row_id}).rowcount)
