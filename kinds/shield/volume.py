"""What shield.grout and shield.muck share: the last completed ring's volume (the PLC's 上一环 total, not the
running counter of the ring being built) against the plan's volume of a ring, one side of it a warning."""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from kinds.shield.words import at_ring
from rules.reached import Reached, Words
from rules.result import RuleResult


@dataclass(frozen=True)
class VolumeWords:
    """How one volume's alerts name it and its line (Chinese, English)."""

    what: tuple[str, str]
    beyond: tuple[str, str]
    within: tuple[str, str]


class RingVolume(Reached):
    """Each machine's volume of a ring against its plan."""

    def __init__(self, words: Words, names: VolumeWords) -> None:
        super().__init__(words)
        self.names = names

    def evaluate(
        self,
        device: str,
        name: str,
        line_m3: float,
        band: float,
        volume_m3: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one reading of the last ring's volume against ``line_m3``."""
        thresholds: list[tuple[Level, float]] = [("warning", line_m3)]
        level = self.level(device, "", volume_m3, thresholds, band)
        at, at_en = at_ring(ring)
        n = self.names

        def what(level: Level | None) -> tuple[str, str]:
            (said, said_en) = n.beyond if level else n.within
            return (
                f"{name}{at} {n.what[0]} {volume_m3:g} m³，{said} {line_m3:g} m³",
                f"{name}{at_en} {n.what[1]} {volume_m3:g} m³, {said_en} {line_m3:g} m³",
            )

        return self.report(device, "", level, volume_m3, thresholds, what, {}, ts, backfill)
