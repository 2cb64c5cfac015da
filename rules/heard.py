"""When a silence rule last heard each thing it watches (a formwork point, a tunnel point or system, a confined
space's gas detector, a pour's or an occupancy's start), on the gateway's own clock: the one clock a silence is
measured on, as device.offline measures a device's (rules/device_offline.py).

A reading's own stamp is its device's clock, which may run ahead of the gateway's or behind it, or step at
another moment than the gateway's (a device corrected by NTP before the gateway, a reading in flight across a
step). Measured against the ``now`` the gateway ticks with, such a stamp invents a silence while the readings
go on, or hides a real one for as long as the two clocks differ. The live gateway therefore gives each batch
the instant it heard it (:attr:`rules.kinds.base.Shared.heard`); replay and the warm-up judge history at the
readings' stamps, the only time they have.

A restart gives every silence its full limit again from the start, since the gateway's own downtime is no
silence, except a silence whose alarm was firing at the stop (:class:`Stop`): that one goes on from what it had
reached, so that the alarm stays firing until the thing is heard again. Restarting it too would resolve the alarm
for the length of its limit, a false all-clear while nothing was heard, and then fire it anew.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import rank

Key = tuple[str, str]  # (device, point): the device's own clock where the point is ""
Firing = Mapping[tuple[str, str, str], tuple[Level, float]]
"""The alerts firing at a restart, as the alert manager kept them: (rule, device, point): level, value shown."""


@dataclass(frozen=True)
class Stop:
    """What a restart knows of the stop: the last instant the warm-up judged (None: none) and the alerts the
    supervisors saw firing (the alert database's, which the warm-up may not have found again: nothing on the
    site reported between a silence passing its limit and the stop, so the history it replays ends before)."""

    until: float | None = None
    firing: Firing = field(default_factory=dict)

    def rule(self, rule: str, memory: LevelMemory) -> Carry:
        """How ``rule``'s silences go on after the restart: every alert of it still firing is held in ``memory``
        at its level, reported nowhere (the alert manager has it), so that a silence the warm-up found shorter,
        or not at all, neither resolves it nor lowers it while nothing is heard."""
        for (name, device, point), (level, _) in self.firing.items():
            if name == rule and rank(level) > rank(memory.get(device, point)):
                memory.due(device, point, level)
        return Carry(self, rule, memory)


@dataclass(frozen=True)
class Carry:
    """One silence rule's restart (:meth:`Stop.rule`)."""

    stop: Stop
    rule: str
    memory: LevelMemory

    def heard(self, device: str, point: str, at: float, now: float) -> float:
        """When ``(device, point)``, last heard at ``at``, counts as heard after the restart at ``now``: at ``now``
        (its full limit again) unless its alarm is firing. A firing silence goes on from the length it had
        reached by the warm-up's last instant, and at least the length its alert showed: the downtime is not
        counted, and nothing heard meanwhile clears it."""
        if self.memory.get(device, point) is None:
            return now
        until, shown = self.stop.until, self.stop.firing.get((self.rule, device, point))
        silent = max(0.0, until - at if until is not None else 0.0, shown[1] if shown is not None else 0.0)
        return now - silent


