"""Which tower cranes are inside a jacking window (顶升、加节、降节, standards.md §10): opened and closed
by a supervisor as the crane's ``jacking_active`` reading (1 open, 0 closed), stored and replayed like any
reading (a window open when the gateway stopped is told again at its start: gateway/site/site_work.py ``reopen``).
The crane.jacking_* rules judge a crane only while its window is open.

One instance serves the whole site (rules/kinds/base.py ``Shared``): the cranes' judge opens and closes
windows, and the wind of an anemometer serving a crane is judged against the crane's window.
"""

from __future__ import annotations

from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import cleared, cleared_en


class JackingWindows:
    """The cranes with a jacking window open, and when each opened."""

    def __init__(self) -> None:
        self._open: dict[str, float] = {}

    def set(self, device: str, active: bool, ts: float) -> bool:
        """Open (``active``) or close ``device``'s window at ``ts``; whether that changed anything."""
        if active == (device in self._open):
            return False
        if active:
            self._open[device] = ts
        else:
            del self._open[device]
        return True

    def active(self, device: str) -> bool:
        """Is a jacking window open on ``device``?"""
        return device in self._open

    def none_open(self) -> bool:
        """Whether no crane of the site has a window open (every tick of nearly every day)."""
        return not self._open

    def any_open(self, devices: list[str]) -> list[str]:
        """Those of ``devices`` with a window open."""
        return [d for d in devices if d in self._open]

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``."""
        self._open = {d: min(ts + step_s, now) for d, ts in self._open.items()}


def window_closed(
    memory: LevelMemory, rule: str, clause: str, device: str, name: str, ts: float, work: str = "顶升"
) -> RuleResult | None:
    """The clearing verdict of ``rule`` on ``device`` when its window closes (None: nothing was raised):
    what the rule watched for no longer applies once the tower is bolted and the window closed; ``work``:
    the window's, in Chinese (顶升, or an 安拆 window's stage)."""
    if memory.get(device) is None:
        return None
    return memory.report(
        device,
        "",
        None,
        lambda: RuleResult(
            rule=rule,
            device=device,
            point="",
            level=None,
            ts=ts,
            clause=clause,
            message=cleared(f"{name}{work}作业结束"),
            message_en=cleared_en(f"{name} {'jacking' if work == '顶升' else '安拆'} window closed"),
        ),
    )
