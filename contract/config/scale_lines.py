"""The lines of 建办质〔2018〕31号 附件2 (超过一定规模的危险性较大的分部分项工程范围) that a device's facts in the site
file can be read against (docs/standards.md §6, §16, §19). Each function gives why the facts put the 危大 item
the device is attached to over a line, in the words a message shows (the device, the value, the line and the
clause), none when they do not. The clause says 及以上: a value on the line is over it.

The site file holds no span, construction load or line load of a formwork, and no base elevation of a crane
apart from its height above the site's datum: those lines are the ``over_scale:`` flag's alone.
"""

from __future__ import annotations

G = 9.80665
"""Standard gravity, m/s²: a rated load of m t weighs m × G kN (300 kN is 30.59 t)."""
LIFT_KN = 300.0
"""附件2 三(二): 起重量300kN及以上 (a machine's largest rated load)."""
LIFT_HEIGHT_M = 200.0
"""附件2 三(二): 搭设总高度200m及以上，或搭设基础标高在200m及以上."""
FORMWORK_HEIGHT_M = 8.0
"""附件2 二(二): 混凝土模板支撑工程 搭设高度8m及以上."""
LIFTING = "建办质〔2018〕31号 附件2 三(二) 起重机械安装和拆卸工程"
FORMWORK = "建办质〔2018〕31号 附件2 二(二) 混凝土模板支撑工程"
TUNNELLING = "建办质〔2018〕31号 附件2 六 暗挖工程（矿山法、盾构法、顶管法施工的隧道、洞室）"


def kilonewtons(tonnes: float) -> float:
    """A rated load in t as kN, rounded to 6 decimals: a load written at the line (300 kN ÷ G t) reads as on
    it, not a rounding error below it."""
    return round(tonnes * G, 6)


def lifting(machine: str, rated_t: float, height_m: float, height_is: str) -> list[str]:
    """A lifting machine's 安拆 over the line by its largest rated load (t) or its height (m; ``height_is``
    says which height the site file gives)."""
    reasons = []
    kn = kilonewtons(rated_t)
    if kn >= LIFT_KN:
        reasons.append(f"{machine} 额定起重量 {rated_t:g} t = {kn:.1f} kN ≥ {LIFT_KN:g} kN（{LIFTING}）")
    if height_m >= LIFT_HEIGHT_M:
        reasons.append(f"{machine} {height_is} {height_m:g} m ≥ {LIFT_HEIGHT_M:g} m（{LIFTING}）")
    return reasons


def formwork(support: str, height_m: float | None) -> list[str]:
    """A formwork support system over the line by its height (None: the site file does not give it)."""
    if height_m is None or height_m < FORMWORK_HEIGHT_M:
        return []
    return [f"{support} 搭设高度 {height_m:g} m ≥ {FORMWORK_HEIGHT_M:g} m（{FORMWORK}）"]


def tunnelling(works: str, method: str) -> list[str]:
    """A tunnel or chamber built by ``method`` (矿山法, 盾构法 or 顶管法): over the line whatever its size."""
    return [f"{works} {method}施工（{TUNNELLING}）"]
