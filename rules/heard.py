"""When a silence rule last heard each thing it watches (a formwork point, a tunnel point or system, a confined
space's gas detector, a pour's or an occupancy's start), on the gateway's own clock: the one clock a silence is
measured on, as device.offline measures a device's (rules/device_offline.py).

A reading's own stamp is its device's clock, which may run ahead of the gateway's or behind it, or step at
another moment than the gateway's (a device corrected by NTP before the gateway, a reading in flight across a
step). Measured against the ``now`` the gateway ticks with, such a stamp invents a silence while the readings
go on, or hides a real one for as long as the two clocks differ. The live gateway therefore gives each batch
the instant it heard it (:attr:`rules.kinds.base.Shared.heard`); replay and the warm-up judge history at the
readings' stamps, the only time they have.
"""

from __future__ import annotations

Key = tuple[str, str]  # (device, point): the device's own clock where the point is ""


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

    def restart(self, now: float) -> None:
        """After a warm-up: the gateway's own downtime is no silence, so every clock restarts at ``now``, and
        only there: the warm-up judged its history at the readings' stamps, which a device's clock ahead of
        the gateway's puts after ``now``."""
        self._at = dict.fromkeys(self._at, now)
