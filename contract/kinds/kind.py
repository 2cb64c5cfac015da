"""What a device kind declares about itself: the one place each kind of device is described.

A kind (a tower crane, a deep pit, a suspended platform ...) is declared once, in a module of its own
(kinds/<kind>/kind.py for the kinds sitegw ships; any importable module for a plug-in), as one
:class:`Kind`. Everything else reads the registry (contract/kinds/registry.py) instead of keeping its own
list: the site file's ``devices`` union, replay's metric checks, the warm-up's history, the readings
summaries, the regulator's names, the API and the dashboard, the simulators.

The parts that are code live in their own layer and are named here by ``module:attribute``: the rules'
judge (kinds/<kind>/judge.py), the simulator (kinds/<kind>/sim.py) and the dashboard card
(kinds/<kind>/card.py). The contract imports neither, so
the regulator, which shares only the contract, can read a kind's names without loading its rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the declarations are data: importing the config models here would loop through them
    from contract.config.common import Model
    from contract.config.device import DeviceConfig

Pick = Literal["max", "min", "peak", "last"]
"""Which reading stands for a minute in a readings summary: the largest, the smallest, the one farthest
from zero (with its sign), or the minute's last."""


@dataclass(frozen=True)
class Thresholds:
    """One section of the site file's ``rules:`` a kind declares (``rules.crane_load``): its thresholds'
    model, whose defaults come from the standards. The site file's ``rules:`` is built from the kinds'
    sections as its ``devices:`` is from their device models (contract/config/rules.py)."""

    name: str
    """The key under ``rules:`` (``crane_load``), unique among every kind's and the shared sections."""
    model: type[Model]
    title: str
    description: str
    """The rule ids it sets the thresholds of (the reference's description of the section)."""
    per_device: bool = True
    """Also under ``rules.devices.<id>``, where it replaces the site-wide section for that device."""


@dataclass(frozen=True)
class Metric:
    """One canonical metric a kind's devices report (the ``metric`` of a Reading)."""

    name: str
    """Its id on the wire and in stores, e.g. ``load_t`` (unit last, as docs/design.md names them)."""
    zh: str
    """Its Chinese name, as every screen, export and notice shows it, e.g. 起重量."""
    unit: str = ""
    """Its unit after scaling, e.g. t, m, °, m/s, %, kN; empty for counts and states."""
    en: str = ""
    """Its English name, for the English dashboard and logs."""
    text: bool = False
    """A text value (a driver's card number), never a number."""
    summary: Pick | None = None
    """How the regulator's readings summary picks the minute's value; None: not summarised."""
    states: Mapping[int, str] = field(default_factory=dict)
    """For a state coded as a number (a hoist's door state): each value and the words it stands for."""
    point_is_subject: bool = False
    """The reading's point names who it is about (a person through a gate), not a monitoring point: there is
    no bound on how many the device reports, so the gateway neither bounds them as a device's points nor
    keeps a series for each (the kind's judge says which, if any, stay a series)."""

    def state_name(self, value: float) -> str:
        """The Chinese words of a coded state, or the number itself when it has none."""
        if value.is_integer() and int(value) in self.states:
            return self.states[int(value)]
        return f"{value:g}"


@dataclass(frozen=True)
class Kind:
    """One kind of device and all sitegw needs to know of it."""

    name: str
    """The ``kind`` of the site file and of device profiles, e.g. ``crane``."""
    zh: str
    """Its Chinese name, e.g. 塔吊."""
    en: str
    """Its English name, e.g. tower crane."""
    device: type[DeviceConfig]
    """The site file's model of one device of this kind: DeviceConfig with ``kind: Literal[name]`` and
    the kind's own section (every field titled and described)."""
    metrics: tuple[Metric, ...]
    """Every metric its devices report, the safety-device flags included."""
    section: str | None = None
    """The field of ``device`` that holds the kind's own section (``crane:``), if it has one."""
    watched: bool = True
    """Whether its silence is a device.offline alert (a camera's is camera.offline, from vision)."""
    offline_clause: str = ""
    """The clause of its device.offline alerts (what its monitoring being lost means)."""
    flags: tuple[str, ...] = ()
    """The safety-device status bits its box reports about itself (rules/safety_devices.py judges
    them), e.g. ``flag_limiter_bypass``."""
    sample_metrics: frozenset[str] = frozenset()
    """Metrics judged together: the readings of one device at one instant are one sample, kept and then
    judged as a whole (a crane's load with its radius); the other metrics are judged one by one."""
    device_metrics: frozenset[str] = frozenset()
    """Metrics of a multi-point device reported for the device as a whole, without a point code (a
    formwork's pour under way)."""
    judge: str = ""
    """``module:attribute`` of the rules' judge of this kind (kinds/<kind>/judge.py); empty: not judged."""
    rules: Mapping[str, str] = field(default_factory=dict)
    """The rule ids its judge raises and their Chinese names, as the regulator lists them. Each needs a
    limit probe from the judge (``probes``, rules/probes.py), or tests/rules/test_all_clear.py fails."""
    simulator: str = ""
    """``module:attribute`` of the simulator of one device of this kind (kinds/<kind>/sim.py)."""
    scenarios: tuple[str, ...] = ("normal",)
    """The named scenarios its simulator plays, ``normal`` first."""
    open_metrics: bool = False
    """Its metrics are whatever its profile maps (a generic device): any metric id is taken."""
    weather_stops: frozenset[str] = frozenset()
    """The weather stops its machines obey (contract/weather.py ``STOPS``: lifting, erection, platform,
    height, hoist, outdoor): a device of this kind reporting work (``Shared.work_seen``) while one is in
    force is 冒险作业 (rules/weather_work.py)."""
    thresholds: tuple[Thresholds, ...] = ()
    """Its sections of the site file's ``rules:`` (kinds/<kind>/thresholds.py), read by its rules through
    ``rules.for_device(device, name)``."""
    card: str = ""
    """``module:attribute`` of its own dashboard card (kinds/<kind>/card.py: a ``contract.kinds.card.Card``,
    its data view and its script); empty: the generic card (every metric with its Chinese name, value and
    unit)."""

    def metric(self, name: str) -> Metric | None:
        """One of its metrics by id."""
        for m in self.metrics:
            if m.name == name:
                return m
        return None

    @property
    def metric_names(self) -> frozenset[str]:
        """The ids of all its metrics."""
        return frozenset(m.name for m in self.metrics)
