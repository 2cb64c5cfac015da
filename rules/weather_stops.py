"""The weather stops in force on the site and why: each cause (a station rule firing, a warning signal
in force) holds the stops it implies until it is released. rules/weather_work.py asks it which of a
machine's stops are in force."""

from __future__ import annotations

from collections.abc import Iterable


class WeatherStops:
    """Causes and the stops each holds."""

    def __init__(self) -> None:
        self._causes: dict[str, tuple[str, frozenset[str]]] = {}

    def hold(self, cause: str, why: str, stops: Iterable[str]) -> None:
        """``cause`` (a key) holds ``stops`` for the reason ``why`` (Chinese, shown in the alerts)."""
        held = frozenset(stops)
        if held:
            self._causes[cause] = (why, held)
        else:
            self._causes.pop(cause, None)

    def release(self, cause: str) -> None:
        """``cause`` no longer holds anything."""
        self._causes.pop(cause, None)

    @property
    def any(self) -> bool:
        """Whether any stop is in force (the common case on a fine day is no)."""
        return bool(self._causes)

    def why(self, stop: str) -> list[str]:
        """The reasons holding ``stop`` now (empty: it is not in force)."""
        return [why for why, stops in self._causes.values() if stop in stops]

    def in_force(self) -> set[str]:
        """Every stop in force."""
        return {s for _, stops in self._causes.values() for s in stops}
