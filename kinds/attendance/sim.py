"""Real-name access gate simulator (实名制闸机): a site's day of entries and exits, published over
MQTT as the access_gate profile reads them.

Each passage is one message on ``{prefix}/passages``:
``{"ts": "2026-11-22T08:01:12+08:00", "person_id": "KP-01", "direction": "in", "gate": "东门"}``.
The day follows a schedule on a simulated clock (drivers/simulators/sim_clock.py's :class:`SimClock`):
it starts ``history_hours`` ago and runs ``time_scale`` times real time until it reaches the
present, then follows real time, so no ``ts`` is ever in the future. Offsets below are from the
start of that clock:

- from 20 s the anonymous workers (W-0001 ...) come in, ~15 s apart; each takes one break later
  in the day (out, back 10-20 min later);
- from 60 s the key people come in, 30 s apart, in roster order;
- ``normal``: after ``officer_leaves_after_s`` (45 min) one safety officer leaves for the day,
  the last of the roster's, and only while another safety officer stays on site;
- ``pm_absent``: as normal, and the project manager (role project_manager) leaves after
  ``pm_leaves_after_s`` (20 min) and never comes back.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.personnel import KeyPerson
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from drivers.simulators.sim_clock import SimClock, site_time
from kinds.attendance.kind import PRESENCE

log = logging.getLogger(__name__)

WORKERS_FROM_S = 20.0
WORKER_GAP_S = 15.0
KEY_FROM_S = 60.0
KEY_GAP_S = 30.0
DAY_S = 10 * 3600.0  # worker breaks fall within a working day
BREAK_S = (600.0, 1200.0)


class GateScenario(StrEnum):
    """What the simulated gate sees (see the module docstring)."""

    NORMAL = "normal"
    PM_ABSENT = "pm_absent"


@dataclass(frozen=True, slots=True)
class Passage:
    """One person through the gate, at an offset (s) from the start of the simulated clock."""

    at_s: float
    person_id: str
    direction: str  # "in" or "out"


def gate_schedule(
    roster: Sequence[KeyPerson],
    scenario: GateScenario | str = GateScenario.NORMAL,
    *,
    workers: int = 12,
    seed: int = 1,
    officer_leaves_after_s: float = 2700.0,
    pm_leaves_after_s: float = 1200.0,
    booked: Sequence[str] = (),
) -> list[Passage]:
    """The day's passages in time order (deterministic for a seed); ``booked``: the special-operations
    workers of the roster, who come in after the key people (their certificates are checked at the gate)."""
    scenario = GateScenario(scenario)
    rng = random.Random(seed)
    out: list[Passage] = []
    for n in range(workers):
        person = f"W-{n + 1:04d}"
        came = WORKERS_FROM_S + n * WORKER_GAP_S + rng.uniform(-5.0, 5.0)
        out.append(Passage(came, person, "in"))
        away = rng.uniform(came + 1800.0, DAY_S - BREAK_S[1])
        out.append(Passage(away, person, "out"))
        out.append(Passage(away + rng.uniform(*BREAK_S), person, "in"))
    for n, kp in enumerate(roster):
        out.append(Passage(KEY_FROM_S + n * KEY_GAP_S, kp.id, "in"))
    for n, worker in enumerate(booked):
        out.append(Passage(KEY_FROM_S + (len(roster) + n) * KEY_GAP_S, worker, "in"))
    officers = [kp for kp in roster if kp.role == "safety_officer"]
    if len(officers) >= 2:  # the one who stays keeps the post covered
        leaver = officers[-1]
        out.append(Passage(max(officer_leaves_after_s, _entered(out, leaver.id) + 1.0), leaver.id, "out"))
    if scenario is GateScenario.PM_ABSENT:
        for kp in roster:
            if kp.role == "project_manager":
                out.append(Passage(max(pm_leaves_after_s, _entered(out, kp.id) + 1.0), kp.id, "out"))
    return sorted(out, key=lambda p: p.at_s)


def _entered(passages: list[Passage], person_id: str) -> float:
    return next(p.at_s for p in passages if p.person_id == person_id and p.direction == "in")


class AccessGateSimulator(MqttJsonSimulator):
    """Publishes a site gate's passages: the key-personnel ``roster`` and ``workers`` anonymous workers."""

    kind = "gate"

    def __init__(
        self,
        roster: Sequence[KeyPerson],
        host: str,
        port: int,
        topic_prefix: str,
        *,
        scenario: GateScenario | str = GateScenario.NORMAL,
        workers: int = 12,
        time_scale: float = 1.0,
        history_hours: float = 0.0,
        seed: int = 1,
        gate: str = "东门",
        officer_leaves_after_s: float = 2700.0,
        pm_leaves_after_s: float = 1200.0,
        username: str = "",
        password: str = "",
        client_id: str = "",
    ) -> None:
        if time_scale <= 0:
            raise ValueError(
                f"time_scale must be above 0 (simulated seconds per real second), got {time_scale}"
            )
        if history_hours < 0:
            raise ValueError(f"history_hours must be 0 or more, got {history_hours}")
        super().__init__(host, port, username=username, password=password, client_id=client_id)
        self.roster = list(roster)
        self.prefix = topic_prefix.rstrip("/")
        self.scenario = GateScenario(scenario)
        self.time_scale = time_scale
        self.history_s = history_hours * 3600.0
        self.gate = gate
        self.schedule = gate_schedule(
            self.roster,
            self.scenario,
            workers=workers,
            seed=seed,
            officer_leaves_after_s=officer_leaves_after_s,
            pm_leaves_after_s=pm_leaves_after_s,
        )
        self.clock: SimClock | None = None
        self.sent: list[Passage] = []  # what was published, in order

    @property
    def topic(self) -> str:
        """Where the passages go."""
        return f"{self.prefix}/passages"

    def on_site(self) -> set[str]:
        """Who is inside by the passages published so far."""
        inside: set[str] = set()
        for p in self.sent:
            if p.direction == "in":
                inside.add(p.person_id)
            else:
                inside.discard(p.person_id)
        return inside

    def _on_connected(self) -> None:
        self.clock = SimClock(self.time_scale, self.history_s)
        log.info(
            "access gate simulator: %d key people, %d passages to %s:%d on %s, scenario %s",
            len(self.roster),
            len(self.schedule),
            self.host,
            self.port,
            self.topic,
            self.scenario.value,
        )

    async def _publish_loop(self) -> None:
        assert self.clock is not None
        clock, pending = self.clock, list(self.schedule)
        while True:
            now = clock.now()
            while pending and clock.start + pending[0].at_s <= now:
                p = pending.pop(0)
                body = {
                    "ts": site_time(clock.start + p.at_s),
                    "person_id": p.person_id,
                    "direction": p.direction,
                    "gate": self.gate,
                }
                self.publish_json(self.topic, body)
                self.sent.append(p)
            # wake for the next passage, but at least every second so stop() is prompt
            wait = clock.real_wait(clock.start + pending[0].at_s) if pending else 1.0
            await asyncio.sleep(min(wait, 1.0))


class GateSim:
    """The access gates of a site file as a DeviceSim (drivers/simulators/device_sim.py): everyone's
    presence ``t`` seconds into the day's schedule (``on_site@person``, 1 in and 0 out)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        booked = [op.id for op in site.config.operators if op.trade is not None]
        self.schedule = gate_schedule(site.config.key_personnel, scenario, seed=seed, booked=booked)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Each person seen by ``t``, with their last passage."""
        return {
            f"{PRESENCE}@{p.person_id}": 1.0 if p.direction == "in" else 0.0
            for p in self.schedule
            if p.at_s <= t
        }
