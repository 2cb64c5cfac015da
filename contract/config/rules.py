"""Thresholds of the safety rules: defaults from docs/standards.md, overridable per site and per device.

Pit thresholds per monitoring point live in ``PitPoint.thresholds`` (contract/config/pit.py):
the designer sets them per point (GB 50497-2019 §8.0.1); GB 50497 Table 8.0.4 gives the defaults.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic.fields import FieldInfo

from contract.config.common import Model
from contract.kinds import registry

WIND_MAX_MS = 60.0
"""The highest a wind threshold can sensibly be, m/s: the strongest typhoons' gusts are about 70 m/s and
work stops long before. A number past it was written in km/h (72 for 20 m/s), and check-config says so."""


class PersonnelRule(Model):
    """personnel.absent, personnel.certificate, personnel.attendance (docs/standards.md §7),
    personnel.trade_certificate (§19)."""

    absent_grace_min: float = Field(
        30,
        ge=0,
        le=480,
        title="Grace period",
        description="minutes dangerous work may go on before the absence of the project "
        "manager or of every safety officer is an alert",
    )
    month_share_warning: float = Field(
        0.8,
        gt=0,
        le=1,
        title="Monthly share",
        description="fraction of the month's working time the project manager must be on site "
        "(建质〔2011〕111号: 80 %)",
    )
    work_hours: tuple[int, int] = Field(
        (7, 19),
        title="Working hours",
        description="site-local hours [start, end) that count as working time for the monthly share",
    )
    active_hold_s: float = Field(
        300,
        gt=0,
        title="Work hold",
        description="seconds after the last sign of dangerous work (a crane or hoist moving or "
        "loaded, a pour) that it still counts as going on",
    )

    renewal_warning_d: int = Field(
        90,
        ge=0,
        le=366,
        title="Renewal window",
        description="days before a special-operations certificate's expiry from which its holder's passage "
        "is a warning to apply for renewal (建质〔2008〕75号: within 3 months before expiry, practice [U]; "
        "personnel.trade_certificate at the gates, personnel.certificate at the machines)",
    )

    @model_validator(mode="after")
    def _hours(self) -> PersonnelRule:
        start, end = self.work_hours
        if not 0 <= start < end <= 24:
            raise ValueError(f"personnel.work_hours needs 0 <= start < end <= 24 (got {start:g}, {end:g})")
        return self


DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "disp_h_mm": (-500, 500),
    "disp_v_mm": (-500, 500),
    "incl_mm": (-500, 500),
    "settle_mm": (-500, 500),
    "axial_kn": (-1000, 20000),
    "anchor_kn": (-1000, 20000),
    "water_level_m": (-50, 10),
    "wind_ms": (0, 60),
}


class SensorFaultRule(Model):
    """sensor.fault: stuck, out-of-range or impossible steps of monitoring sensors (practice)."""

    stuck_h: float = Field(24, gt=0, title="Stuck after", description="hours of exactly the same value")
    step_factor: float = Field(
        10,
        gt=1,
        title="Step factor",
        description="a step above this multiple of the jump value is a fault, not a jump",
    )
    ranges: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_RANGES),
        title="Physical ranges",
        description="metric: [min, max]; outside = fault",
    )

    @model_validator(mode="after")
    def _ranges(self) -> SensorFaultRule:
        bad = [m for m, (lo, hi) in self.ranges.items() if lo >= hi]
        if bad:
            raise ValueError(f"sensor_fault.ranges: min must be below max for {', '.join(bad)}")
        return self


class DeviceOfflineRule(Model):
    """device.offline: the monitoring itself is a safety device (建质规〔2024〕5号 Art. 8 (四); pits Art. 5 (三))."""

    warning_intervals: float = Field(
        3, gt=1, title="Warning after", description="poll intervals without a reading"
    )
    alarm_after_s: float = Field(600, gt=0, title="Alarm after", description="seconds without a reading")
    alarm_intervals: float = Field(
        6,
        gt=1,
        title="Alarm after (intervals)",
        description="for slow devices (pits): at least this many intervals",
    )


# rules whose value is a time that grows by itself while the alert lasts (a silence, an absence, the days
# left to a calibration): their worsening is the clock's, and the hazard's own span (first event to the
# resolution) says how long they lasted
CLOCK_RULES = (
    "device.offline",
    "formwork.silent",
    "personnel.absent",
    "hoist.arrester",
    "platform.lock_calibration",
    "confined_space.silent",
    "confined_space.attendant",
)


class WorseningUpdates(Model):
    """How an alert that gets worse within its level tells the regulator and the other uplinks.

    An ``updated`` event carries the worst value so far, its time and the site's words at it."""

    step_fraction: float = Field(
        0.1,
        gt=0,
        le=1,
        title="Step",
        description="fraction of the alert's limit (threshold) by which the value must pass the worst "
        "value last reported before an update goes out at once (0.1: a 20 kN design value, every 2 kN)",
    )
    every_s: float = Field(
        300,
        ge=10,
        le=3600,
        title="While worsening",
        description="seconds: an alert still worse than last reported, by less than a step, is reported "
        "at least this often",
    )
    min_interval_s: float = Field(
        60,
        ge=1,
        le=3600,
        title="At most every",
        description="seconds: at most one update per alert in this time however fast its readings come "
        "(what is worse meanwhile goes in the next); a level change or the resolution goes at once, "
        "after the worst value not yet reported",
    )
    not_for: list[str] = Field(
        default_factory=lambda: list(CLOCK_RULES),
        title="Not for",
        description="rule id prefixes whose alerts send no such updates: by default those whose value is a "
        "time that grows by itself (silence, absence, days to a calibration), whose length the hazard's "
        "span says",
    )

    def applies(self, rule: str) -> bool:
        """Whether alerts of ``rule`` report their worsening."""
        return not any(rule.startswith(prefix) for prefix in self.not_for if prefix)


