"""What the shield machine's alerts say besides their clause: the ring they happened at, and the order GB
55034-2022 §3.7.3 gives for every one of its items."""

from __future__ import annotations

STOP_ACTION = (
    "立即停止掘进，分析原因并采取措施，处理后方可恢复掘进",
    "stop advancing now, find the cause and act on it; advance again only once it is dealt with",
)
"""§3.7.3: 应停止掘进，分析原因并采取措施."""


def at_ring(ring: float | None) -> tuple[str, str]:
    """Where the drive is, as an alert says it after the machine's name: （第 152 环）, (ring 152); nothing
    before the PLC has reported a ring."""
    if ring is None:
        return "", ""
    return f"（第 {ring:g} 环）", f" (ring {ring:g})"
