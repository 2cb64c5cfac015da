"""The weather stations' judge: each sample's wind, rain, temperature and lightning through the weather
rules, which hold the site's weather stops (rules/weather_site.py) for every machine's work."""

from __future__ import annotations

from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from rules.kinds.base import Judge, Shared
from rules.result import RuleResult
from rules.weather_heat import DAY_S, WeatherHeat
from rules.weather_lightning import WeatherLightning
from rules.weather_rain import WeatherRain
from rules.weather_wind import WeatherWind


class WeatherStationJudge(Judge):
    """Every weather station of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._wind, self._heat = WeatherWind(), WeatherHeat()
        self._rain, self._lightning = WeatherRain(), WeatherLightning()
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """A local day (the heat schedule holds for the rest of the day its maximum was reached, across
        a restart) and the lightning hold."""
        return max(DAY_S, site.rules.weather.lightning_hold_min * 60)

    def families(self) -> Iterable[object]:
        return (self._wind, self._heat, self._rain, self._lightning)

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        # only what this sample reported is judged: a metric missing from it holds its stop as it was
        state, shared = self._state[dev.id], self.shared
        weather, name = shared.weather, shared.names[dev.id]
        cfg, stops = weather.cfg, weather.stops
        out: list[RuleResult] = []
        if changed & {"wind_ms", "gust_ms"}:
            # the instantaneous wind: the gust reported with this sample, else the mean
            speeds = [state[m] for m in ("wind_ms", "gust_ms") if m in changed]
            out.extend(self._wind.evaluate(dev.id, name, cfg, max(speeds), stops, ts, backfill))
        if "rain_mm_h" in changed:
            found = self._rain.evaluate(dev.id, name, cfg, state["rain_mm_h"], stops, ts, backfill)
            out.extend([found] if found else [])
        if "temp_c" in changed:
            found = self._heat.evaluate(
                dev.id, name, cfg, state["temp_c"], shared.utc_offset_h, stops, ts, backfill
            )
            out.extend([found] if found else [])
        if "lightning_count" in changed:
            found = self._lightning.evaluate(dev.id, name, cfg, state["lightning_count"], stops, ts, backfill)
            out.extend([found] if found else [])
        return out
