"""Each hazard is a major hazard (重大事故隐患) or a general one (一般隐患) against 建质规〔2024〕5号
(《房屋市政工程生产安全重大事故隐患判定标准（2024版）》), with the article and item it falls under.

A gateway alert is classified from its rule and the clause of the worst level it reached (the rules cite
the 2024 article in the clause of the level that is a major hazard, e.g. crane.collision's alarm names
第八条(八)) by ``classification_rules``, a table the regulator edits. A row matches a hazard when its
``rule`` is the hazard's (or ``*``, any rule) and its ``clause_contains`` is in the hazard's clause
(empty: any clause); the most specific row wins: the hazard's own rule before ``*``, then the longer
``clause_contains``. No row: general, saying that no article of the criteria applies. An inspector
may reclassify one hazard with a reason (kept in the audit trail); that stands over the table.

The seed rows are the facts of docs/standards.md (§1, §2, §3, §6, §7), not guesses: where the facts
name an article and item the row says it; where they say a case is general (an absent project manager,
hard hats and generic edge protection) the row says so and why.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def classify(table: list[Rule], rule: str, clause: str) -> dict[str, Any]:
    """The classification the table gives a hazard of ``rule`` whose worst level cites ``clause``."""
    text = _plain(clause)
    matching = [
        r
        for r in table
        if r.rule in (rule, "*") and (not r.clause_contains or _plain(r.clause_contains) in text)
    ]
    if not matching:
        return described(False, "", "", NO_ARTICLE, "table")
    best = max(matching, key=lambda r: (r.rule == rule, len(r.clause_contains)))
    return described(best.major, best.article, best.item, best.basis, "table")


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
