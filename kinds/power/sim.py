"""The distribution box's simulator: a box's residual current, terminal and cabinet temperatures, RCD
state and fault-arc detector through a named scenario, deterministic for a seed.

normal: leakage 10–25 % of the RCD's rating, terminals a little above the air; insulation: leakage creeping
to 70 % of the rating over two minutes; rcd_fails: leakage past the rating from 30 s with the RCD staying
closed; trip: the RCD trips on a leak at 30 s (its load side then reads none); overheat: the L1 terminal
warming 0.1 ℃ a second from 30 s (a loose terminal); arc: two fault-arc alarms a minute apart; loose_terminal
(what the demo's main box plays, every fault within its first minute): the L1 terminal warming 1.5 ℃ a second
from 5 s to 76 ℃ (a rise, then the warning and alarm temperatures), fault arcs at 15-21 s and 30-36 s, the
RCD tripping at 40 s, and bridged at 50 s by someone keeping the power on (the protection switched off)."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.power.kind import RCD_BYPASSED, RCD_CLOSED, RCD_TRIPPED, TEMPS, TERMINAL_MA, PowerDevice

ONSET_S = 30.0  # when a scenario's fault begins
CREEP_S = 120.0  # insulation: how long the leakage takes to reach its plateau
HEAT_C_S = 0.1  # overheat: ℃ a second the loose terminal gains
ARCS_S = ((20.0, 22.0), (80.0, 82.0))  # arc: each alarm's first and last second
AIR_C = 28.0
# loose_terminal: when the terminal starts warming, how fast, to what; its arcs; the trip; the bridging
LOOSE_FROM_S, LOOSE_C_S, LOOSE_TOP_C = 5.0, 1.5, 76.0
LOOSE_ARCS_S = ((15.0, 21.0), (30.0, 36.0))  # each longer than a 5 s report interval: a report sees it
LOOSE_TRIP_S, LOOSE_BYPASS_S = 40.0, 50.0


class PowerSim:
    """One box's monitor, at simulated second ``t``."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, PowerDevice)
        # a sub box without an RCD: leakage on a terminal box's scale
        rcd = device.power.rcd
        self.rated = TERMINAL_MA if rcd is None else rcd[0]
        self.scenario = scenario
        self.seed = f"{seed}:{device.id}"

    def values(self, t: float) -> Mapping[str, float | str]:
        """The box's readings ``t`` seconds in, rounded as the monitor sends them."""
        rng = random.Random(f"{self.seed}:{int(t)}")
        share = 0.17 + 0.06 * math.sin(t / 90)  # a normal day's leakage, as the load comes and goes
        state = RCD_CLOSED
        if self.scenario == "insulation":
            share = min(0.7, share + 0.53 * max(0.0, t - ONSET_S) / CREEP_S)
        elif self.scenario in ("rcd_fails", "trip") and t >= ONSET_S:
            share = 1.2
            if self.scenario == "trip":
                state, share = RCD_TRIPPED, 0.0
        if self.scenario == "loose_terminal":
            return self._loose_terminal(t, rng)
        temps = {m: AIR_C + (0.0 if m == "temp_box_c" else 4.0) + rng.gauss(0.0, 0.2) for m in TEMPS}
        if self.scenario == "overheat":
            temps["temp_l1_c"] += HEAT_C_S * max(0.0, t - ONSET_S)
        arcing = self.scenario == "arc" and any(a <= t <= b for a, b in ARCS_S)
        out: dict[str, float | str] = {
            "leakage_ma": round(max(0.0, self.rated * share + rng.gauss(0.0, 0.2)), 1),
            "rcd_state": float(state),
            "arc_alarm": 1.0 if arcing else 0.0,
            "door_state": 0.0,
        }
        out.update({m: round(v, 1) for m, v in temps.items()})
        return out

    def _loose_terminal(self, t: float, rng: random.Random) -> Mapping[str, float | str]:
        """A main box's bad morning: a loose L1 terminal heats and arcs, the RCD trips, then is bridged."""
        temps = {m: AIR_C + (0.0 if m == "temp_box_c" else 4.0) + rng.gauss(0.0, 0.2) for m in TEMPS}
        temps["temp_l1_c"] = min(LOOSE_TOP_C, temps["temp_l1_c"] + LOOSE_C_S * max(0.0, t - LOOSE_FROM_S))
        state, share = RCD_CLOSED, 0.17
        if LOOSE_TRIP_S <= t < LOOSE_BYPASS_S:
            state, share = RCD_TRIPPED, 0.0
        elif t >= LOOSE_BYPASS_S:
            state = RCD_BYPASSED
        out: dict[str, float | str] = {
            "leakage_ma": round(max(0.0, self.rated * share + rng.gauss(0.0, 0.2)), 1),
            "rcd_state": float(state),
            "arc_alarm": 1.0 if any(a <= t <= b for a, b in LOOSE_ARCS_S) else 0.0,
            "door_state": 0.0,
        }
        out.update({m: round(v, 1) for m, v in temps.items()})
        return out
