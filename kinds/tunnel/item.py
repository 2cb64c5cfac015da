"""What each tunnel monitoring item's rule is made of: its rule id, metric, names, the table its fallback
control values come from, and the clause every item's warning cites (GB 50911-2013 §9.1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kinds.tunnel.kind import TunnelSpec

LEVELS = "GB 50911-2013 第9.1.1条（强制性条文）按监测控制值确定预警等级和预警标准"
REPORTED = "第9.1.5条（强制性条文）监测数据达到预警标准时，必须进行警情报送"
GB50911 = f"{LEVELS}；第9.1.3条 变形控制值为累计变化值和变化速率值；{REPORTED}"
GB50911_FORCE = f"{LEVELS}；第9.1.3条 力的控制值为最大值和最小值；{REPORTED}"
"""What a force point's warning cites (kinds/tunnel/force.py): its control values are the design's alone."""
COLOURS = "（黄、橙、红三级取值为地方惯例，非标准条文，按项目预警标准配置）"
DESIGNED = "；控制值采用设计值（第9.1.2条）"
FALLBACK = "；设计未给出控制值，暂取 GB 50911 {} 区间下限（凭记忆转录，未经核对，应按设计值配置）"
MAJOR = "；监测数据超过设计控制值且未及时采取措施属 建质规〔2024〕5号 第十三条(三) 重大事故隐患"
"""Cited only where the cumulative value or the rate is above (超过: at it is not) a control value the design
gives (§9.1.2): not on docs/standards.md §16's fallback values, which are no design's, and not for a red made
by a sudden acceleration alone (kinds/tunnel/points.py ``above_design``); a force point where its force is
above its maximum or below its minimum (kinds/tunnel/force_points.py)."""

Fallback = Callable[[TunnelSpec], tuple[float, float] | None]
"""(cumulative mm, rate mm/d) where docs/standards.md §16 gives a fallback for the tunnel, else None."""


@dataclass(frozen=True)
class Item:
    """One monitoring item (a kind of point) and its rule."""

    rule: str
    metric: str
    zh: str
    en: str
    table: str  # where the fallback values come from, as the clause names it
    fallback: Fallback
    heave: Callable[[TunnelSpec], float | None] = lambda _: None
    """The fallback heave control (mm) where §16 gives one (the ground above a shield drive), else None:
    a heave is then judged by its size against the cumulative control."""
