"""The weather stations' judge: each sample's wind, rain, temperature and lightning through the weather
rules, which hold the site's weather stops (rules/weather_site.py) for every machine's work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.weather import WarningSignal
from kinds.crane.kind import CraneDevice
from kinds.crane.standing import METRICS, noise_of
from kinds.crane.thresholds import CraneJackingRule
from rules.kinds.base import LOADED_T, Judge, Shared
from rules.probes import Probe
from rules.result import RuleResult
from rules.weather_heat import DAY_S, WeatherHeat
from rules.weather_lightning import WeatherLightning
from rules.weather_rain import WeatherRain
from rules.weather_warning import SITE
from rules.weather_wind import STRICT, WeatherWind, limits


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

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each weather rule on the site's ``weather`` limits: every stop's wind (超过 strict, 以上 at
        the line), heavy rain and a rainstorm, a day's heat (until the local day ends), strikes counted
        (until the hold after the last one), and the site's first crane lifting in a wind that stops it."""
        return [*self._reading_probes(dev), self._warning_probe(dev), *self._work_probes(dev)]

    def _reading_probes(self, dev: DeviceConfig) -> list[Probe]:
        """The station's own readings: every stop's wind, heavy rain and a rainstorm, a day's heat,
        strikes counted."""
        cfg, every = self.shared.weather.cfg, dev.poll_interval_s
        band = cfg.hysteresis_pct / 100
        quiet = {"rain_mm_h": 0.0, "temp_c": cfg.heat_c[0] - 10.0}
        found = []
        for stop, limit in limits(cfg).items():
            strict = STRICT[stop]
            found.append(
                Probe(
                    "weather.wind",
                    dev.id,
                    "wind_ms",
                    context=quiet,
                    interval_s=every,
                    beyond=(limit + 0.01 if strict else limit, limit * 1.5),
                    hold=(limit * (1 - band / 2), *((limit,) if strict else ())),
                    clear=limit * (1 - band) * 0.9,
                    alert=(dev.id, stop),
                )
            )
        rain = cfg.heavy_rain_mm_h
        found.append(
            Probe(
                "weather.rain",
                dev.id,
                "rain_mm_h",
                interval_s=every,
                beyond=(rain, cfg.rainstorm_mm_h * 1.5),
                hold=(rain * (1 - band / 2),),
                clear=rain * (1 - band) * 0.9,
            )
        )
        # the day's maximum at the first schedule late in the evening: it stands until the local day ends
        tz = timezone(timedelta(hours=self.shared.utc_offset_h))
        evening = datetime(2026, 11, 2, 22, tzinfo=tz)
        found.append(
            Probe(
                "weather.heat",
                dev.id,
                "temp_c",
                interval_s=every,
                beyond=(cfg.heat_c[0], cfg.heat_c[2] + 1.0),
                clear=quiet["temp_c"],
                start=evening.timestamp(),
                clear_at=(evening + timedelta(hours=2)).timestamp(),
            )
        )
        # one strike a sample (the counter counted from the first instant); none more: the hold after
        # the last strike, which was one sample before the clear value came
        found.append(
            Probe(
                "weather.lightning",
                dev.id,
                "lightning_count",
                setup=((dev.id, "", {"lightning_count": 0.0}),),
                interval_s=every,
                ramp=True,
                beyond=(1.0,),
                clear=0.0,
                clear_after_s=cfg.lightning_hold_min * 60 - every,
            )
        )
        return found

    def _warning_probe(self, dev: DeviceConfig) -> Probe:
        """A regional warning signal in force, the station calm: it resolves when the signal expires."""
        tz = timezone(timedelta(hours=self.shared.utc_offset_h))
        # an orange gale signal in force for two hours
        morning = datetime(2026, 11, 2, 9, tzinfo=tz)
        until = morning + timedelta(hours=2)
        gale = WarningSignal(
            id="gale-orange",
            type="gale",
            colour="orange",
            valid_from=morning - timedelta(minutes=1),
            valid_to=until,
        )
        return Probe(
            "weather.warning",
            dev.id,
            "wind_ms",
            interval_s=dev.poll_interval_s,
            beyond=(0.0,),
            clear=0.0,
            signals=(gale,),
            start=morning.timestamp(),
            clear_at=until.timestamp(),
            alert=(SITE, gale.id),
        )

    def _work_probes(self, dev: DeviceConfig) -> list[Probe]:
        """The site's first crane lifting, slewing, travelling or hoisting in a wind that stops lifting,
        until at rest for the work hold."""
        cfg, found = self.shared.weather.cfg, list[Probe]()
        cranes = [d for d in self.shared.config.devices if isinstance(d, CraneDevice)]
        if cranes:  # a crane lifting in a wind that stops lifting, until at rest for the work hold
            crane, lifting = cranes[0], limits(cfg)["lifting"]
            found.append(
                Probe(
                    "weather.work",
                    crane.id,
                    "load_t",
                    context={"radius_m": crane.crane.load_chart[0].radius_m},
                    setup=((dev.id, "", {"wind_ms": lifting * 1.5}),),
                    interval_s=crane.poll_interval_s,
                    beyond=(LOADED_T * 5,),
                    clear=0.0,
                    clear_after_s=cfg.work_hold_s,
                )
            )
            # the hook empty, the crane slewing, its trolley travelling or its hook hoisting: work all the
            # same (不得进行起升、回转、变幅), fast or as slowly as 0.4 of its noise a sample
            radius = crane.crane.load_chart[0].radius_m
            parked = {"radius_m": radius, "height_m": 10.0, "load_t": 0.0, "slew_deg": 0.0}
            jacking = self.shared.section(crane.id, "crane_jacking", CraneJackingRule)
            for metric, noise in zip(METRICS, noise_of(jacking), strict=True):
                found.append(
                    Probe(
                        "weather.work",
                        crane.id,
                        metric,
                        context={k: v for k, v in parked.items() if k != metric},
                        setup=((dev.id, "", {"wind_ms": lifting * 1.5}), (crane.id, "", parked)),
                        interval_s=crane.poll_interval_s,
                        beyond=(noise * 3, -noise * 3),
                        clear=0.0,
                        ramp=True,
                        creep=noise * 0.4,
                        clear_after_s=cfg.work_hold_s,
                    )
                )
        return found
