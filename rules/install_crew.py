"""The crew of an 安拆 window (standards.md §19: "every installer badged in with category 08/09/10 valid
that day"): each installer a machine's papers name must have come in through the access gates, with a
certificate of the machine's 安装拆卸工 category valid that day (rules/certificate_check.py). Naming none is
no crew: an 安拆 needs certified installers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from contract.config.crane import Operator
from contract.config.trades import Trade
from rules.certificate_check import problem_on


def crew_problems(
    installers: Collection[str],
    roster: dict[str, Operator],
    inside: Collection[str],
    needs: Trade,
    today: date,
) -> list[str]:
    """What is wrong with the crew (Chinese, one entry per installer); empty: certified and badged in."""
    if not installers:
        return ["站点文件未登记安拆人员（papers.installers），无持证安装拆卸工"]
    out = []
    for worker in installers:
        op = roster.get(worker)
        if op is None:
            out.append(f"安拆人员 {worker} 不在特种作业人员名单")
            continue
        found = problem_on(op, needs, today)
        if found is not None:
            out.append(f"安拆人员 {op.name or worker}（{worker}）{found[0]}")
        elif worker not in inside:
            out.append(f"安拆人员 {op.name or worker}（{worker}）未经闸机实名进场")
    return out
