"""The citations the shield machine's rules share (docs/standards.md §16): GB 55034-2022 §3.7.3 (stop and
analyse), §3.7.2 (the advance matched to muck and grouting), GB 50446-2017 §8.1 (special sections) and
建质规〔2024〕5号 Art. 13(五) (a leak at the tail seal or the articulation while the drive goes on)."""

from __future__ import annotations

STOP = "应停止掘进，分析原因并采取措施"
STOP_3_7_3 = "GB 55034-2022 第3.7.3条 盾构掘进中遇有下列情况之一时，" + STOP + "："
"""§3.7.3's opening words; each rule adds the item it is (the item's words as docs/standards.md §16 gives
them: its source is an OCR text, whose first item is unreadable)."""
PLAN = "（允许范围、预计范围取自盾构专项施工方案与掘进指令，标准未给数值，按设备配置）"
"""GB 55034 says 允许范围 and 预计范围 without a number: the line is the plan's, set per machine."""
ADVANCE_3_7_2 = "GB 55034-2022 第3.7.2条 盾构掘进速度应与地表隆沉、出土量及同步注浆相协调（条文据 OCR 文本转述，未经印刷版核对）"
"""§3.7.2 as docs/standards.md §16 summarises it (the OCR text, not a verified quotation)."""
SPECIAL = (
    "GB 50446-2017 第8.1.1条、第8.1.2条 盾构在特殊地段（覆土厚度不大于盾构直径、小曲线半径、大坡度、下穿管线"
    "或障碍物或建（构）筑物、近距离平行隧道、穿越水域、复杂地层、有害气体等）施工应有专项方案，控制开挖面压力，"
    "按监测结果调整掘进参数与注浆"
)
"""The special sections as docs/standards.md §16 lists them (S16-4)."""
ART_13_5 = "建质规〔2024〕5号 第十三条(五) 盾尾密封失效、铰链部位发生渗漏仍继续掘进"
"""The major hazard, verbatim (docs/standards.md §16, S16-6): the leak *and* the drive going on."""
