"""What the confined-space rules know of one space: who is inside since when, the attendants at the
entrance, the fan, the detector's last readings and the last complete reading set within limits.

A reading set is GB 55034-2022 §3.9.3's order, 氧气、可燃性气体、有毒有害气体: an oxygen reading, then a
combustible one no earlier, then one of each toxic gas the detector reports no earlier than that, every
one within the limits. A multi-gas detector reporting all of them in one sample makes a set at each
sample; a reading out of the limits voids the set until a new one is taken. The set counts as taken
after ventilation only when the fan was already running at its oxygen reading (先通风、再检测).

The detector, the fan and the badge reader at the manhole are separate devices over MQTT, each stamping by
its own clock, which may be hours off the others'. Each instant the entry rules compare across two of them (a
set's start and end, the fan's start, the last exit) is kept as its device stamped it and as the gateway heard
it (:class:`Heard`), and an interval between two devices is measured on the gateway's clock, as the silences
and the attendant's absence are (rules/heard.py): a test's age at an entry, whether it was begun after the last
exit, whether the fan ran before it. An interval of one device (the break, between two reads of the manhole's
reader; the order of a set's readings) stays on that device's stamps. Replay and the warm-up judge history at
its stamps, the only time they have.

When the gateway heard a reading is not always when it was taken: a detector whose link dropped sends its
buffered readings when it comes back, and a set taken before the last exit, heard after it, would count as a
test after the break. So the detector's readings are placed where they were taken, ``stamp + offset``, its
clock's offset learnt from its readings heard live (rules.heard.DeviceClock), never after they were heard. In
each comparison a set placed too late is the unsafe error (it seems fresher, after the exit, after the fan
started), and the estimate errs early: a step back of the detector's clock is followed only once its readings
have shown it for 5 minutes, a set placed before its offset is confirmed (the first minute heard from it, as
after a restart, or after a forward step) never counts as taken after the exit. The fan's start and the
manhole reader's exit stay where the gateway heard them, the latest they can have been: a report of theirs
held up puts the fan's start later and the exit later, so a set seems before the fan or before the exit, a
check fails, never passes, that should not.

An entry is compared with the sets twice, each way erring safe. Its test's age is measured from when the
gateway heard the entry, the latest it can have been (the test seems older). Whether a set was taken before it
is read where the reader's clock places it (rules.heard.DeviceClock, as the detector's readings): an entry held
up in the reader's backlog, heard after the detector's next sets, went in before them, and the set that counts
is the one the gateway had heard by then (a set heard was taken no later; a reading out of the limits heard
later, from the detector's own backlog, finds the worker inside: confined_space.gas). So the space keeps the
sets it heard over the last ``keep_s`` (the time a test stays valid: an older set is stale however the entry
lies), in the order it heard them.
"""

from __future__ import annotations

import math
from bisect import insort
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


@dataclass(frozen=True)
class Heard:
    """An instant as its device stamped it (``ts``, the device's clock) and where it lies on the gateway's clock
    (``at``: when the gateway heard it, or for the detector's readings, which may come late, where its
    rules.heard.DeviceClock places it; the stamp itself in replay and the warm-up). ``sure``: that place is
    confirmed (a detector heard live long enough to know its clock, rules.heard.DeviceClock)."""

    ts: float
    at: float
    sure: bool = True

    def moved(self, step_s: float, now: float) -> Heard:
        """The same instant across a step of the gateway's wall clock by ``step_s`` reading ``now`` (never past
        ``now``, as rules/heard.py's times move)."""
        return Heard(self.ts, min(self.at + step_s, now), self.sure)


def _moved(when: Heard | None, step_s: float, now: float) -> Heard | None:
    return None if when is None else when.moved(step_s, now)


def _age_zh(age_s: float) -> str:
    """A test's age to the second, rounded up (超过 a limit is what it is compared with: 1801 s is 30 分 1 秒, never
    30 分钟), in hours and minutes from an hour."""
    whole = math.ceil(age_s)
    if whole >= 3600:
        return f"{whole // 3600} 小时 {whole % 3600 // 60} 分"
    return f"{whole // 60} 分 {whole % 60} 秒"


