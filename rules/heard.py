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
