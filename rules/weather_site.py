"""The site's weather as every rule shares it: the stops in force (from the weather stations' rules and
the warning signals), the signals the gateway hands over, and the work that goes on against a stop.

One per engine, on ``Shared.weather``, whether or not the site has a weather station: a warning signal
stops work on a site without one. It hears of work through ``Shared.on_work``; the verdicts that work
makes wait in :attr:`pending` until the engine takes them (after each sample), since a work listener
returns nothing; the engine also tells it of every sample of a machine whose work is an alert
(:meth:`sample_seen`), since a sample without work is how a machine says it stopped.

A machine's jacking or 安拆 window (:meth:`window`) is erection work for as long as it is open, whatever its
samples show (the climbing gear is no reading): the machine obeys the erection stop then, so a window open
while wind above 9.0 m/s at a station, heavy rain, lightning or a warning signal holds that stop is weather.work's
critical (GB 55034-2022 §3.4.7; 建质规〔2024〕5号 第十五条(二): erection in thunderstorm, snow, fog or strong wind;
standards.md §10, §12), judged at each tick until the window closes or the stop is released.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contract.config.rules import WeatherRule
from contract.config.site import SiteConfig
from contract.kinds import registry
from contract.weather import Stop, WarningSignal
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.weather_warning import WeatherWarnings
from rules.weather_work import WeatherWork
from rules.work_watcher import WorkWatcher

ERECTION: Stop = "erection"  # the stop an open jacking or 安拆 window obeys


class SiteWeather(WorkWatcher):
    """Stops, signals and work against them, for one site."""

    def __init__(self, config: SiteConfig) -> None:
        self.cfg: WeatherRule = config.rules.weather
        self.stops = WeatherStops()
        self.warnings = WeatherWarnings()
        self.work = WeatherWork()
        # each device's kind's stops: the machines whose work this rule watches
        self._obeys = {d.id: frozenset(registry.get(d.kind).weather_stops) for d in config.devices}
        # the open windows, by (machine, which window: jacking or install): the work each is
        self._windows: dict[tuple[str, str], tuple[str, str]] = {}
        self.pending: list[RuleResult] = []

    def families(self) -> Iterable[object]:
        """Its rule objects, for re-arming after a warm-up."""
        return (self.warnings, self.work)

    def set_warnings(self, signals: Sequence[WarningSignal]) -> None:
        """The signals the site knows now (judged at the next tick)."""
        self.warnings.replace(signals)

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """A machine reported work (``Shared.on_work``)."""
        if not self.stops.any and self.work.quiet(device):
            return  # a fine day and no alert to end: a crane reports work at every loaded sample
        obeys = self._obeys_now(device)
        if not obeys:
            return  # a kind that obeys no weather stop
        found = self.work.work(device, what, obeys, self.stops, ts)
        if found is not None:
            self.pending.append(found)

    def window(self, device: str, which: str, what: tuple[str, str] | None, ts: float) -> None:
        """``device``'s ``which`` window (jacking, install) opened (``what``: its work, in Chinese and English)
        or closed (None): erection work while it is open, judged now and at each tick (the class docstring)."""
        if what is None:
            self._windows.pop((device, which), None)
            return  # the next tick ends an alert of the window: the machine no longer obeys the stop
        self._windows[(device, which)] = what
        self._window_work(device, what, ts)

    def _window_work(self, device: str, what: tuple[str, str], ts: float) -> None:
        if not self.stops.any and self.work.quiet(device):
            return
        found = self.work.work(device, what, self._obeys_now(device), self.stops, ts)
        if found is not None:
            self.pending.append(found)

    def _obeys_now(self, device: str) -> frozenset[str]:
        """The stops ``device`` obeys now: its kind's, and the erection stop while a window is open."""
        kind = self._obeys.get(device, frozenset())
        return kind | {ERECTION} if any(d == device for d, _ in self._windows) else kind

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
        for (device, _which), what in self._windows.items():
            self._window_work(device, what, now)
        out.extend(self.drain())
        out.extend(self.work.tick(now, {d: self._obeys_now(d) for d in self.work.firing}, self.stops))
        return out

    def sample_seen(self, device: str, ts: float) -> list[RuleResult]:
        """A sample of ``device``, whose work is a weather.work alert: whether it has stopped working (never
        while a window of it is open: the window is the work, however still the machine stands)."""
        if any(d == device for d, _ in self._windows):
            return []
        found = self.work.sample_seen(device, ts, self.cfg, self.stops)
        return [] if found is None else [found]
