"""Confined-space simulator (有限空间): a sewage pit's morning of work as its monitor reports it, for any
transport its profile maps (MQTT: each person's badge at the manhole and the attendant's at the entrance;
Modbus: the entry sensor and the attendant's presence switch, which name nobody).

The morning, in seconds from the start (``normal``): the fan starts at 0; the detector reports from 20 s
(oxygen 20.8-21.0 % vol, combustible gas 0-2 % LEL, H2S 0-1.5 ppm, CO 0-5 ppm: noise well within every
limit); the attendant JH-01 takes the entrance at 30 s; W-0001 goes in at 60 s and W-0002 at 90 s; both
come out at 3600 s for a 10-minute break (no new test needed, and the detector goes on) and go back in
at 4200 s until 7200 s. Each other scenario is that morning with one thing wrong:

- ``no_ventilation``: the fan never runs (entry critical at 60 s: 先通风、再检测、后作业 not followed);
- ``h2s_rise``: H2S climbs from 300 s to 12 ppm (17 mg/m³) at 420 s and stays; the workers come out at
  480 s (gas critical from ~360 s, when 7.1 ppm = 10 mg/m³ is passed);
- ``detector_silent``: the detector reports nothing from 300 s to 600 s with the workers inside;
- ``attendant_away``: the attendant leaves the entrance at 300 s and is back at 600 s.

Over MQTT each badge read at the manhole is sent once, in the report after the passage (as a reader sends
it), so the latest ``inside`` reading of a person is when they went in or came out; the entrance's reader
sends the attendant's leaving once and re-sends the attendant at the post with every report, so that the
gateway hears it alive (``confined_space.reader_silent_s``); over Modbus the entry sensor and the
attendant's switch are states read at every poll.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from enum import StrEnum

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.transport import MqttTransport
from drivers.simulators.device_sim import DeviceSim
from kinds.confined_space.kind import ATTENDANT, FAN, INSIDE, LEL, O2

WORKERS = (("W-0001", 60.0), ("W-0002", 90.0))
ATTENDANT_ID = "JH-01"
DETECTOR_FROM_S = 20.0
POST_FROM_S = 30.0
SHIFTS = (
    (0.0, 3600.0),
    (4200.0, 7200.0),
)  # inside from each worker's arrival (first) or the start, to the end
H2S_RISE = (300.0, 420.0, 12.0)  # from, to, ppm reached
TROUBLE = (300.0, 600.0)  # the detector's silence, the attendant's absence
EVACUATED_AT_S = 480.0


class ConfinedScenario(StrEnum):
    """What the simulated morning does (see the module docstring)."""

    NORMAL = "normal"
    NO_VENTILATION = "no_ventilation"
    H2S_RISE = "h2s_rise"
    DETECTOR_SILENT = "detector_silent"
    ATTENDANT_AWAY = "attendant_away"


class ConfinedSpaceSim:
    """A confined space of a site file as a DeviceSim (drivers/simulators/device_sim.py)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        self.scenario = ConfinedScenario(scenario)
        self.named = isinstance(device.transport, MqttTransport)  # badges name people; Modbus sensors do not
        self.interval_s = device.poll_interval_s
        self._asked: float | None = None  # the last instant reported: passages since then are sent
        self._rng = random.Random(seed)

    def inside(self, person_from: float, t: float) -> bool:
        """Whether a worker who first arrives at ``person_from`` is inside at ``t``."""
        if t < person_from:
            return False
        if self.scenario is ConfinedScenario.H2S_RISE and t >= EVACUATED_AT_S:
            return False
        (first_end, second_from, second_end) = (SHIFTS[0][1], *SHIFTS[1])
        return t < first_end or second_from <= t < second_end

    def h2s_ppm(self, t: float) -> float:
        """H2S at ``t``: noise, or the scenario's rise."""
        noise = self._rng.uniform(0.0, 1.5)
        start, top, ppm = H2S_RISE
        if self.scenario is not ConfinedScenario.H2S_RISE or t < start:
            return round(noise, 1)
        return round(max(noise, ppm * min(1.0, (t - start) / (top - start))), 1)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every value at second ``t``: ``metric@person`` for badges (MQTT), the sensors' points otherwise."""
        out: dict[str, float | str] = {FAN: 0.0 if self.scenario is ConfinedScenario.NO_VENTILATION else 1.0}
        silent = self.scenario is ConfinedScenario.DETECTOR_SILENT and TROUBLE[0] <= t < TROUBLE[1]
        if t >= DETECTOR_FROM_S and not silent:
            rng = self._rng
            out[O2] = round(rng.uniform(20.8, 21.0), 2)
            out[LEL] = round(rng.uniform(0.0, 2.0), 1)
            out["h2s_ppm"] = self.h2s_ppm(t)
            out["co_ppm"] = float(rng.randint(0, 5))
        if self.named:
            # a badge reader sends each passage once: in the report that follows it (since the last report,
            # however late the publisher came; a first report looks back one interval)
            before = self._asked if self._asked is not None and self._asked < t else t - self.interval_s
            self._asked = t
            for person, arrives in WORKERS:
                if self.inside(arrives, t) != self.inside(arrives, before):
                    out[f"{INSIDE}@{person}"] = 1.0 if self.inside(arrives, t) else 0.0
            # the entrance's reader re-sends the attendant at the post with every report (heard alive by it)
            if self.at_post(t) or self.at_post(before):
                out[f"{ATTENDANT}@{ATTENDANT_ID}"] = 1.0 if self.at_post(t) else 0.0
        else:  # the entry sensor and the presence switch are states, read at every poll
            out[f"{INSIDE}@entry"] = 1.0 if any(self.inside(a, t) for _, a in WORKERS) else 0.0
            out[f"{ATTENDANT}@post"] = 1.0 if self.at_post(t) else 0.0
        return out

    def at_post(self, t: float) -> bool:
        """Whether the attendant is at the entrance at ``t``."""
        away = self.scenario is ConfinedScenario.ATTENDANT_AWAY and TROUBLE[0] <= t < TROUBLE[1]
        return t >= POST_FROM_S and not away


class TimeScaled:
    """A DeviceSim played ``scale`` times faster than real time (the demo's morning in minutes): published
    every ``interval / scale`` real seconds, it reports as the device would every ``interval`` of its own."""

    def __init__(self, sim: DeviceSim, scale: float) -> None:
        if scale <= 0:
            raise ValueError(f"scale must be above 0, got {scale}")
        self.sim, self.scale = sim, scale

    def values(self, t: float) -> Mapping[str, float | str]:
        """The simulated device's values ``t`` real seconds in."""
        return self.sim.values(t * self.scale)
