"""shield.grout 同步注浆量不足: the last completed ring's simultaneous grout volume below the plan's volume of a
ring is a warning (docs/standards.md §16 [practice], from GB 55034-2022 §3.7.2: the advance matched to the
simultaneous grouting). Below is strict: exactly the planned volume is enough. The volume is the plan's
(``shield.grout_min_m3``)."""

from __future__ import annotations

from kinds.shield.clauses import ADVANCE_3_7_2
from kinds.shield.volume import RingVolume, VolumeWords
from rules.reached import Words
from rules.wording import PRACTICE_ZH

WORDS = Words(
    rule="shield.grout",
    clauses={"warning": f"{ADVANCE_3_7_2}；每环同步注浆量低于计划量即预警{PRACTICE_ZH}"},
    unit="m³",
    actions={
        "warning": (
            "核查注浆泵、管路与浆液，按计划补足注浆，加强地表沉降监测",
            "check the grout pumps, lines and mix, make up the planned volume, and watch the ground's "
            "settlement more closely",
        )
    },
    strict=True,
    higher_is_worse=False,
)
NAMES = VolumeWords(
    what=("最近一环同步注浆量", "last ring's grout volume"),
    beyond=("低于计划量", "below the planned"),
    within=("计划量", "planned"),
)


def grout() -> RingVolume:
    """The rule's family: every machine's grout against its plan."""
    return RingVolume(WORDS, NAMES)
