"""The hot-work rules cite the edition in force (docs/standards.md §18): GB/T 50720-2011（2025年版）, §6.3.1 quoted
as the 2011 edition words it and marked unconfirmed in the 2025 edition, from one place
(rules/hot_work_clauses.py), never GB 50720-2011 as if unrevised."""

from __future__ import annotations

import pytest

from rules import hot_work_unclosed, hot_work_unpermitted, hot_work_watch, hot_work_wind, hot_work_zone

CAVEAT = "（条文经GB 50720-2011核实，2025年版未核实）"


@pytest.mark.parametrize(
    ("clause", "item", "quoted"),
    [
        (hot_work_unpermitted.CLAUSE, 1, "动火作业应办理动火许可证，签发人应到现场确认防火措施落实后再签发"),
        (hot_work_zone.CLAUSE, 1, "动火作业应办理动火许可证，签发人应到现场确认防火措施落实后再签发"),
        (hot_work_watch.CLAUSE, 6, "每个动火作业点均应设置1个监护人"),
        (hot_work_wind.CLAUSE, 7, "确需动火作业时，应采取可靠的挡风措施"),
        (hot_work_unclosed.CLAUSE, 8, "在确认无火灾危险后，动火操作人员再离开"),
    ],
)
def test_each_hot_work_clause_names_the_2025_edition_and_the_2011_texts_caveat(
    clause: str, item: int, quoted: str
) -> None:
    assert clause.startswith(f"GB/T 50720-2011（2025年版）第6.3.1条第{item}款 "), clause
    assert f"{quoted}{CAVEAT}" in clause, clause  # the caveat follows the quote it is about
    assert "GB 50720-2011 第" not in clause  # the 2011 edition is named only as where the text was confirmed
