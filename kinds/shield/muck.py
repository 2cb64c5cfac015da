"""shield.muck 出土量超方: the last completed ring's muck volume above the plan's theoretical volume of a ring
is a warning (docs/standards.md §16 [practice], from GB 55034-2022 §3.7.2: the advance matched to the muck).
Above is strict: exactly the theoretical volume is no excess. The volume is the plan's (``shield.muck_max_m3``,
with whatever bulking the plan counts)."""

from __future__ import annotations

from kinds.shield.clauses import ADVANCE_3_7_2
from kinds.shield.volume import RingVolume, VolumeWords
from rules.reached import Words
from rules.wording import PRACTICE_ZH

WORDS = Words(
    rule="shield.muck",
    clauses={"warning": f"{ADVANCE_3_7_2}；每环出土量超过理论出土量即预警{PRACTICE_ZH}"},
    unit="m³",
    actions={
        "warning": (
            "核查是否超挖、开挖面是否失稳，控制出土量与仓压，加强地表沉降监测",
            "check for over-excavation and an unstable face, hold the muck and the chamber pressure, and "
            "watch the ground's settlement more closely",
        )
    },
    strict=True,
)
NAMES = VolumeWords(
    what=("最近一环出土量", "last ring's muck volume"),
    beyond=("超过理论出土量", "above the theoretical"),
    within=("理论出土量", "theoretical"),
)


def muck() -> RingVolume:
    """The rule's family: every machine's muck against its theoretical volume."""
    return RingVolume(WORDS, NAMES)
