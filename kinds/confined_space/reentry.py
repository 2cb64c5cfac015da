"""confined_space.reentry: after the work was interrupted (the space empty) for more than 30 minutes
(configurable), nobody goes back in before it was ventilated and tested again: the reading set must
have been begun after the last person came out, as well as within the time a test is valid for
(应急管理部令第13号 第十五条, as the procedure of reference: 作业中断的，再次进入前应当重新通风、检测合格;
the 30 minutes are the old 59号令 wording, practice). Critical, like a first entry without the
test (建质规〔2024〕5号 第十一条(二)); the alert lasts until the person comes out.

The break is the manhole reader's (its exit and its entry, by its own stamps); whether the set was begun after
the exit compares the detector with the reader, two devices, so it is judged on the gateway's clock, when it
heard each (state.py): a detector's clock hours ahead would otherwise put the test taken before the break after
it, and let the re-entry pass untested. The detector's readings lie where they were taken, not where they were
heard (rules.heard.DeviceClock): its backlog, heard after the exit, was taken before it; a set placed before its
clock is confirmed never counts as after the exit.
"""

from __future__ import annotations

from kinds.confined_space.entry import Entry, EntryRule
from kinds.confined_space.state import Heard, Space
from rules.wording import MAJOR_ZH, PRACTICE_ZH

REENTRY = Entry(
    "confined_space.reentry",
    "应急管理部令第13号 第十五条（参照）作业中断后再次进入前应当重新通风、检测合格；中断超过30分钟须重新检测"
    + PRACTICE_ZH
    + "；未执行即 建质规〔2024〕5号 第十一条(二) "
    + MAJOR_ZH,
    "作业中断后未重新检测即进入",
    "went back in after a break without a new test",
)


def is_reentry(space: Space, ts: float, break_s: float) -> bool:
    """Whether an entry stamped ``ts`` ends a break longer than ``break_s`` (the space empty since its last
    exit, on the reader's clock; 超过: a break of exactly ``break_s`` is not one)."""
    return not space.occupied and space.last_exit is not None and ts - space.last_exit.ts > break_s


def lacks(space: Space, entered: Heard, at: float, valid_s: float) -> list[str]:
    """What a re-entry placed at ``entered`` and heard at ``at`` lacks: the entry's conditions, the set begun after
    the break (both on the gateway's clock)."""
    return space.ready(entered, at, valid_s, after=space.last_exit)


def rule() -> EntryRule:
    """The re-entry rule's memory and words."""
    return EntryRule(REENTRY)
