"""The site's weather as every rule shares it: the stops in force (from the weather stations' rules and
the warning signals), the signals the gateway hands over, and the work that goes on against a stop.

One per engine, on ``Shared.weather``, whether or not the site has a weather station: a warning signal
stops work on a site without one. It hears of work through ``Shared.on_work``; the verdicts that work
makes wait in :attr:`pending` until the engine takes them (after each sample), since a work listener
returns nothing; the engine also tells it of every sample of a machine whose work is an alert
(:meth:`sample_seen`), since a sample without work is how a machine says it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contract.config.rules import WeatherRule
from contract.config.site import SiteConfig
from contract.kinds import registry
from contract.weather import WarningSignal
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.weather_warning import WeatherWarnings
from rules.weather_work import WeatherWork


class SiteWeather:
    """Stops, signals and work against them, for one site."""

    def __init__(self, config: SiteConfig) -> None:
        self.cfg: WeatherRule = config.rules.weather
        self.stops = WeatherStops()
        self.warnings = WeatherWarnings()
        self.work = WeatherWork()
        # each device's kind's stops: the machines whose work this rule watches
        self._obeys = {d.id: frozenset(registry.get(d.kind).weather_stops) for d in config.devices}
        self.pending: list[RuleResult] = []

    def families(self) -> Iterable[object]:
        """Its rule objects, for re-arming after a warm-up."""
        return (self.warnings, self.work)

    def set_warnings(self, signals: Sequence[WarningSignal]) -> None:
        """The signals the site knows now (judged at the next tick)."""
        self.warnings.replace(signals)

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """A machine reported work (a ``Shared.on_work`` listener)."""
        obeys = self._obeys.get(device)
        if not obeys:
            return  # a kind that obeys no weather stop
        if not self.stops.any and self.work.quiet(device):
            return  # a fine day and no alert to end: a crane reports work at every loaded sample
        found = self.work.work(device, what, obeys, self.stops, ts)
        if found is not None:
            self.pending.append(found)

    def unproven(self, device: str, ts: float) -> None:
        """A sample of ``device`` that proves neither work nor rest (rules/weather_work.py)."""
        if self.work.firing:
            self.work.unproven(device, ts)

    def drain(self) -> list[RuleResult]:
        """The verdicts work made since the last drain."""
        out, self.pending = self.pending, []
        return out

    def tick(self, now: float) -> list[RuleResult]:
        """The signals at ``now``, and the machines no longer at work or no longer under a stop."""
        out = self.warnings.tick(now, self.stops)
        out.extend(self.work.tick(now, self._obeys, self.stops))
        return out

    def sample_seen(self, device: str, ts: float) -> list[RuleResult]:
        """A sample of ``device``, whose work is a weather.work alert: whether it has stopped working."""
        found = self.work.sample_seen(device, ts, self.cfg, self.stops)
        return [] if found is None else [found]
