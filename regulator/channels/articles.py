"""The article a hazard found by a person breaks, and whether that makes it major (重大事故隐患).

建质规〔2024〕5号 lists major hazards only: each item of its Articles 4 to 16 is one, and Article 17 makes
major any other case of a serious breach that may kill several people (standards.md §7: 18 articles,
item counts per article as written there; Art. 18 is its entry into force and cites nothing). So a
finding cited to an item of Articles 4–17 of 建质规〔2024〕5号 is major; a finding cited to another standard
(e.g. JGJ 59-2011) or to no article is general (一般隐患). An inspector may say otherwise with a reason
(regulator/channels/ledger.py keeps it in the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass

from regulator.ledger.classify import STANDARD

# article -> (its subject, how many items it lists; 0: not stated in standards.md, any item taken)
ARTICLES: dict[str, tuple[str, int]] = {
    "第四条": ("施工安全管理", 5),
    "第五条": ("基坑工程/边坡", 4),
    "第六条": ("模板工程及支撑体系", 4),
    "第七条": ("脚手架工程", 3),
    "第八条": ("建筑起重机械及吊装", 9),
    "第九条": ("高处作业", 5),
    "第十条": ("施工临时用电", 2),
    "第十一条": ("有限空间作业", 4),
    "第十二条": ("拆除工程", 2),
    "第十三条": ("暗挖工程（隧道）", 7),
    "第十四条": ("临时堆载", 3),
    "第十五条": ("冒险作业", 3),
    "第十六条": ("使用淘汰工艺、设备", 0),
    "第十七条": ("其他严重违反安全生产法规、可能导致群死群伤的情形", 0),
}
ITEMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九")


class ArticleError(ValueError):
    """A citation that names no article or item of the criteria; the message says what exists."""


@dataclass(frozen=True, slots=True)
class Citation:
    """The standard, article and item a finding breaks, and whether the criteria make it major."""

    standard: str
    article: str
    item: str
    major: bool

    @property
    def cites(self) -> bool:
        """Whether it names what was broken: an article, or another standard where standards.md names no
        clause of it (a checklist's JGJ 80-2016)."""
        return bool(self.article) or self.standard != STANDARD

    @property
    def text(self) -> str:
        """As the ledger shows it, e.g. 建质规〔2024〕5号 第八条（四）."""
        return f"{self.standard} {self.article}{self.item}".strip()


def _item(text: str) -> str:
    """An item as the ledger writes it: full-width brackets, e.g. （四）; empty stays empty."""
    bare = text.strip().strip("()（）").strip()
    return f"（{bare}）" if bare else ""


def cite(standard: str, article: str, item: str) -> Citation:
    """The citation of a finding; ArticleError when it names an article or item 建质规〔2024〕5号 lacks."""
    standard, article, item = standard.strip() or STANDARD, article.strip(), _item(item)
    if standard.replace(" ", "") != STANDARD:
        if not article:
            raise ArticleError(f"name the article of {standard} the finding breaks, e.g. 第3.0.4条")
        return Citation(standard, article, item, major=False)
    if not article:
        return Citation(STANDARD, "", "", major=False)
    if article not in ARTICLES:
        raise ArticleError(
            f"{STANDARD} has no article {article!r} that names a major hazard: one of "
            f"{'、'.join(ARTICLES)} (or cite another standard, e.g. JGJ 59-2011, for a general hazard)"
        )
    count = ARTICLES[article][1]
    if item and count and item.strip("（）") not in ITEMS[:count]:
        raise ArticleError(f"{STANDARD} {article} lists items （一） to （{ITEMS[count - 1]}）, not {item}")
    return Citation(STANDARD, article, item, major=True)
