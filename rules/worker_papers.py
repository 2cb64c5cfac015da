"""The certificates of the certified workers (crane operators, hoist drivers) a machine reports logged in:
personnel.certificate on that machine, judged at the first sighting and once a day after
(rules/personnel_certificate.py). A worker never seen at work is listed on the dashboard's papers panel
only: the certificate matters to the site while its holder works there."""

from __future__ import annotations

from datetime import date

from contract.config.crane import Operator
from rules.personnel_certificate import PersonnelCertificate
from rules.result import RuleResult
from rules.site_day import SiteDay


class WorkerPapers:
    """Each roster worker's certificate, from the day a machine reports them logged in."""

    def __init__(self, roster: list[Operator], renewal_d: int, utc_offset_h: float) -> None:
        self._roster = {op.id: op for op in roster}
        self._renewal_d = renewal_d  # days before expiry from which a certificate is due for renewal
        self._day = SiteDay(utc_offset_h)  # the site's date at a tick
        self.certificate = PersonnelCertificate()
        self._seen: dict[str, str] = {}  # worker id -> the machine that last reported them
        self._new: set[str] = set()  # seen since the last tick, not judged yet
        self._checked_on: date | None = None

    def seen(self, device: str, worker_id: str, ts: float) -> None:
        """``device`` reports ``worker_id`` logged in (an id off the roster is the operator rules' case)."""
        if worker_id in self._roster and self._seen.get(worker_id) != device:
            self._seen[worker_id] = device
            self._new.add(worker_id)

    def tick(self, now: float) -> list[RuleResult]:
        """The verdicts reached by ``now``: the workers seen since the last tick, every seen one daily."""
        if not self._seen:
            return []
        today = self._day.of(now)
        if today == self._checked_on and not self._new:
            return []  # nobody new since the day's check
        due = set(self._seen) if today != self._checked_on else self._new
        self._checked_on, self._new = today, set()
        out = []
        for worker in sorted(due):
            found = self.certificate.evaluate_worker(
                self._seen[worker], self._roster[worker], self._renewal_d, today, now
            )
            if found is not None:
                out.append(found)
        return out
