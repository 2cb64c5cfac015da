"""The site as the API shows it: devices with live state, crane geometry and gauge bands, pit
points with their alarm values, hoists with their limits, formwork points with their alarm values,
cameras. Pure functions of the API's services."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from contract.kinds import registry
from contract.kinds.kind import Kind
from gateway.api.models import (
    Bands,
    CameraView,
    ConfinedSpaceView,
    CraneBands,
    CraneGeometry,
    DeviceView,
    FormworkLimitView,
    FormworkPointView,
    HoistView,
    KindView,
    MetricView,
    PitPointView,
    PlatformView,
    PointLimitView,
    SiteView,
    ZoneView,
)
from kinds.confined_space.kind import ConfinedSpaceDevice
from kinds.crane.kind import CraneDevice
from kinds.crane.thresholds import CraneLoadRule, CraneTiltRule, CraneWindRule
from kinds.formwork.kind import FormworkDevice
from kinds.formwork.limits import ITEMS as FORMWORK_ITEMS
from kinds.formwork.limits import alarm_value
from kinds.formwork.thresholds import FormworkRule
from kinds.hoist.kind import HoistDevice
from kinds.hoist.thresholds import HoistLoadRule, HoistRule
from kinds.pit.kind import PitDevice
from kinds.pit.limits import KIND_METRICS, point_limits
from kinds.pit.thresholds import PitRule
from kinds.platform.kind import PlatformDevice

if TYPE_CHECKING:
    from gateway.api.services import ApiServices


def site_view(svc: ApiServices) -> SiteView:
    """Project, devices, plan (cranes, zones, pit points) and cameras."""
    cfg = svc.site.config
    p = cfg.project
    return SiteView(
        code=p.code,
        name=p.name,
        city=p.city,
        district=p.district,
        devices=[device_view(svc, d.id) for d in cfg.devices],
        kinds=[kind_view(k) for k in registry.kinds() if any(d.kind == k.name for d in cfg.devices)],
        cranes=[crane_geometry(svc, d) for d in cfg.devices if isinstance(d, CraneDevice)],
        zones=[ZoneView(name=z.name, polygon=z.polygon) for z in cfg.no_lift_zones],
        pit_points=pit_points(svc),
        cameras=camera_views(svc),
        hoists=[hoist_view(svc, d) for d in cfg.devices if isinstance(d, HoistDevice)],
        formwork_points=formwork_points(svc),
        platforms=[platform_view(d) for d in cfg.devices if isinstance(d, PlatformDevice)],
        confined_spaces=[
            ConfinedSpaceView(
                id=d.id,
                area=d.confined_space.area,
                limits=d.confined_space.limits,
                test_valid_min=d.confined_space.test_valid_min,
            )
            for d in cfg.devices
            if isinstance(d, ConfinedSpaceDevice)
        ],
    )


def device_view(svc: ApiServices, device_id: str, with_latest: bool = False) -> DeviceView:
    """A device as the API shows it: config, link state, counters."""
    cfg = svc.site.config.device(device_id)
    live = svc.live.devices.get(device_id)
    latest: list[dict[str, Any]] = []
    if with_latest:
        latest = [
            {
                "point": r.point,
                "metric": r.metric,
                "value": r.value,
                "unit": r.unit,
                "ts": r.ts,
                "quality": r.quality.value,
            }
            for r in svc.live.device_readings(device_id)
        ]
    kind = registry.get(cfg.kind)
    return DeviceView(
        id=cfg.id,
        name=cfg.name,
        kind=cfg.kind,
        kind_name=kind.zh,
        card=kind.card,
        profile=cfg.profile,
        transport=cfg.transport.type,
        online=live.online if live else None,
        reason=live.reason if live else "",
        last_reading_ts=live.last_reading_ts if live else None,
        readings=live.readings if live else 0,
        latest=latest,
    )


def kind_view(kind: Kind) -> KindView:
    """A kind as its declaration describes it."""
    return KindView(
        name=kind.name,
        zh=kind.zh,
        en=kind.en,
        card=kind.card,
        metrics=[
            MetricView(name=m.name, zh=m.zh, en=m.en, unit=m.unit, text=m.text, states=dict(m.states))
            for m in kind.metrics
        ],
    )


def crane_geometry(svc: ApiServices, d: CraneDevice) -> CraneGeometry:
    """Where a crane stands, how far it reaches, and its gauges' bands from the rules in force for it."""
    rules = svc.site.config.rules
    load = rules.for_device(d.id, "crane_load")
    wind = rules.for_device(d.id, "crane_wind")
    tilt = rules.for_device(d.id, "crane_tilt")
    assert (
        isinstance(load, CraneLoadRule)
        and isinstance(wind, CraneWindRule)
        and isinstance(tilt, CraneTiltRule)
    )
    limit_deg = math.degrees(math.atan(d.crane.tilt_limit_per_mille / 1000))
    bands = CraneBands(
        load_pct=Bands(warning=load.warning_pct, alarm=load.alarm_pct, critical=load.critical_pct),
        wind_ms=Bands(warning=wind.warning_ms, alarm=wind.alarm_ms, critical=wind.critical_ms),
        tilt_deg=Bands(
            warning=limit_deg * tilt.warning_fraction,
            alarm=limit_deg,
            critical=limit_deg * tilt.critical_factor,
        ),
    )
    c = d.crane
    return CraneGeometry(
        id=d.id,
        x=c.position_m[0],
        y=c.position_m[1],
        jib_m=c.jib_m,
        counter_jib_m=c.counter_jib_m,
        jib_height_m=c.jib_height_m,
        slew_offset_deg=c.slew_offset_deg,
        slew_direction=c.slew_direction,
        bands=bands,
    )


