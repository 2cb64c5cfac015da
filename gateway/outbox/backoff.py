"""Retry pacing: capped exponential backoff with jitter ("equal jitter": half fixed, half random).

Our own few lines rather than tenacity: tenacity retries one call by sleeping inside it, while the
outbox must keep delivering other uplinks, take new events and survive restarts between attempts, so
the dispatcher only needs the next delay as a number.
"""

from __future__ import annotations

import random


def backoff_delay(failures: int, initial_s: float, cap_s: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``failures``-th failure in a row (1, 2, ...): uniform in
    [d/2, d] where d = min(cap, initial × 2^(failures-1)); half of d is kept so retries never bunch at 0."""
    ceiling = min(cap_s, initial_s * 2.0 ** min(max(failures - 1, 0), 32))
    return ceiling / 2 + (rng or random).random() * ceiling / 2
