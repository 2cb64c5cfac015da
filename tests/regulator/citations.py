"""How a clause cites 建质规〔2024〕5号, written from the criteria's citation form and the classification's
rule (docs/regulator/ledger.md), not from the code under test: an article and item, unless the sentence holding
it says the case is not that item (background, not a finding)."""

from __future__ import annotations

import re

ITEM = re.compile(r"建质规〔2024〕5号\s*第([一二三四五六七八九十]+)条[(（]([一二三四五六七八九十]+)[)）]")
NOT_THE_ITEM = ("不属", "不是", "不构成", "不列", "非重大", "一般隐患")


def negated(clause: str, cite: re.Match[str]) -> bool:
    """Whether the sentence (between ；。 marks) holding ``cite`` says the case is not that item."""
    start = max(clause.rfind(mark, 0, cite.start()) for mark in "；。;") + 1
    ends = [i for i in (clause.find(mark, cite.end()) for mark in "；。;") if i >= 0]
    return any(word in clause[start : min(ends, default=len(clause))] for word in NOT_THE_ITEM)


def first_item(clause: str) -> re.Match[str] | None:
    """The first item of the criteria the clause cites as a finding (None: none)."""
    return next((m for m in ITEM.finditer(clause) if not negated(clause, m)), None)
