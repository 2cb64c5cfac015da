"""tunnel.vault: vault (crown) settlement, 拱顶沉降 (GB 50911-2013 §9.1; fallback controls Table 9.2.2/9.2.3).

Where the drawings give no control values (§9.1.2 says they do), docs/standards.md §16's fallback, the lower
bound of each range [U]: a shield tunnel's segments 10 mm and 2 mm/d in hard to medium ground, 20 mm and
3 mm/d in soft ground; a mined running tunnel 10 mm and 2 mm/d, a mined station 20 mm and 3 mm/d.
"""

from __future__ import annotations

from kinds.tunnel.item import Item
from kinds.tunnel.kind import TunnelSpec


def _fallback(spec: TunnelSpec) -> tuple[float, float]:
    small = spec.ground == "hard" if spec.method == "shield" else spec.works == "running"
    return (10.0, 2.0) if small else (20.0, 3.0)


ITEM: Item = Item(
    "tunnel.vault", "vault_settle_mm", "拱顶沉降", "vault settlement", "表9.2.2、表9.2.3", _fallback
)
