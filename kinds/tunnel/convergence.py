"""tunnel.convergence: convergence of the clearance, 净空收敛 (GB 50911-2013 §9.1; fallback Table 9.2.2/9.2.3).

Where the drawings give no control values, docs/standards.md §16's fallback [U]: a shield tunnel 0.2 % of its
diameter and 3 mm/d (none without ``diameter_m``: the check asks for one or for the design's values); a
mined tunnel 10 mm and 2 mm/d.
"""

from __future__ import annotations

from kinds.tunnel.item import Item
from kinds.tunnel.kind import TunnelSpec

SHIELD_SHARE_OF_D = 0.002  # 0.2 % D


def _fallback(spec: TunnelSpec) -> tuple[float, float] | None:
    if spec.method == "mined":
        return 10.0, 2.0
    return None if spec.diameter_m is None else (spec.diameter_m * 1000 * SHIELD_SHARE_OF_D, 3.0)


ITEM: Item = Item(
    "tunnel.convergence", "convergence_mm", "净空收敛", "convergence", "表9.2.2、表9.2.3", _fallback
)
