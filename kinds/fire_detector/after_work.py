"""Which hot-work permit a detector's alarm concerns: one in force at its place now, or else the one whose
time in force at its place ended last, within the watch period before the alarm (GB 50720 §6.3.1(8): after
hot work the place is checked, and the operator leaves only once no fire risk is confirmed).

"Within" is 以内: an alarm exactly ``watch_s`` after the permit stopped being in force still concerns it, one a
second later does not. A permit stops being in force at the earliest of its closing (the post-work check), its
window's end and its level's validity under the site's scheme (contract/hot_work.py ``in_force_until``): hot work
ends there whether or not it was checked. A permit never in force (closed before its start) had no hot work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import Permit


@dataclass(frozen=True)
class Cause:
    """The permit an alarm concerns (None: none) and when it stopped being in force (None: in force now)."""

    permit: Permit | None = None
    ended: float | None = None  # Unix s

    @property
    def after_work(self) -> bool:
        """The alarm came within the watch period after the permit's hot work ended."""
        return self.permit is not None and self.ended is not None


NONE = Cause()


def cause_of(
    place: str, permits: Sequence[Permit], ts: float, scheme: HotWorkPermitsConfig, watch_s: float
) -> Cause:
    """The permit at ``place`` an alarm at ``ts`` concerns: the latest started of those in force at ``ts``,
    else the one whose time in force ended last within ``watch_s`` before ``ts`` (inclusive), else none."""
    here = [p for p in permits if p.place == place]
    in_force = [p for p in here if p.in_force(ts, scheme)]
    if in_force:
        return Cause(max(in_force, key=lambda p: (p.start, p.id)))
    ended = [
        (until, p)
        for p in here
        if p.start.timestamp() < (until := p.in_force_until(scheme)) <= ts and ts - until <= watch_s
    ]
    if not ended:
        return NONE
    until, permit = max(ended, key=lambda e: (e[0], e[1].id))
    return Cause(permit, until)
