"""power.bypass: the box's RCD reports its residual-current protection switched off or bridged
(漏电保护退出): the two-level RCD system (JGJ 46-2005 §1.0.3, mandatory) no longer protects anyone
downstream. Critical while the state lasts."""

from __future__ import annotations

from kinds.power.clauses import RCD
from kinds.power.kind import RCD_BYPASSED
from kinds.power.state import StateRule

BYPASS = StateRule(
    "power.bypass",
    RCD_BYPASSED,
    "critical",
    "JGJ 46-2005 第1.0.3条（强制性条文）采用二级漏电保护系统，总配电箱和开关箱必须设漏电保护器；"
    f"{RCD}：漏电保护退出运行或被短接即失去保护",
    "漏电保护器的漏电保护已退出运行",
    "its RCD's residual-current protection is switched off",
    "立即恢复漏电保护投入运行并试跳合格；恢复前停止该箱供电的全部作业",
    "put the residual-current protection back in service and test it; until then stop all work it feeds",
)
"""Protection switched off or bridged: the two-level RCD system (JGJ 46-2005 §1.0.3, mandatory) is gone."""
