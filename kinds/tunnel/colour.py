"""The colour of one tunnel point from its cumulative value and its rate, each as a share of its control
value (GB 50911-2013 §9.1.1: the project's 预警等级; the defaults are docs/standards.md §16's practice [U]):

- yellow (warning): both reach ``yellow_both`` (70 %), or either reaches ``yellow_one`` (85 %);
- orange (alarm): both reach ``orange_both`` (85 %), or either reaches ``orange_one`` (100 %);
- red (critical): both reach ``red_both`` (100 %), or the rate suddenly accelerates.

Every line is reached (达到: at it counts). A rate not yet known (less than a window of readings) counts
for nothing, so the cumulative value alone can still reach the single-item lines: a slow steady
settlement that no rate line sees reaches yellow at 85 % and orange at 100 % of its cumulative control.
A level is left only once every line of it is missed by the clearing band as well.

A force point's control is whole in one value on each side (its maximum, its minimum: GB 50911 §9.1.3), not a
pair of which one item may be missing, so its one share reaches the lines both items together would
(``whole_colour``): yellow at 70 %, orange at 85 %, red at 100 % by default, the practice table's
70–85 %, 85–100 %, 100 %.
"""

from __future__ import annotations

from contract.alert_event import Level
from kinds.tunnel.thresholds import TunnelRule
from rules.levels import crosses
from rules.result import rank


def colour(
    cumulative: float, rate: float | None, accelerating: bool, cfg: TunnelRule, scale: float = 1.0
) -> Level | None:
    """The level of shares ``cumulative`` and ``rate`` (of their controls), each line times ``scale``."""

    def both(line: float) -> bool:
        return rate is not None and crosses(cumulative, line * scale) and crosses(rate, line * scale)

    def one(line: float) -> bool:
        return crosses(cumulative, line * scale) or (rate is not None and crosses(rate, line * scale))

    if accelerating or both(cfg.red_both):
        return "critical"
    if both(cfg.orange_both) or one(cfg.orange_one):
        return "alarm"
    if both(cfg.yellow_both) or one(cfg.yellow_one):
        return "warning"
    return None


def banded_colour(
    cumulative: float, rate: float | None, accelerating: bool, cfg: TunnelRule, current: Level | None
) -> Level | None:
    """The level now: a lower one than ``current`` only where the lines less the clearing band give it."""
    level = colour(cumulative, rate, accelerating, cfg)
    if rank(level) >= rank(current):
        return level
    held = colour(cumulative, rate, accelerating, cfg, 1 - cfg.hysteresis_pct / 100)
    return held if rank(held) < rank(current) else current


def whole_colour(share: float, cfg: TunnelRule, current: Level | None) -> Level | None:
    """The level of a share of a control given whole in one value (a force's maximum or minimum): the share
    stands for both items, so the both-lines decide (the one-item lines are never lower)."""
    return banded_colour(share, share, False, cfg, current)
