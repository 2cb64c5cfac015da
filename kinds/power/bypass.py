"""power.bypass: the box's RCD reports its residual-current protection switched off or bridged
(漏电保护退出): no residual-current protection downstream (JGJ/T 46-2024 §3.3; GB 55034-2022 §3.10 for what is
mandatory). The two-level RCD system it breaks was confirmed in JGJ 46-2005 §1.0.3 only, the 2024 wording not
seen (standards.md §17 [U]). Critical while the state lasts."""

from __future__ import annotations

from kinds.power.clauses import MANDATORY, RCD, TWO_LEVEL_2005
from kinds.power.kind import RCD_BYPASSED
from kinds.power.state import StateRule

BYPASS = StateRule(
    "power.bypass",
    RCD_BYPASSED,
    "critical",
    f"{RCD}：漏电保护退出运行或被短接即失去剩余电流保护；{MANDATORY}；{TWO_LEVEL_2005}",
    "漏电保护器的漏电保护已退出运行",
    "its RCD's residual-current protection is switched off",
    "立即恢复漏电保护投入运行并试跳合格；恢复前停止该箱供电的全部作业",
    "put the residual-current protection back in service and test it; until then stop all work it feeds",
)
"""Protection switched off or bridged: no residual-current protection downstream (JGJ/T 46-2024 §3.3)."""