@dataclass(frozen=True)
class GasSet:
    """A complete reading set within the limits: its oxygen reading (where it began), the reading that completed
    it, and whether the fan ran from before that oxygen reading."""

    start: Heard
    done: Heard
    ventilated: bool

    def moved(self, step_s: float, now: float) -> GasSet:
        """The same set across a step of the gateway's wall clock (Heard.moved)."""
        return GasSet(self.start.moved(step_s, now), self.done.moved(step_s, now), self.ventilated)


RESTARTED = "网关重启后尚无完整合格的气体检测：重启前的检测时效无法确认，须重新检测"
UNSURE = "无法确认检测在中断之后：气体检测仪刚恢复上报或其时钟变动，须待其持续在线后重新检测"
NONE = "无完整合格的气体检测（氧气→可燃气体→有毒气体）"
AFTER_ENTRY = "人员进入时尚无合格检测：入口读卡器的进入记录迟到，其后完成的检测不是进入前的检测"


@dataclass
class Space:
    """One confined space's state."""

    # how long back the sets heard are kept: the time a test stays valid (the site's test_valid_min), past which a
    # set is stale however late an entry is heard
    keep_s: float
    inside: dict[str, float] = field(default_factory=dict)  # person: when they went in
    attendants: set[str] = field(default_factory=set)
    fan_on: bool = False  # never reported is not running
    fan_since: Heard | None = None  # when it started (the fan's clock, and heard)
    last_exit: Heard | None = None  # when the space last became empty (the manhole reader's clock, and heard)
    # when the gateway heard the post left empty with people inside, on its own clock (rules/heard.py): the
    # attendant's absence is measured against the gateway's ticks, never the badge reader's stamps
    unattended_since: float | None = None
    latest: dict[str, tuple[Heard, bool]] = field(default_factory=dict)  # gas key: (when, within limits)
    # the set in force from each instant the gateway heard it on (None: none, a reading out of the limits voided
    # it), in the order heard: the last is the set in force now; those heard ``keep_s`` before the newest are
    # dropped but the last of them (the set in force at that horizon)
    sets: list[tuple[float, GasSet | None]] = field(default_factory=list)
    restarted: bool = False  # the gateway restarted since the last set, which it voided

    @property
    def occupied(self) -> bool:
        """Whether anyone is inside."""
        return bool(self.inside)

    @property
    def current(self) -> GasSet | None:
        """The set in force now (None: none since the last void or restart)."""
        return self.sets[-1][1] if self.sets else None

    def set_at(self, at: float) -> GasSet | None:
        """The set the gateway had heard by ``at`` on its clock (None: none in force then, or ``at`` before what is
        kept)."""
        found: GasSet | None = None
        for placed, taken in self.sets:
            if placed > at:
                break
            found = taken
        return found

    def gas(self, key: str, when: Heard, ok: bool, heard: float) -> None:
        """A gas reading, stamped and placed on the gateway's clock as ``when`` says and heard at ``heard``: the set
        it completes, or the set it voids. The order of a set's readings is the detector's own (its stamps);
        whether the fan ran before it is the gateway's (the fan's clock is another device's)."""
        if not ok:
            self.void(key, when, heard)
            return
        self.latest[key] = (when, ok)
        o2, lel = self.latest.get("o2"), self.latest.get("lel")
        toxic = [v for k, v in self.latest.items() if k not in ("o2", "lel")]
        if o2 is None or lel is None or not toxic or not all(ok for _, ok in (o2, lel, *toxic)):
            return
        if o2[0].ts <= lel[0].ts <= min(t.ts for t, _ in toxic):
            since = self.fan_since
            ventilated = self.fan_on and since is not None and since.at <= o2[0].at
            self.restarted = False
            self._in_force(heard, GasSet(o2[0], when, ventilated))

    def void(self, key: str, when: Heard, heard: float) -> None:
        """A reading of gas ``key`` out of the limits, or one its detector cannot give, at ``when``, heard at
        ``heard``: no set until a new one is taken (a broken reading ends no silence: only a sound one is heard by
        ConfinedSilent)."""
        self.latest[key] = (when, False)
        self._in_force(heard, None)

    def _in_force(self, at: float, taken: GasSet | None) -> None:
        """``taken`` in force from ``at`` on (heard then); what was heard more than ``keep_s`` before the newest
        dropped, but the set in force at that horizon."""
        sets = self.sets
        if sets and at >= sets[-1][0]:
            sets.append((at, taken))  # in order, as nearly every reading comes
        else:
            insort(sets, (at, taken), key=lambda s: s[0])
        horizon = sets[-1][0] - self.keep_s
        cut = 0
        while cut + 1 < len(sets) and sets[cut + 1][0] <= horizon:
            cut += 1
        if cut:
            del sets[:cut]

    def fan(self, on: bool, ts: float, at: float) -> None:
        """The fan's state, stamped ``ts`` by its clock and heard at ``at``; a set taken while it stood still
        stays unventilated."""
        if on and not self.fan_on:
            self.fan_since = Heard(ts, at)
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
            # the break before a re-entry: both ends on the manhole reader's own clock; whether a set was begun
            # after it, on the gateway's (the detector's clock is another device's)
            self.last_exit = Heard(ts, at)
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

    def ready(self, entered: Heard, now: float, valid_s: float, after: Heard | None = None) -> list[str]:
        """What an entry lacks, in Chinese (empty: ventilated, then tested within limits within ``valid_s`` (超过 is
        too old), the set begun after ``after`` when given: the last exit). The set is the one the gateway had heard
        by where ``entered`` lies (placed by the reader's clock), its age measured from ``now``, when the entry was
        heard. All on the gateway's clock: the entry and the exit are the manhole reader's, the set the detector's."""
        missing: list[str] = []
        if not self.fan_on:
            missing.append("通风机未运行")
        taken = self.set_at(entered.at)
        if taken is None:
            # a set heard since: after the entry, which the reader's report was late to say
            missing.append(AFTER_ENTRY if self.current is not None else RESTARTED if self.restarted else NONE)
        elif now - taken.done.at > valid_s:
            missing.append(
                f"最近一次合格检测已过 {_age_zh(now - taken.done.at)}，超过 {valid_s / 60:g} 分钟有效期"
            )
        elif after is not None and taken.start.at < after.at:
            missing.append("中断后未重新检测")
        elif after is not None and not taken.start.sure:
            # placed where it was heard, which for a backlog is after the exit it came before: the unsafe way
            missing.append(UNSURE)
        elif not taken.ventilated:
            missing.append("检测前未先通风")
        return missing

    def shift(self, step_s: float, now: float) -> None:
        """The attendant's absence and the instants heard (the sets, the fan's start, the last exit) measured
        across a wall-clock step of ``step_s`` (never past ``now``; the detector's silence is ConfinedSilent's)."""
        if self.unattended_since is not None:
            self.unattended_since = min(self.unattended_since + step_s, now)
        self.latest = {key: (when.moved(step_s, now), ok) for key, (when, ok) in self.latest.items()}
        self.sets = [
            (min(at + step_s, now), None if taken is None else taken.moved(step_s, now))
            for at, taken in self.sets
        ]
        self.fan_since, self.last_exit = (
            _moved(self.fan_since, step_s, now),
            _moved(self.last_exit, step_s, now),
        )

    def restart(self, now: float, carried: Callable[[float], float]) -> None:
        """After a warm-up: the gateway's own downtime is not the attendant's absence, so the absence starts
        again at the start, as rules/heard.py's times restart (``carried``: when an absence since a given
        instant counts from); where its alarm was firing at the stop, it goes on from what it had lasted by
        then, so that an alarm still true is not cleared by the restart. Never from the warm-up's own start: it
        judged its history at the readings' stamps, which a reader's clock ahead of the gateway's puts after
        the start, holding the alarm off until the gateway's clock got there.

        A gas test heard before the restart is worth nothing after it: the warm-up knows it only by the
        detector's stamp, and the exit and the fan only by their own devices', hours apart where their clocks
        are; a detector ahead by less than the time since would put a test taken before the last exit after it,
        stamped in the past and looking fine. So every set, and every reading a set could be completed from, is
        void: the next entry needs a set heard after the restart (a detector reporting all its gases in each
        sample makes one at its next report). The fan still running and the last exit count from ``now``, both
        before any set heard from then on."""
        if self.unattended_since is not None:
            self.unattended_since = carried(self.unattended_since)
        self.restarted = self.restarted or self.current is not None
        self.latest.clear()
        self.sets.clear()
        if self.fan_since is not None:
            self.fan_since = Heard(self.fan_since.ts, now)
        if self.last_exit is not None:
            self.last_exit = Heard(self.last_exit.ts, now)
