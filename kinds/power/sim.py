"""The distribution box's simulator: a box's residual current, terminal and cabinet temperatures, RCD
state and its test, fault-arc detector and, for a box feeding lighting, the lighting circuit's voltage,
through a named scenario, deterministic for a seed.

normal: leakage 10–25 % of the RCD's rating, terminals a little above the air, the morning's test trip (试跳)
at 60-70 s of each day (the RCD tripped with the test flag, then closed), lighting at two thirds of its safe
voltage (24 V under 36 V; 220 V mains where it is not judged); untested: normal without the test (the RCD's
test overdue once its interval has passed); rcd_test_fails: the test at 30 s does not trip the RCD (the
monitor holds the failed result); mains_lighting: the lighting circuit at 220 V from 30 s (a mains lamp on
it, its transformer bridged); insulation: leakage creeping
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
from kinds.power.kind import (
    RCD_BYPASSED,
    RCD_CLOSED,
    RCD_TRIPPED,
    TEMPS,
    TERMINAL_MA,
    TEST_FAILED,
    TEST_NONE,
    TEST_PASSED,
    PowerDevice,
)

ONSET_S = 30.0  # when a scenario's fault begins
CREEP_S = 120.0  # insulation: how long the leakage takes to reach its plateau
HEAT_C_S = 0.1  # overheat: ℃ a second the loose terminal gains
ARCS_S = ((20.0, 22.0), (80.0, 82.0))  # arc: each alarm's first and last second
AIR_C = 28.0
# loose_terminal: when the terminal starts warming, how fast, to what; its arcs; the trip; the bridging
LOOSE_FROM_S, LOOSE_C_S, LOOSE_TOP_C = 5.0, 1.5, 76.0
LOOSE_ARCS_S = ((15.0, 21.0), (30.0, 36.0))  # each longer than a 5 s report interval: a report sees it
LOOSE_TRIP_S, LOOSE_BYPASS_S = 40.0, 50.0
DAY_S = 86400.0
TEST_S = (60.0, 70.0)  # normal: each day's test trip, from the test button to the RCD closed again on site
LIGHT_SHARE = 2 / 3  # a lighting circuit's share of its safe voltage: 24 V under 36 V
MAINS_V = 220.0


class PowerSim:
    """One box's monitor, at simulated second ``t``."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, PowerDevice)
        # a sub box without an RCD: leakage on a terminal box's scale
        rcd = device.power.rcd
        self.rated = TERMINAL_MA if rcd is None else rcd[0]
        # the lighting it feeds: on SELV where judged, on the mains elsewhere; none, nothing to report
        safe_v = device.power.safe_lighting_v
        self.lighting_v = (
            None if not device.power.lighting else MAINS_V if safe_v is None else safe_v * LIGHT_SHARE
        )
        self.scenario = scenario
        self.seed = f"{seed}:{device.id}"

    def values(self, t: float) -> Mapping[str, float | str]:
        """The box's readings ``t`` seconds in, rounded as the monitor sends them."""
        rng = random.Random(f"{self.seed}:{int(t)}")
        share = 0.17 + 0.06 * math.sin(t / 90)  # a normal day's leakage, as the load comes and goes
        state, test = RCD_CLOSED, TEST_NONE
        if self.scenario == "insulation":
            share = min(0.7, share + 0.53 * max(0.0, t - ONSET_S) / CREEP_S)
        elif self.scenario in ("rcd_fails", "trip") and t >= ONSET_S:
            share = 1.2
            if self.scenario == "trip":
                state, share = RCD_TRIPPED, 0.0
        elif self.scenario == "normal" and TEST_S[0] <= t % DAY_S < TEST_S[1]:
            state, share, test = RCD_TRIPPED, 0.0, TEST_PASSED  # the flag reported with the trip it caused
        elif self.scenario == "rcd_test_fails" and t >= ONSET_S:
            test = TEST_FAILED
        if self.scenario == "loose_terminal":
            return self._loose_terminal(t, rng)
        temps = {m: AIR_C + (0.0 if m == "temp_box_c" else 4.0) + rng.gauss(0.0, 0.2) for m in TEMPS}
        if self.scenario == "overheat":
            temps["temp_l1_c"] += HEAT_C_S * max(0.0, t - ONSET_S)
        arcing = self.scenario == "arc" and any(a <= t <= b for a, b in ARCS_S)
        out: dict[str, float | str] = {
            "leakage_ma": round(max(0.0, self.rated * share + rng.gauss(0.0, 0.2)), 1),
            "rcd_state": float(state),
            "rcd_test": float(test),
            "arc_alarm": 1.0 if arcing else 0.0,
            "door_state": 0.0,
        }
        out.update({m: round(v, 1) for m, v in temps.items()})
        out.update(self._lighting(t, rng))
        return out

    def _lighting(self, t: float, rng: random.Random) -> Mapping[str, float]:
        """The lighting circuit's voltage, for a box that feeds one: its own, or the mains from the onset in
        mains_lighting."""
        if self.lighting_v is None:
            return {}
        volts = MAINS_V if self.scenario == "mains_lighting" and t >= ONSET_S else self.lighting_v
        return {"lighting_v": round(volts + rng.gauss(0.0, 0.1), 1)}

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
            "rcd_test": float(TEST_NONE),
            "arc_alarm": 1.0 if any(a <= t <= b for a, b in LOOSE_ARCS_S) else 0.0,
            "door_state": 0.0,
        }
        out.update({m: round(v, 1) for m, v in temps.items()})
        out.update(self._lighting(t, rng))
        return out
