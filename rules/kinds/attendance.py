"""The access gates' judge: each passage tells the key-personnel rules who is on site (those rules are
site-wide: they also hear of the cranes', hoists' and pours' work, and are ticked by the engine)."""

from __future__ import annotations

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
        if self.shared.personnel is not None:
            self.shared.personnel.passage(r.point, value, r.ts)
        return r, []
