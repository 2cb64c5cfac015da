"""The site's hot work as every rule shares it (docs/standards.md §18): the permits the gateway's register
hands over, who the access gates saw come in, and the rules judging them.

One per engine, on ``Shared.hot_work``, whether or not the site has a welder: a permit's fire watch and
its closing are judged on any site. The welders' judge (kinds/welder/judge.py) asks it of each reading of
a machine's current, the engine of each camera's reading (the people in a zone marked for hot work,
rules/hot_work_zone.py); the engine ticks it, and the gates' judge tells it of each passage.

A permit is in force for all of them only within its window AND its level's validity under the site's
``hot_work_permits:`` as this engine was built with it (the gateway's start, or a replay's site file): a
permit signed under a longer validity covers no hot work past today's (contract/hot_work.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.config.site import SiteConfig
from contract.hot_work import Permit
from contract.readings import Reading
from rules.hot_work_unclosed import HotWorkUnclosed
from rules.hot_work_unpermitted import HotWorkUnpermitted, Welder
from rules.hot_work_watch import HotWorkWatch
from rules.hot_work_wind import HotWorkWind
from rules.hot_work_zone import HotWorkZones
from rules.result import RuleResult
from rules.weather_stops import WeatherStops


class SiteHotWork:
    """Permits, presence and the hot-work rules of one site."""

    def __init__(self, site: SiteConfig, utc_offset_h: float, stops: WeatherStops) -> None:
        self.permits: tuple[Permit, ...] = ()
        # the validity each level's permit has under the site's scheme as its file gives it now: every check
        # judges a kept permit by it, whatever the scheme was when it was signed (contract/hot_work.py)
        self.scheme = site.hot_work_permits
        # whether a tick may have anything to say: the engine asks this before calling it (a site with no
        # permit would otherwise pay a call at every instant of a replay)
        self.busy = False
        self._stops = stops  # the site's weather stops: the wind's hot-work stop among them
        self._inside: set[str] = set()  # the people the gates last saw enter, not leave
        self.unpermitted = HotWorkUnpermitted()
        self._watch = HotWorkWatch()
        self._unclosed = HotWorkUnclosed(utc_offset_h)
        self._wind = HotWorkWind()
        self.zones = HotWorkZones(site)  # the cameras' zones marked for hot work

    def set_permits(self, permits: Sequence[Permit]) -> None:
        """The permits the site keeps now (judged at the next tick and reading)."""
        self.permits = tuple(permits)
        self.busy = True

    def passage(self, person: str, value: float, ts: float) -> None:
        """A passage at the gates: ``value`` 1 an entry, 0 an exit."""
        if value >= 1:
            self._inside.add(person)
        else:
            self._inside.discard(person)

    def current(
        self, w: Welder, current_a: float, ts: float, backfill: bool, now: float | None = None
    ) -> list[RuleResult]:
        """A welder's current stamped ``ts``: hot work without a permit in force for its place? ``now``: the
        gateway's clock when it heard the reading (None: the stamp, as in replay): the permits must cover
        both instants, so that a machine's clock running behind never keeps a lapsed permit in force."""
        found = self.unpermitted.evaluate(
            w, current_a, self.permits, ts, backfill, self.scheme, ts if now is None else now
        )
        return [] if found is None else [found]

    def camera(self, r: Reading) -> list[RuleResult]:
        """A camera's reading: people in a zone marked for hot work without a permit in force?"""
        found = self.zones.heard(r, self.permits, self.scheme)
        self.busy = self.busy or self.zones.busy
        return found

    def tick(self, now: float) -> list[RuleResult]:
        """The permits at ``now``: their fire watches, their closing and the wind; the hot-work zones."""
        permits, scheme = self.permits, self.scheme
        out = [
            *self._watch.judge(permits, self._inside, now, scheme),
            *self._unclosed.judge(permits, now, scheme),
            *self._wind.judge(permits, self._stops, now, scheme),
            *self.zones.tick(permits, now, scheme),
        ]
        self.busy = (
            bool(self.permits)
            or self._watch.firing
            or self._unclosed.firing
            or self._wind.firing
            or self.zones.busy
        )
        return out
