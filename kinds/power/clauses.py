"""The citations the temporary-power rules share (standards.md §17): the 2024 standard in force, and the
2005 text its values were confirmed in."""

from __future__ import annotations

JGJT46 = "JGJ/T 46-2024《建筑与市政工程施工现场临时用电安全技术标准》"
RCD = f"{JGJT46} 第3.3节 剩余电流保护"
RCD_2005 = (
    "JGJ 46-2005 第8.2.10条 开关箱漏电保护器额定漏电动作电流不应大于30mA、动作时间不应大于0.1s，"
    "第8.2.11条 总配电箱漏电保护器动作电流与动作时间乘积不应大于30mA·s（数值经2005版核实）"
)
