"""What the confined-space rules know of one space: who is inside since when, the attendants at the
entrance, the fan, the detector's last readings and the last complete reading set within limits.

A reading set is GB 55034-2022 §3.9.3's order, 氧气、可燃性气体、有毒有害气体: an oxygen reading, then a
combustible one no earlier, then one of each toxic gas the detector reports no earlier than that, every
one within the limits. A multi-gas detector reporting all of them in one sample makes a set at each
sample; a reading out of the limits voids the set until a new one is taken. The set counts as taken
after ventilation only when the fan was already running at its oxygen reading (先通风、再检测).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kinds.confined_space.kind import LEL, O2, TOXIC, GasLimits, mg_per_m3


@dataclass(frozen=True)
class Gas:
    """One gas of the limits table: its key, Chinese and English names, the unit judged."""

    key: str
    zh: str
    en: str
    unit: str


GAS_OF = {
    O2: Gas("o2", "氧气", "oxygen", "%"),
    LEL: Gas("lel", "可燃气体", "combustible gas", "%LEL"),
    "h2s_ppm": Gas("h2s", "硫化氢", "H2S", "mg/m³"),
    "h2s_mgm3": Gas("h2s", "硫化氢", "H2S", "mg/m³"),
    "co_ppm": Gas("co", "一氧化碳", "CO", "mg/m³"),
    "co_mgm3": Gas("co", "一氧化碳", "CO", "mg/m³"),
    "co2_ppm": Gas("co2", "二氧化碳", "CO2", "mg/m³"),
    "co2_mgm3": Gas("co2", "二氧化碳", "CO2", "mg/m³"),
}


def within(limits: GasLimits, gas: str, value: float) -> bool:
    """Whether a reading of ``gas`` (key, value in the unit judged) is within the limits as their
    words draw them: oxygen from 19.5 to 23.5 % inclusive (below 19.5 is 缺氧, above 23.5 富氧);
    combustible and toxic gases below the value (reaching it is too much)."""
    if gas == "o2":
        return limits.o2_min_pct <= value <= limits.o2_max_pct
    return value < limits.limit(gas)


def judged_value(metric: str, value: float) -> float:
    """A gas reading in the unit its limit is written in (ppm of a toxic gas as mg/m³)."""
    return mg_per_m3(metric, value) if metric in TOXIC else value


@dataclass
class Space:
    """One confined space's state."""

    inside: dict[str, float] = field(default_factory=dict)  # person: when they went in
    attendants: set[str] = field(default_factory=set)
    fan_on: bool = False  # never reported is not running
    fan_since: float | None = None
    last_exit: float | None = None  # when the space last became empty
    # when the gateway heard the post left empty with people inside, on its own clock (rules/heard.py): the
    # attendant's absence is measured against the gateway's ticks, never the badge reader's stamps
    unattended_since: float | None = None
    latest: dict[str, tuple[float, bool]] = field(default_factory=dict)  # gas key: (ts, within limits)
    set_done: float | None = None  # when the last complete in-limit set was completed
    set_start: float | None = None  # its oxygen reading
    set_ventilated: bool = False  # the fan ran from before that oxygen reading

    @property
    def occupied(self) -> bool:
        """Whether anyone is inside."""
        return bool(self.inside)

    def gas(self, key: str, ts: float, ok: bool) -> None:
        """A gas reading: the set it completes, or the set it voids."""
        if not ok:
            self.void(key, ts)
            return
        self.latest[key] = (ts, ok)
        o2, lel = self.latest.get("o2"), self.latest.get("lel")
        toxic = [v for k, v in self.latest.items() if k not in ("o2", "lel")]
        if o2 is None or lel is None or not toxic or not all(ok for _, ok in (o2, lel, *toxic)):
            return
        if o2[0] <= lel[0] <= min(t for t, _ in toxic):
            self.set_done, self.set_start = ts, o2[0]
            self.set_ventilated = self.fan_on and self.fan_since is not None and self.fan_since <= o2[0]

    def void(self, key: str, ts: float) -> None:
        """A reading of gas ``key`` out of the limits, or one its detector cannot give: no set until a new
        one is taken (a broken reading ends no silence: only a sound one is heard by ConfinedSilent)."""
        self.latest[key] = (ts, False)
        self.set_done = self.set_start = None
        self.set_ventilated = False

    def fan(self, on: bool, ts: float) -> None:
        """The fan's state; a set taken while it stood still stays unventilated."""
        if on and not self.fan_on:
            self.fan_since = ts
        self.fan_on = on

    def enter(self, person: str, ts: float, at: float) -> bool:
        """``person`` goes in, stamped ``ts`` by the reader and heard at ``at``; False when they were already
        inside (a repeated state, not an entry)."""
        if person in self.inside:
            return False
        self.inside[person] = ts
        self.attendants.discard(person)  # an attendant who goes in attends no more
        self._attendance(at)
        return True

    def leave(self, person: str, ts: float, at: float) -> bool:
        """``person`` comes out, stamped ``ts`` by the reader and heard at ``at``; False when they were not
        inside."""
        if self.inside.pop(person, None) is None:
            return False
        if not self.inside:
            self.last_exit = ts  # the break before a re-entry: both ends on the entry reader's own clock
        self._attendance(at)
        return True

    def attendant(self, person: str, present: bool, at: float) -> None:
        """An attendant arrives at the entrance or leaves it, heard at ``at``."""
        if present and person not in self.inside:
            self.attendants.add(person)
        else:
            self.attendants.discard(person)
        self._attendance(at)

    def _attendance(self, at: float) -> None:
        # the post's state follows the reader's events in the order it sent them; how long it has been
        # empty is the gateway's: a reader's clock behind would start the absence early, one ahead (or
        # stepped back) would put its start in the future and hold the alarm off, or clear a firing one
        if self.inside and not self.attendants:
            if self.unattended_since is None:
                self.unattended_since = at
        else:
            self.unattended_since = None

    def ready(self, now: float, valid_s: float, after: float | None = None) -> list[str]:
        """What entry at ``now`` lacks, in Chinese (empty: ventilated, then tested within limits within
        ``valid_s``, the set begun after ``after`` when given)."""
        missing: list[str] = []
        if not self.fan_on:
            missing.append("通风机未运行")
        if self.set_done is None or self.set_start is None:
            missing.append("无完整合格的气体检测（氧气→可燃气体→有毒气体）")
        elif now - self.set_done > valid_s:
            missing.append(f"最近一次合格检测已过 {(now - self.set_done) / 60:.0f} 分钟")
        elif after is not None and self.set_start < after:
            missing.append("中断后未重新检测")
        elif not self.set_ventilated:
            missing.append("检测前未先通风")
        return missing

    def shift(self, step_s: float, now: float) -> None:
        """The attendant's absence measured across a wall-clock step of ``step_s`` (never past ``now``; the
        detector's silence is ConfinedSilent's)."""
        if self.unattended_since is not None:
            self.unattended_since = min(self.unattended_since + step_s, now)

    def restart(self, carried: Callable[[float], float]) -> None:
        """After a warm-up: the gateway's own downtime is not the attendant's absence, so the absence starts
        again at the start, as rules/heard.py's times restart (``carried``: when an absence since a given
        instant counts from); where its alarm was firing at the stop, it goes on from what it had lasted by
        then, so that an alarm still true is not cleared by the restart. Never from the warm-up's own start: it
        judged its history at the readings' stamps, which a reader's clock ahead of the gateway's puts after
        the start, holding the alarm off until the gateway's clock got there."""
        if self.unattended_since is not None:
            self.unattended_since = carried(self.unattended_since)
