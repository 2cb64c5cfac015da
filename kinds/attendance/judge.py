"""The access gates' judge: each passage tells the key-personnel rules who is on site (those rules are
site-wide: they also hear of the cranes', hoists' and pours' work, and are ticked by the engine), has
a special-operations worker's certificate judged for the trade they are booked for
(kinds/attendance/trade_certificate.py), and is told to the other kinds' rules that listen for passages
(``Shared.on_passage``: a distribution box's door and the electricians on site, kinds/power/door.py)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.readings import Reading
from kinds.attendance.kind import PRESENCE
from kinds.attendance.trade_certificate import TradeCertificate
from kinds.crane.kind import CraneDevice
from rules import personnel_sample
from rules.install_window import install_rules
from rules.kinds.base import LOADED_T, Judge, Shared
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route


class AttendanceJudge(Judge):
    """The site's access gates."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        config = shared.config
        self.trades = TradeCertificate(
            devices[0].id, config.operators, config.rules.personnel.renewal_warning_d, shared.utc_offset_h
        )
        self._install = install_rules(shared)  # an 安拆 crew and supervisor come in through the gates

    def families(self) -> Iterable[object]:
        return (self.trades, self._install)

    def tick(self, now: float) -> list[RuleResult]:
        return self.trades.tick(now) + self._install.tick(now)

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """Each key person's last passage."""
        return personnel_sample.history_s(site)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        return Route(self._passage) if metric == PRESENCE else None

    def _passage(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        if self.shared.personnel is not None and r.point:
            self.shared.personnel.passage(r.point, value, r.ts)
        if r.point:  # the fire watches of hot-work permits are anyone (docs/standards.md §18)
            self.shared.hot_work.passage(r.point, value, r.ts)
        entered = value >= 0.5
        found = self.trades.passage(self.shared.names[r.device], r.point, entered, r.ts)
        verdicts = [*([] if found is None else [found]), *self._install.passage(r.point, entered, r.ts)]
        if r.point:  # a rule of another kind that needs who is on site (a box's door: its electricians)
            verdicts += self.shared.passage_seen(r.point, entered, r.ts, backfill)
        if r.point in self._key_people:
            return r, verdicts
        # anyone else's passage is the gate's one series: a series per person grew without bound (100,000
        # ids published to the gate's topic took 170 MB and an 11 MB /api/v1/readings/latest)
        return Reading(r.ts, r.project, r.device, r.metric, r.value, r.unit, r.quality), verdicts

    @functools.cached_property
    def _key_people(self) -> frozenset[str]:
        """The key people's ids (the site file's roster) and those whose presence another kind's rule needs
        (``Shared.people_kept``: the electricians a box's door is judged against): their passages stay a series
        per person, from which a restarted gateway learns who is on site. Worked out at the first passage,
        once every judge has said whom it needs."""
        return frozenset(p.id for p in self.shared.config.key_personnel) | self.shared.people_kept

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The project manager absent while the site's first crane lifts (a safety officer in), until the
        hook has been empty for the work hold; a key person's certificate past its last valid day, at
        their next passage (it clears only when the site file names a valid one)."""
        cfg, config = self.shared.config.rules.personnel, self.shared.config
        found: list[Probe] = []
        cranes = [d for d in config.devices if isinstance(d, CraneDevice)]
        officers = [p for p in config.key_personnel if p.role == "safety_officer"]
        if cranes and officers and any(p.role == "project_manager" for p in config.key_personnel):
            crane = cranes[0]
            found.append(
                Probe(
                    "personnel.absent",
                    crane.id,
                    "load_t",
                    context={"radius_m": crane.crane.load_chart[0].radius_m},
                    setup=((dev.id, officers[0].id, {PRESENCE: 1.0}),),
                    interval_s=60.0,
                    beyond=(LOADED_T * 5,),
                    clear=0.0,
                    fire_after_s=cfg.absent_grace_min * 60,
                    clear_after_s=cfg.active_hold_s,  # the work hold after the crane says it is at rest
                    alert=(dev.id, "project_manager"),
                )
            )
        managers = [p for p in config.key_personnel if p.role == "project_manager"]
        if managers:
            # away from a month's first working morning (its count restarts each month, so the probe
            # stays within one); back, the share is above the limit and its band once present more than
            # four and a half times as long as away
            tz = timezone(timedelta(hours=self.shared.utc_offset_h))
            day_s, share = (cfg.work_hours[1] - cfg.work_hours[0]) * 3600, cfg.month_share_warning
            found.append(
                Probe(
                    "personnel.attendance",
                    dev.id,
                    PRESENCE,
                    point=managers[0].id,
                    interval_s=1800.0,
                    beyond=(0.0,),
                    clear=1.0,
                    start=datetime(2026, 11, 2, cfg.work_hours[0], tzinfo=tz).timestamp(),
                    fire_after_s=86400.0,  # a full working day counted
                    # a day's absence needs more than share / (1 - share) days' presence (4 at 80 %)
                    clear_after_s=86400.0 * (day_s / 86400) * share / (1 - share),
                    clear_per_beyond=1.5 * (share + 0.02) / (1 - share - 0.02),
                    alert=(dev.id, "project_manager"),
                )
            )
        dated = [p for p in config.key_personnel if p.certificate_valid_until is not None]
        if dated:
            person = min(dated, key=lambda p: p.certificate_valid_until or date.max)
            assert person.certificate_valid_until is not None
            day_after = person.certificate_valid_until + timedelta(days=1)
            noon = datetime.combine(day_after, time(12), timezone(timedelta(hours=self.shared.utc_offset_h)))
            found.append(
                Probe(
                    "personnel.certificate",
                    dev.id,
                    PRESENCE,
                    point=person.id,
                    interval_s=600.0,
                    beyond=(1.0, 0.0),
                    clear=0.0,
                    latched=True,
                    start=noon.timestamp(),
                    alert=(dev.id, person.id),
                )
            )
        found.extend(self._trade_probes(dev))
        return found

    def _trade_probes(self, dev: DeviceConfig) -> list[Probe]:
        """A booked worker whose certificate lapsed (the one that lapsed first) entering from noon of the
        day after its expiry day, until they leave."""
        booked = [op for op in self.shared.config.operators if op.trade is not None and op.valid_until]
        if not booked:
            return []
        worker = min(booked, key=lambda op: op.valid_until or date.max)
        assert worker.valid_until is not None
        day_after = worker.valid_until + timedelta(days=1)
        noon = datetime.combine(day_after, time(12), timezone(timedelta(hours=self.shared.utc_offset_h)))
        return [
            Probe(
                "personnel.trade_certificate",
                dev.id,
                PRESENCE,
                point=worker.id,
                interval_s=600.0,
                beyond=(1.0,),
                clear=0.0,
                start=noon.timestamp(),
                alert=(self.trades.device, worker.id),
            )
        ]