def pit_points(svc: ApiServices) -> list[PitPointView]:
    """Every pit monitoring point with the alarm values its rules use."""
    out = []
    rules = svc.site.config.rules
    for d in svc.site.config.devices:
        if not isinstance(d, PitDevice):
            continue
        pit_rule = rules.for_device(d.id, "pit")
        assert isinstance(pit_rule, PitRule)
        for point in d.pit.points:
            limits = [point_limits(d.pit, point, m) for m in KIND_METRICS[point.kind]]
            out.append(
                PitPointView(
                    device=d.id,
                    code=point.code,
                    kind=point.kind,
                    limits=[
                        PointLimitView(
                            metric=lim.metric,
                            unit=lim.unit,
                            cumulative=lim.cumulative,
                            rate_per_day=lim.rate_per_day,
                            warning_fraction=pit_rule.warning_fraction,
                            baseline=lim.baseline,
                            clause=lim.clause,
                        )
                        for lim in limits
                        if lim is not None
                    ],
                )
            )
    return out


def hoist_view(svc: ApiServices, d: HoistDevice) -> HoistView:
    """A hoist's nameplate and the limits in force for it (hoist.load bands, wind, calibration)."""
    rules = svc.site.config.rules
    load = rules.for_device(d.id, "hoist_load")
    other = rules.for_device(d.id, "hoist")
    assert isinstance(load, HoistLoadRule) and isinstance(other, HoistRule)
    h = d.hoist
    return HoistView(
        id=d.id,
        model=h.model,
        rated_load_t=h.rated_load_t,
        rated_persons=h.rated_persons,
        erected_height_m=h.erected_height_m,
        load_pct=Bands(warning=load.warning_pct, alarm=load.alarm_pct, critical=load.critical_pct),
        wind_alarm_ms=other.wind_alarm_ms,
        moving_ms=other.moving_ms,
        arrester_calibrated_on=h.arrester_calibrated_on,
        # the day count the hoist.arrester rule uses: valid for arrester_valid_days after calibration
        arrester_valid_until=h.arrester_calibrated_on + timedelta(days=other.arrester_valid_days),
    )


def platform_view(d: PlatformDevice) -> PlatformView:
    """A platform's section and the last day its safety locks' calibration is valid (as
    platform.lock_calibration counts it)."""
    spec = d.platform
    return PlatformView(
        id=d.id, spec=spec, lock_valid_until=spec.lock_calibrated_on + timedelta(days=spec.lock_valid_days)
    )


def formwork_points(svc: ApiServices) -> list[FormworkPointView]:
    """Every formwork monitoring point with the alarm values its rules use."""
    out = []
    rules = svc.site.config.rules
    for d in svc.site.config.devices:
        if not isinstance(d, FormworkDevice):
            continue
        cfg = rules.for_device(d.id, "formwork")
        assert isinstance(cfg, FormworkRule)
        for point in d.formwork.points:
            out.append(
                FormworkPointView(
                    device=d.id,
                    code=point.code,
                    warning_fraction=cfg.warning_fraction,
                    limits=[
                        FormworkLimitView(
                            metric=metric,
                            unit=item.unit,
                            alarm=alarm_value(point, metric),
                            by_size=not item.signed,
                        )
                        for metric, item in FORMWORK_ITEMS.items()
                    ],
                )
            )
    return out


def camera_views(svc: ApiServices) -> list[CameraView]:
    """The cameras' state as the vision service reports it."""
    cams = svc.cameras
    if cams is None:
        return []
    return [
        CameraView(
            id=c.id,
            name=c.name,
            online=bool(c.online),
            last_frame_ts=c.last_frame_ts,
            helmet_card=c.helmet_card,
            helmet_card_why=c.helmet_card_why,
        )
        for c in cams.cameras()
    ]