class HeardTimes:
    """When each key was last heard, on the clock :meth:`stepped` and the rules' ticks read."""

    def __init__(self) -> None:
        self._at: dict[Key, float] = {}

    def get(self, key: Key) -> float | None:
        """When ``key`` was last heard (None: never)."""
        return self._at.get(key)

    def hear(self, key: Key, at: float) -> None:
        """``key`` heard at ``at``: the latest time is kept (a late reading in replay moves no clock back)."""
        known = self._at.get(key)
        if known is None or at > known:
            self._at[key] = at

    def first(self, key: Key, at: float) -> None:
        """``key`` heard at ``at`` if never before (a clock that starts at the first reading only)."""
        self._at.setdefault(key, at)

    def start(self, key: Key, at: float) -> None:
        """``key``'s clock starts afresh at ``at`` (a pour begun, a space occupied again)."""
        self._at[key] = at

    def stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: the time it skipped or went back is no
        silence, so every time moves with it (never past ``now``: a reading heard by the new clock may have
        come before the step was noticed)."""
        self._at = {key: min(at + step_s, now) for key, at in self._at.items()}

    def restart(self, now: float, carry: Carry | None = None) -> None:
        """After a warm-up: the gateway's own downtime is no silence, so every clock restarts at ``now``, and
        only there (the warm-up judged its history at the readings' stamps, which a device's clock ahead of the
        gateway's puts after ``now``); a key whose alarm is firing goes on as ``carry`` says."""
        self._at = {key: now if carry is None else carry.heard(*key, at, now) for key, at in self._at.items()}


# a device's delivery jitter: a reading heard more than this after its place was held up on the way
LATE_S = 10.0
# a device heard at one steady lag this long is heard live: its offset is confirmed
SURE_S = 60.0
# a device heard later than its offset, at one steady lag, this long (3 readings at least) stepped its clock back
SETTLE_S = 300.0


class DeviceClock:
    """Where a device's readings lie on the gateway's clock, from their stamps, when they may come late: a gas
    detector's readings buffered while its link was down (an MQTT persistent session, a logger's backlog) are
    heard when it comes back, with the stamps of when they were taken.

    As vision/sources.py's ``StreamClock`` does for a camera's frames, the smallest ``heard - stamp`` seen is the
    device's clock offset plus its shortest delivery delay; a reading is placed at ``stamp + offset``, and never
    after it was heard (a reading is not in the gateway's future). A reading heard on time lies where it was
    heard; one held up lies where it was taken, not where it was heard.

    What fails safe: a reading placed too early seems older and seems taken before what came after it (a test
    before an exit, before the fan started), so a check fails that might have passed; placed too late it seems
    fresh and after things it came before, and a check passes on a test that does not count. So the estimate
    moves to an earlier place at once and to a later one only on evidence:

    - a reading heard sooner after its stamp than the offset says (the device's clock stepped forward, or the
      first readings seen were a backlog catching up) lowers the offset at once: the reading would otherwise be
      in the gateway's future;
    - readings heard later than the offset (by more than ``late_s``) are a backlog, unless they keep one steady lag
      for ``settle_s`` on the gateway's clock, three of them at least: only a device whose clock stepped back
      is heard that way (a backlog catches up, its lag shrinking at each reading, and ends with a reading on
      time). Until then its readings lie up to the step too early: safe;
    - a placement is ``sure`` only once the offset has held (within ``late_s``) for ``sure_s`` of readings heard:
      the first readings a gateway hears from a device, or the first after its clock stepped forward, may be a
      backlog arriving in a burst, which sets the offset to its own lag and so lies where it was heard.

    Replay and the warm-up have no heard time (``heard`` None): a reading lies at its stamp, sure."""

    def __init__(self, late_s: float = LATE_S, sure_s: float = SURE_S, settle_s: float = SETTLE_S) -> None:
        self._late_s, self._sure_s, self._settle_s = late_s, sure_s, settle_s
        self._offset: float | None = None  # the smallest heard - stamp since the estimate was last raised
        self._anchor = (0.0, 0.0)  # (offset, heard) when the estimate last moved by more than late_s
        # the readings heard late since the last on time: the first one's heard time, their lowest and highest lag,
        # how many
        self._run: tuple[float, float, float, int] | None = None

    def place(self, ts: float, heard: float | None) -> tuple[float, bool]:
        """The place on the gateway's clock of a reading stamped ``ts`` and heard at ``heard``, and whether it is
        sure (the device's offset confirmed by readings heard live)."""
        if heard is None:
            return ts, True
        lag, offset = heard - ts, self._offset
        if offset is None or lag < offset:
            self._lower(lag, heard)
        elif lag > offset + self._late_s:
            self._late(lag, heard)
        else:
            self._run = None  # heard on time: whatever came late before was a backlog, not a step
        assert self._offset is not None
        return min(ts + self._offset, heard), heard - self._anchor[1] >= self._sure_s

    def _lower(self, lag: float, heard: float) -> None:
        if self._offset is None or lag < self._anchor[0] - self._late_s:
            self._anchor = (lag, heard)  # a new offset: not sure until it holds
        self._offset, self._run = lag, None

    def _late(self, lag: float, heard: float) -> None:
        run = self._run
        if run is None or max(run[2], lag) - min(run[1], lag) > self._late_s:
            self._run = (heard, lag, lag, 1)  # a backlog catching up changes its lag at every reading
            return
        first, low, high, count = run[0], min(run[1], lag), max(run[2], lag), run[3] + 1
        if heard - first >= self._settle_s and count >= 3:
            self._offset, self._anchor, self._run = low, (low, first), None  # stepped back: follow it
        else:
            self._run = (first, low, high, count)

    def stepped(self, step_s: float, now: float) -> None:
        """The gateway's wall clock was stepped by ``step_s`` and reads ``now``: every reading is heard ``step_s``
        later after its stamp from now on, so the offset moves with it (the instants heard never past ``now``)."""
        if self._offset is not None:
            self._offset += step_s
        self._anchor = (self._anchor[0] + step_s, min(self._anchor[1] + step_s, now))
        if self._run is not None:
            first, low, high, count = self._run
            self._run = (min(first + step_s, now), low + step_s, high + step_s, count)
