"""Thresholds of the safety rules: defaults from docs/standards.md, overridable per site and per device.

Pit thresholds per monitoring point live in ``PitPoint.thresholds`` (contract/config/pit.py):
the designer sets them per point (GB 50497-2019 §8.0.1); GB 50497 Table 8.0.4 gives the defaults.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.common import Model

WIND_MAX_MS = 60.0
"""The highest a wind threshold can sensibly be, m/s: the strongest typhoons' gusts are about 70 m/s and
work stops long before. A number past it was written in km/h (72 for 20 m/s), and check-config says so."""


class CraneLoadRule(Model):
    """crane.load: load ÷ rated load at the current radius (GB 5144-2006 §6.1.2)."""

    warning_pct: float = Field(
        90, gt=0, title="Warning", description="% of rated load (practice, GB/T 12602)"
    )
    alarm_pct: float = Field(100, gt=0, title="Alarm", description="% of rated load (GB 5144-2006 §6.1.2)")
    critical_pct: float = Field(
        110, gt=0, title="Critical", description="% of rated load (GB 5144-2006 §6.1.2)"
    )
    hysteresis_pct: float = Field(
        5, ge=0, lt=50, title="Clearing band", description="a level clears below threshold × (1 − band %)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CraneLoadRule:
        if not self.warning_pct < self.alarm_pct < self.critical_pct:
            raise ValueError(
                f"crane_load needs warning_pct < alarm_pct < critical_pct (got {self.warning_pct:g}, "
                f"{self.alarm_pct:g}, {self.critical_pct:g})"
            )
        return self


class CraneWindRule(Model):
    """crane.wind: wind at the jib (JGJ 276-2012 §3.0.12; Shenzhen interface; 建质规〔2024〕5号 Art. 15 (二))."""

    warning_ms: float = Field(
        10.8, gt=0, le=WIND_MAX_MS, title="Warning", description="m/s, Beaufort 6: stop lifting"
    )
    alarm_ms: float = Field(
        13.8, gt=0, le=WIND_MAX_MS, title="Alarm", description="m/s, exceeded for alarm_samples in a row"
    )
    alarm_samples: int = Field(
        2,
        ge=1,
        le=100,
        title="Alarm samples",
        description="consecutive samples above alarm_ms before the alarm",
    )
    critical_ms: float = Field(
        20.8, gt=0, le=WIND_MAX_MS, title="Critical", description="m/s, Beaufort 9 (practice)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> CraneWindRule:
        if not self.warning_ms <= self.alarm_ms < self.critical_ms:
            raise ValueError(
                f"crane_wind needs warning_ms <= alarm_ms < critical_ms (got {self.warning_ms:g}, "
                f"{self.alarm_ms:g}, {self.critical_ms:g})"
            )
        return self


class CraneTiltRule(Model):
    """crane.tilt: tower verticality against tilt_limit_per_mille (JGJ 196-2010; 建质规〔2024〕5号 Art. 8)."""

    warning_fraction: float = Field(
        0.8, gt=0, lt=1, title="Warning", description="fraction of the limit (practice)"
    )
    critical_factor: float = Field(
        2.0, gt=1, title="Critical", description="multiple of the limit (practice)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")


class CraneJackingRule(Model):
    """crane.jacking_*: a tower crane inside a jacking window (顶升、加节、降节; standards.md §10)."""

    wind_ms: float = Field(
        9.0,
        gt=0,
        le=WIND_MAX_MS,
        title="Wind",
        description="m/s at the top: above it jacking stops (GB 55034-2022 §3.4.7)",
    )
    slew_noise_deg: float = Field(
        1.0,
        gt=0,
        title="Slew noise",
        description="° of slew change from where the crane stood beyond which it is slewing (jacking_motion; weather.work)",
    )
    radius_noise_m: float = Field(
        0.2,
        gt=0,
        title="Trolley noise",
        description="m of radius change from where the crane stood beyond which the trolley travels",
    )
    height_noise_m: float = Field(
        0.2,
        gt=0,
        title="Hook noise",
        description="m of hook height change from where the crane stood beyond which it is hoisting",
    )
    still_s: float = Field(
        10,
        gt=0,
        title="Still for",
        description="s a crane seen moving in a window must stand still (each motion within half its noise) "
        "before crane.jacking_motion clears (practice)",
    )
    hysteresis_pct: float = Field(
        5,
        ge=0,
        lt=50,
        title="Wind clearing band",
        description="% of the wind limit: crane.jacking_wind clears at or below the limit less this (practice, "
        "as every rule's band)",
    )
    balance_load_pct: float = Field(
        10, gt=0, lt=100, title="Balance load tolerance", description="% of the balance load (practice)"
    )
    balance_radius_m: float = Field(
        0.5, gt=0, title="Balance radius tolerance", description="m either side of the balance radius"
    )
    day_from_h: float = Field(
        6, ge=0, lt=24, title="Day from", description="local hour from which jacking is daytime work"
    )
    day_until_h: float = Field(
        18, gt=0, le=24, title="Day until", description="local hour from which a window open is night work"
    )

    @model_validator(mode="after")
    def _day(self) -> CraneJackingRule:
        if not self.day_from_h < self.day_until_h:
            raise ValueError(
                f"crane_jacking needs day_from_h < day_until_h (got {self.day_from_h:g}, {self.day_until_h:g})"
            )
        return self


class CraneCollisionRule(Model):
    """crane.collision: clearances between cranes (GB 5144-2006 §10.5; 建质规〔2024〕5号 Art. 8 (八))."""

    min_clearance_m: float = Field(2.0, gt=0, title="Minimum clearance", description="m, GB 5144-2006 §10.5")
    warning_margin_m: float = Field(
        5.0, ge=0, title="Warning margin", description="m added to the minimum for the warning (practice)"
    )
    hook_plan_m: float = Field(
        2.0,
        gt=0,
        title="Hook plan distance",
        description="m: a higher hook this close in plan to a lower jib is checked vertically",
    )
    stop_clearance_m: float = Field(
        0.5,
        ge=0,
        title="Stop clearance",
        description="m: a clearance (now or predicted within the braking time) below it is critical, "
        "brake now (制动; practice, as anti-collision devices' stop zone)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> CraneCollisionRule:
        if self.stop_clearance_m >= self.min_clearance_m:
            raise ValueError(
                f"stop_clearance_m {self.stop_clearance_m:g} must be below min_clearance_m "
                f"{self.min_clearance_m:g} (预警 > 减速 > 制动)"
            )
        return self


class CraneZoneRule(Model):
    """crane.zone: the hook above a no-lift zone."""

    clear_margin_m: float = Field(
        1.0,
        ge=0,
        title="Clearing margin",
        description="m the hook must be outside the polygon before the alarm clears",
    )


class PitRule(Model):
    """pit.cumulative, pit.rate, pit.jump (GB 50497-2019 §8.0.3, §8.0.9, Table 8.0.4; 建质规〔2024〕5号 Art. 5)."""

    warning_fraction: float = Field(
        0.7, gt=0, lt=1, title="Pre-warning", description="fraction of the alarm value (practice)"
    )
    rate_window_h: float = Field(24, gt=0, title="Rate window", description="hours the rate is measured over")
    rate_consecutive_fraction: float = Field(
        0.7,
        gt=0,
        le=1,
        title="Three-day fraction",
        description="a rate above this fraction now, 24 h and 48 h earlier is an alarm (Table 8.0.4 note)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")


class HoistLoadRule(Model):
    """hoist.load: cage load ÷ rated load ([U] GB/T 10054 practice, docs/standards.md §5)."""

    warning_pct: float = Field(90, gt=0, title="Warning", description="% of rated load (practice)")
    alarm_pct: float = Field(100, gt=0, title="Alarm", description="% of rated load (practice)")
    critical_pct: float = Field(
        110, gt=0, title="Critical", description="% of rated load: the cage must not start (practice)"
    )
    hysteresis_pct: float = Field(
        5, ge=0, lt=50, title="Clearing band", description="a level clears below threshold × (1 − band %)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> HoistLoadRule:
        if not self.warning_pct < self.alarm_pct < self.critical_pct:
            raise ValueError(
                f"hoist_load needs warning_pct < alarm_pct < critical_pct (got {self.warning_pct:g}, "
                f"{self.alarm_pct:g}, {self.critical_pct:g})"
            )
        return self


class HoistRule(Model):
    """hoist.door, hoist.wind, hoist.arrester, hoist.operator: the hoist's other limits."""

    moving_ms: float = Field(
        0.1, gt=0, title="Moving above", description="m/s: |speed| above this is a moving cage"
    )
    wind_alarm_ms: float = Field(
        20,
        gt=0,
        le=WIND_MAX_MS,
        title="Wind alarm",
        description="m/s at the mast top: no use above it (JGJ 215, practice)",
    )
    arrester_valid_days: int = Field(
        365,
        ge=1,
        title="Calibration valid",
        description="days a fall arrester calibration is valid (JGJ 215-2010 §4.1.7: one year)",
    )
    arrester_due_days: int = Field(
        30, ge=0, title="Calibration due warning", description="days before expiry a warning is raised"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")


class FormworkRule(Model):
    """formwork.settle, .disp, .tilt, .axial, .silent (DBJ/T 15-197-2020 §7.0.3, §8.0.4, §8.0.5)."""

    warning_fraction: float = Field(
        0.8, gt=0, lt=1, title="Pre-warning", description="fraction of the alarm value (§8.0.4: 80 %)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")
    silent_s: float = Field(
        60,
        gt=0,
        le=3600,
        title="Silent during a pour",
        description="seconds without a reading from a point during a pour before the alarm "
        "(§7.0.3 asks for at least two readings a minute)",
    )


class PersonnelRule(Model):
    """personnel.absent, personnel.certificate, personnel.attendance (docs/standards.md §7)."""

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
    """Per-device replacements of the site-wide sections (a section given here replaces the site's)."""

    crane_load: CraneLoadRule | None = Field(None, title="Load", description="replaces rules.crane_load")
    crane_wind: CraneWindRule | None = Field(None, title="Wind", description="replaces rules.crane_wind")
    crane_tilt: CraneTiltRule | None = Field(None, title="Tilt", description="replaces rules.crane_tilt")
    crane_jacking: CraneJackingRule | None = Field(
        None, title="Jacking", description="replaces rules.crane_jacking"
    )
    pit: PitRule | None = Field(None, title="Pit", description="replaces rules.pit")
    hoist_load: HoistLoadRule | None = Field(
        None, title="Hoist load", description="replaces rules.hoist_load"
    )
    hoist: HoistRule | None = Field(None, title="Hoist", description="replaces rules.hoist")
    formwork: FormworkRule | None = Field(None, title="Formwork", description="replaces rules.formwork")
    sensor_fault: SensorFaultRule | None = Field(
        None, title="Sensor fault", description="replaces rules.sensor_fault"
    )
    device_offline: DeviceOfflineRule | None = Field(
        None, title="Offline", description="replaces rules.device_offline"
    )


class RulesConfig(Model):
    """The safety rules' thresholds for the whole site."""

    crane_load: CraneLoadRule = Field(default_factory=CraneLoadRule, title="Load", description="crane.load")
    crane_wind: CraneWindRule = Field(default_factory=CraneWindRule, title="Wind", description="crane.wind")
    crane_tilt: CraneTiltRule = Field(default_factory=CraneTiltRule, title="Tilt", description="crane.tilt")
    crane_collision: CraneCollisionRule = Field(
        default_factory=CraneCollisionRule, title="Collision", description="crane.collision"
    )
    crane_jacking: CraneJackingRule = Field(
        default_factory=CraneJackingRule,
        title="Jacking",
        description="crane.jacking_motion, crane.jacking_wind, crane.jacking_balance, crane.jacking_night",
    )
    crane_zone: CraneZoneRule = Field(default_factory=CraneZoneRule, title="Zone", description="crane.zone")
    pit: PitRule = Field(
        default_factory=PitRule, title="Pit", description="pit.cumulative, pit.rate, pit.jump"
    )
    hoist_load: HoistLoadRule = Field(
        default_factory=HoistLoadRule, title="Hoist load", description="hoist.load"
    )
    hoist: HoistRule = Field(
        default_factory=HoistRule,
        title="Hoist",
        description="hoist.door, hoist.wind, hoist.arrester, hoist.operator",
    )
    formwork: FormworkRule = Field(
        default_factory=FormworkRule,
        title="Formwork",
        description="formwork.settle, formwork.disp, formwork.tilt, formwork.axial, formwork.silent",
    )
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
