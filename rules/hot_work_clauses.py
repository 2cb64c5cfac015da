"""The citation the hot-work rules and the permit register share (docs/standards.md §18): the edition in force,
and that §6.3.1's text was confirmed only in the 2011 edition.

GB 50720-2011 《建设工程施工现场消防安全技术规范》 was partly revised in 2025 as GB/T 50720-2011（2025年版）
《建设工程施工现场消防安全技术标准》 (a recommended standard, some clauses deleted); whether §6.3.1 changed is not
confirmed [U]. Alerts and refusals cite the 2025 edition, quote §6.3.1 as the 2011 text gives it, and say so.
GB 55037-2022 ch. 11 建筑施工 is the mandatory code, but standards.md ties none of these rules to one of its
clauses (it quotes §11.0.1(4), the fixed hot-work area's siting, which no rule judges): none cites it.
"""

from __future__ import annotations

GB50720 = "GB/T 50720-2011（2025年版）"
"""The edition in force, as a clause opens with it."""
CHECKED_2011 = "条文经GB 50720-2011核实，2025年版未核实"
"""Said of a quote of §6.3.1: the text is the 2011 edition's; whether the 2025 edition changed it is not known."""
PERMIT_ZH = "动火作业应办理动火许可证，签发人应到现场确认防火措施落实后再签发"
"""§6.3.1(1) as the 2011 edition gives it: the permit and its signer (the unpermitted rules quote it)."""
GB50720_EN = "GB/T 50720-2011 (2025 ed.)"
"""The edition in force, as an English refusal names it."""


def cite_6_3_1(item: int) -> str:
    """§6.3.1's item ``item`` in the edition in force, e.g. GB/T 50720-2011（2025年版）第6.3.1条第6款."""
    return f"{GB50720}第6.3.1条第{item}款"


def art_6_3_1(item: int, text: str) -> str:
    """An alert's clause quoting §6.3.1's item ``item`` (``text``, the 2011 edition's words), saying so."""
    return f"{cite_6_3_1(item)} {text}（{CHECKED_2011}）"