class WeatherRule(Model):
    """weather.*: the site-wide weather stops (docs/standards.md §12). Wind limits are each stop's own
    clause's; heavy rain and lightning hold are practice [U]."""

    platform_ms: float = Field(
        8.0,
        gt=0,
        le=WIND_MAX_MS,
        title="Platform stop",
        description="m/s, reached: platforms stop (Beaufort 5, 五级以上 [U])",
    )
    erection_ms: float = Field(
        9.0,
        gt=0,
        le=WIND_MAX_MS,
        title="Erection stop",
        description="m/s, exceeded: erection and jacking stop (GB 55034-2022 §3.4.7)",
    )
    lifting_ms: float = Field(
        10.8,
        gt=0,
        le=WIND_MAX_MS,
        title="Lifting stop",
        description="m/s, reached: lifting stops (Beaufort 6, JGJ 276-2012 §3.0.12)",
    )
    height_ms: float = Field(
        10.8,
        gt=0,
        le=WIND_MAX_MS,
        title="Height stop",
        description="m/s, reached: open-air work at height stops (JGJ 80-2016 §3.0.8)",
    )
    hoist_ms: float = Field(
        20.0, gt=0, le=WIND_MAX_MS, title="Hoist stop", description="m/s, exceeded: hoists stop (JGJ 215 [U])"
    )
    hot_work_ms: float = Field(
        8.0,
        gt=0,
        le=WIND_MAX_MS,
        title="Hot-work stop",
        description="m/s, reached: open-air welding and cutting stop (五级(含五级)以上, GB/T 50720-2011（2025年版）§6.3.1(7))",
    )
    heat_c: tuple[float, float, float] = Field(
        (35.0, 37.0, 40.0),
        title="Heat schedules",
        description="°C of the day's maximum reaching each schedule: rotation, ≤ 6 h outdoors, no outdoor work "
        "(安监总安健〔2012〕89号 Art. 8)",
    )
    heavy_rain_mm_h: float = Field(
        8.1,
        gt=0,
        title="Heavy rain",
        description="mm/h reached: heavy rain (大雨, GB/T 28592-2012 hourly [U])",
    )
    rainstorm_mm_h: float = Field(
        16.0, gt=0, title="Rainstorm", description="mm/h reached: rainstorm (暴雨), outdoor work stops [U]"
    )
    lightning_hold_min: float = Field(
        30,
        gt=0,
        title="Lightning hold",
        description="minutes after the last strike counted before work resumes [U]",
    )
    work_hold_s: float = Field(
        60,
        gt=0,
        title="Stopped after",
        description="s of a machine's samples without work before its weather.work alert ends (silence never ends it)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> WeatherRule:
        a, b, c = self.heat_c
        if not a < b < c:
            raise ValueError(f"weather.heat_c needs three rising temperatures (got {a:g}, {b:g}, {c:g})")
        if not self.heavy_rain_mm_h < self.rainstorm_mm_h:
            raise ValueError(
                f"weather needs heavy_rain_mm_h < rainstorm_mm_h (got {self.heavy_rain_mm_h:g}, "
                f"{self.rainstorm_mm_h:g})"
            )
        return self


class DeviceRules(Model):
    """Per-device replacements of the site-wide sections (a section given here replaces the site's).

    Each kind's sections (``Kind.thresholds``, added by :func:`_kinds_sections`) come first, then these.
    """

    sensor_fault: SensorFaultRule | None = Field(
        None, title="Sensor fault", description="replaces rules.sensor_fault"
    )
    device_offline: DeviceOfflineRule | None = Field(
        None, title="Offline", description="replaces rules.device_offline"
    )


class RulesConfig(Model):
    """The safety rules' thresholds for the whole site.

    Each kind's sections (``Kind.thresholds``, added by :func:`_kinds_sections`) come first, then the rules
    every kind shares.
    """

    personnel: PersonnelRule = Field(
        default_factory=PersonnelRule,
        title="Key personnel",
        description="personnel.absent, personnel.certificate, personnel.attendance",
    )
    sensor_fault: SensorFaultRule = Field(
        default_factory=SensorFaultRule, title="Sensor fault", description="sensor.fault"
    )
    device_offline: DeviceOfflineRule = Field(
        default_factory=DeviceOfflineRule, title="Offline", description="device.offline"
    )
    worsening: WorseningUpdates = Field(
        default_factory=WorseningUpdates,
        title="Worsening alerts",
        description="an alert that keeps getting worse within its level tells the regulator its worst "
        "value: at once by a step of its limit, else every few minutes, never more often than a "
        "minimum interval",
    )
    weather: WeatherRule = Field(
        default_factory=WeatherRule,
        title="Weather",
        description="weather.wind, weather.heat, weather.rain, weather.lightning, weather.warning, weather.work",
    )
    warmup_max_h: float = Field(
        72,
        ge=0,
        le=720,
        title="Warm-up cap",
        description="hours of stored history at most replayed through the rules at "
        "start, so that their memory (pit rates over days, wind samples, "
        "offline timers) survives a restart; each rule family asks for what "
        "it needs (pit: 3 × rate_window_h) and this caps it; 0 disables the "
        "warm-up; at most 720 (the store keeps 30 days at least)",
    )
    licence_utc_offset_h: float = Field(
        8,
        ge=-12,
        le=14,
        title="Licence time zone",
        description="hours east of UTC in which licence expiry dates are read (China Standard Time)",
    )
    devices: dict[str, DeviceRules] = Field(
        default_factory=dict,
        title="Per device",
        description="device id: sections replacing the site-wide ones",
    )

    def section(self, name: str) -> Model:
        """The site-wide section ``name`` (a kind's, e.g. "crane_zone", or a shared one)."""
        found = getattr(self, name)
        assert isinstance(found, Model)
        return found

    def for_device(self, device: str, section: str) -> Model:
        """The section ``section`` (e.g. "crane_load") that applies to ``device``."""
        own = self.devices.get(device)
        chosen = getattr(own, section) if own is not None else None
        found = chosen if chosen is not None else getattr(self, section)
        if not isinstance(found, Model):
            raise ValueError(
                f"{section!r} is a setting of the rules, not a section of them (e.g. crane_load)"
            )
        return found


def _kinds_sections() -> None:
    """``RulesConfig`` and ``DeviceRules`` with every registered kind's thresholds sections ahead of their
    own fields, in the kinds' order (rebuilt when a plug-in registers a kind): the site file's ``rules:``
    is built from the registry as its ``devices:`` is (contract/config/site.py)."""
    site_wide: dict[str, FieldInfo] = {}
    per_device: dict[str, FieldInfo] = {}
    for kind in registry.kinds():
        for t in kind.thresholds:
            site_wide[t.name] = FieldInfo(
                annotation=t.model, default_factory=t.model, title=t.title, description=t.description
            )
            if t.per_device:
                per_device[t.name] = FieldInfo(
                    annotation=t.model | None,  # type: ignore[arg-type]
                    default=None,
                    title=t.title,
                    description=f"replaces rules.{t.name}",
                )
    for model, sections in ((RulesConfig, site_wide), (DeviceRules, per_device)):
        own = {k: v for k, v in model.model_fields.items() if k not in _SECTIONS.get(model, set())}
        _SECTIONS[model] = set(sections)
        model.model_fields.clear()
        model.model_fields.update({**sections, **own})
        model.model_rebuild(force=True)
    RulesConfig.model_fields["devices"].annotation = dict[str, DeviceRules]
    RulesConfig.model_rebuild(force=True)


_SECTIONS: dict[
    type[Model], set[str]
] = {}  # the fields each model has from the kinds (replaced at a rebuild)
registry.on_change(_kinds_sections)
