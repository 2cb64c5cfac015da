"""<kind>.papers, point installers: a machine at work that a crew without valid 安装拆卸工 certificates erected
(standards.md §19: 建设部令第166号 Art. 25; uncertified installers are 建质规〔2024〕5号 第四条(三)'s major hazard).
Each installer the machine's papers name must be on the operators roster with a certificate of the machine's
installer category (a tower crane's 08, a hoist's 09, a suspended platform's 11), valid in the register, on
the day it was installed (installed_on, else accepted_on, else the day judged)."""

from __future__ import annotations

from datetime import date

from contract.config.crane import Operator
from contract.config.papers import MachinePapers
from contract.config.trades import Trade
from rules.certificate_check import ARTICLE, problem_on
from rules.wording import MAJOR_ZH

CLAUSE = f"{ARTICLE}，{MAJOR_ZH}；建设部令第166号 第二十五条（安装拆卸工须持证）"


def installer_problems(
    papers: MachinePapers, roster: dict[str, Operator], needs: Trade, today: date
) -> list[tuple[str, str]]:
    """What is wrong with each installer of a machine (Chinese, English); empty: the crew was certified."""
    day = papers.installed_on or papers.accepted_on or today
    out: list[tuple[str, str]] = []
    for worker in papers.installers:
        op = roster.get(worker)
        if op is None:
            out.append((f"安拆人员 {worker} 不在特种作业人员名单", f"installer {worker} not on the roster"))
            continue
        found = problem_on(op, needs, day)
        if found is not None:
            out.append(
                (f"安拆人员 {op.name or worker}（{worker}）{found[0]}", f"installer {worker}: {found[1]}")
            )
    return out
