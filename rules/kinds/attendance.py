"""The access gates' judge: each passage tells the key-personnel rules who is on site (those rules are
site-wide: they also hear of the cranes', hoists' and pours' work, and are ticked by the engine)."""

from __future__ import annotations

import functools

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.kinds.attendance import PRESENCE
from contract.readings import Reading
from rules import personnel_sample
from rules.kinds.base import Judge
from rules.result import RuleResult
from rules.routes import Route


class AttendanceJudge(Judge):
    """The site's access gates."""

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """Each key person's last passage."""
        return personnel_sample.history_s(site)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        return Route(self._passage) if metric == PRESENCE else None

    def _passage(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        if self.shared.personnel is not None and r.point:
            self.shared.personnel.passage(r.point, value, r.ts)
        if r.point in self._key_people:
            return r, []
        # anyone else's passage is the gate's one series: a series per person grew without bound (100,000
        # ids published to the gate's topic took 170 MB and an 11 MB /api/v1/readings/latest)
        return Reading(r.ts, r.project, r.device, r.metric, r.value, r.unit, r.quality), []

    @functools.cached_property
    def _key_people(self) -> frozenset[str]:
        """The key people's ids (the site file's roster): their passages stay a series per person, from which
        a restarted gateway learns who is on site."""
        return frozenset(p.id for p in self.shared.config.key_personnel)
