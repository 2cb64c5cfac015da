"""The citations the temporary-power rules share (standards.md §17): the 2024 standard in force, the mandatory
code, and the 2005 text the values were confirmed in (JGJ 46-2005 is repealed: it is named only as where a
value was confirmed, never as the rule in force)."""

from __future__ import annotations

JGJT46 = "JGJ/T 46-2024《建筑与市政工程施工现场临时用电安全技术标准》"
RCD = f"{JGJT46} 第3.3节 剩余电流保护"
MANDATORY = "GB 55034-2022 第3.10节（临时用电的强制性规定）"
"""Where the mandatory rules on temporary power sit now that JGJ/T 46-2024 is a recommended standard."""
RCD_2005 = (
    "JGJ 46-2005 第8.2.10条 开关箱漏电保护器额定漏电动作电流不应大于30mA、动作时间不应大于0.1s，"
    "第8.2.11条 总配电箱漏电保护器动作电流与动作时间乘积不应大于30mA·s（数值经2005版核实，2024版条文未核实）"
)
TWO_LEVEL_2005 = (
    "二级漏电保护系统（总配电箱和开关箱均设漏电保护器）经 JGJ 46-2005 第1.0.3条核实，"
    "2024版是否仍规定二级未核实"
)
"""The two-level RCD system: confirmed in the 2005 text only; the 2024 edition's wording was not seen [U]."""
