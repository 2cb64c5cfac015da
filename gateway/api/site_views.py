"""The site as the API shows it: devices with live state, the kinds, the no-lift zones, the cameras, and
each kind's card's own list (contract/kinds/card.py). Pure functions of the API's services; no kind is
named here."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model

from contract.kinds import registry
from contract.kinds.card import Card, card_name, card_of, script_path
from contract.kinds.kind import Kind
from gateway.api.models import CameraView, DeviceView, KindView, MetricView, SiteView, ZoneView

if TYPE_CHECKING:
    from gateway.api.services import ApiServices


def cards() -> list[Card]:
    """The cards of every kind in the registry that add a list to the site's JSON, each once."""
    found: dict[str, Card] = {}
    for kind in registry.kinds():
        card = card_of(kind)
        if card is not None and card.data is not None:
            found.setdefault(card.name, card)
    return list(found.values())


def site_view_model() -> type[SiteView]:
    """SiteView with a list for each card of the registry's kinds, its entries described by the card's
    model in the OpenAPI document."""
    return _site_view_model(tuple(cards()))


@cache  # one model per set of cards: a kind registered later (a test's plug-in) makes a new one
def _site_view_model(with_cards: tuple[Card, ...]) -> type[SiteView]:
    fields: dict[str, Any] = {}
    for card in with_cards:
        assert card.data is not None
        if card.data.key in SiteView.model_fields or card.data.key in fields:
            raise registry.KindError(
                f"card {card.name}: its key {card.data.key!r} is already in the site's JSON: pick another"
            )
        fields[card.data.key] = (
            list[card.data.model],  # type: ignore[name-defined]
            Field(default_factory=list, description=card.data.description),
        )
    return create_model("SiteView", __base__=SiteView, __doc__=SiteView.__doc__, **fields)


def site_view(svc: ApiServices) -> BaseModel:
    """Project, devices, kinds, zones, cameras, and every card's list (empty for a card no device of the site
    has: its view is not run, so a kind's card that imports its compiled rules loads them only on a site
    that has the kind, issue #55)."""
    cfg = svc.site.config
    p = cfg.project
    shown = {card_name(registry.get(d.kind)) for d in cfg.devices}
    return site_view_model()(
        code=p.code,
        name=p.name,
        city=p.city,
        district=p.district,
        devices=[device_view(svc, d.id) for d in cfg.devices],
        kinds=[kind_view(k) for k in registry.kinds() if any(d.kind == k.name for d in cfg.devices)],
        zones=[ZoneView(name=z.name, polygon=z.polygon) for z in cfg.no_lift_zones],
        cameras=camera_views(svc),
        **{c.data.key: c.data.view(cfg) for c in cards() if c.data is not None and c.name in shown},
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
        card=card_name(kind),
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
    name = card_name(kind)
    return KindView(
        name=kind.name,
        zh=kind.zh,
        en=kind.en,
        card=name,
        script=f"cards/{name}.js" if script_path(kind) is not None else "",
        metrics=[
            MetricView(name=m.name, zh=m.zh, en=m.en, unit=m.unit, text=m.text, states=dict(m.states))
            for m in kind.metrics
        ],
    )


def card_script(name: str) -> Path | None:
    """The script of the card of that name, or None where no kind's card of that name has one."""
    for kind in registry.kinds():
        path = script_path(kind)
        if path is not None and card_name(kind) == name:
            return path
    return None


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
            late_s=c.late_s,
            behind=c.behind,
        )
        for c in cams.cameras()
    ]
