"""tunnel.surface: surface settlement above the tunnel, 地表沉降 (GB 50911-2013 §9.1; fallback Table 9.2.2).

Where the drawings give no control values, docs/standards.md §16's fallback for the ground above a 一级 shield
drive, the lower bound [U]: 10 mm and 3 mm/d, and a heave control of 10 mm, which holds even where the design
gives only the settlement's (``heave_mm`` sets the design's). §16 gives no fallback for a mined tunnel's
surface: the site sets it from the design, and the check refuses a mined surface point without one.
"""

from __future__ import annotations

from kinds.tunnel.item import Item
from kinds.tunnel.kind import TunnelSpec


def _fallback(spec: TunnelSpec) -> tuple[float, float] | None:
    return (10.0, 3.0) if spec.method == "shield" else None


def _heave(spec: TunnelSpec) -> float | None:
    return 10.0 if spec.method == "shield" else None


ITEM: Item = Item(
    "tunnel.surface", "surface_settle_mm", "地表沉降", "surface settlement", "表9.2.2", _fallback, _heave
)
