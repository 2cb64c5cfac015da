"""The registry of device kinds: those sitegw ships and those plug-ins add.

Kinds come from three places, loaded once, in this order:
- the kinds sitegw ships (:data:`BUILTIN`, each its folder's declaration module, kinds/<kind>/kind.py);
- installed plug-ins: every entry point of the group ``sitegw.kinds`` (a package's
  ``[project.entry-points."sitegw.kinds"] platform = "my_pkg.kind"``), naming a module;
- the modules named in the environment variable ``SITEGW_KINDS`` (comma-separated), for a kind
  tried out before it is packaged.

A kind module holds ``KIND`` (one :class:`~contract.kinds.kind.Kind`) or ``KINDS`` (several). It must not
import ``contract.config.site`` at its top (the site model is built from the registry). The gateway, the
regulator and every command read the same registry, so a plug-in installed on both sides is judged by the
one and named by the other.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from contract.kinds.kind import Kind, Metric, Pick
from contract.weather import STOPS

# the shipped kinds' declaration modules, by name: the contract loads them, it does not import them
BUILTIN = (
    "kinds.crane.kind",
    "kinds.anemometer.kind",
    "kinds.pit.kind",
    "kinds.hoist.kind",
    "kinds.platform.kind",
    "kinds.formwork.kind",
    "kinds.attendance.kind",
    "kinds.confined_space.kind",
    "kinds.camera.kind",
    "kinds.generic.kind",
    "kinds.weather_station.kind",
    "kinds.welder.kind",
    "kinds.power.kind",
    "kinds.tunnel.kind",
    "kinds.slope.kind",
    "kinds.fire_detector.kind",
    "kinds.shield.kind",
)
ENTRY_POINTS = "sitegw.kinds"
ENV = "SITEGW_KINDS"


class KindError(Exception):
    """A kind that cannot be registered, or a kind module that cannot be loaded, with what to fix."""


_kinds: dict[str, Kind] = {}
_folders: dict[str, Path] = {}  # each kind's package folder (its profiles are in its profiles/)
_metrics: dict[str, Metric] = {}  # each metric id's first declaration: the name shown without a kind
_loaded = False
_listeners: list[Callable[[], None]] = []
_batch = False  # loading several kinds at once: the listeners hear of them once, at the end


def register(kind: Kind) -> Kind:
    """Add ``kind`` (KindError if its name is taken by another kind or a metric contradicts another
    kind's declaration of the same id: a unit, a text/number type or a summary pick)."""
    have = _kinds.get(kind.name)
    if have is kind:
        return kind
    if have is not None:
        raise KindError(f"kind {kind.name!r} is declared twice (the second by {kind.device.__module__})")
    if kind.device.model_fields["kind"].annotation is str:
        raise KindError(f"kind {kind.name}: its device model must declare kind: Literal[{kind.name!r}]")
    names = [m.name for m in kind.metrics]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise KindError(f"kind {kind.name}: metric(s) {', '.join(doubled)} declared twice")
    for m in kind.metrics:
        other = _metrics.get(m.name)
        if other is not None and (other.unit, other.text, other.summary) != (m.unit, m.text, m.summary):
            raise KindError(
                f"kind {kind.name}: metric {m.name} ({m.unit or 'no unit'}, "
                f"{'text' if m.text else 'number'}, summary {m.summary}) contradicts its declaration by "
                f"another kind ({other.unit or 'no unit'}, {'text' if other.text else 'number'}, "
                f"summary {other.summary}): one id, one meaning"
            )
    unknown = sorted(set(kind.flags) - set(names))
    if unknown:
        raise KindError(f"kind {kind.name}: flags {', '.join(unknown)} are not among its metrics")
    strange = sorted(set(kind.weather_stops) - set(STOPS))
    if strange:
        raise KindError(
            f"kind {kind.name}: weather_stops {', '.join(strange)} unknown (stops: {', '.join(STOPS)})"
        )
    _kinds[kind.name] = kind
    for m in kind.metrics:
        _metrics.setdefault(m.name, m)
    if not _batch:
        _changed()
    return kind


def _changed() -> None:
    for listener in _listeners:
        listener()


def load_module(name: str) -> list[Kind]:
    """Import a kind module and register what it declares."""
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise KindError(f"kind module {name!r} cannot be imported: {exc}") from exc
    declared: Any = getattr(module, "KINDS", None) or [getattr(module, "KIND", None)]
    found = [k for k in declared if isinstance(k, Kind)]
    if not found:
        raise KindError(f"kind module {name!r} declares no KIND (a contract.kinds.Kind) nor KINDS")
    registered = [register(k) for k in found]
    where = getattr(module, "__file__", None)
    if where:
        for k in registered:
            _folders.setdefault(k.name, Path(where).resolve().parent)
    return registered


def folder(name: str) -> Path | None:
    """The folder of a kind's declaration module, where its profiles/, card and testcases/ are; None for a
    kind registered by hand."""
    ensure_loaded()
    return _folders.get(name)


def profile_dirs() -> list[Path]:
    """The ``profiles/`` folders beside the kinds' declaration modules (a kind's shipped device
    profiles), in the kinds' order."""
    ensure_loaded()
    found = [_folders[k] / "profiles" for k in _kinds if k in _folders]
    return list(dict.fromkeys(d for d in found if d.is_dir()))


def plugin_modules() -> list[str]:
    """The plug-in kind modules this process finds: entry points, then ``SITEGW_KINDS``."""
    found = [ep.value for ep in entry_points(group=ENTRY_POINTS)]
    found += [m.strip() for m in os.environ.get(ENV, "").split(",") if m.strip()]
    return list(dict.fromkeys(found))


def ensure_loaded() -> None:
    """Load the shipped kinds and the plug-ins once."""
    global _loaded, _batch
    if _loaded:
        return
    _loaded = _batch = True  # before importing: a kind module reading the registry must not load it again
    try:
        for name in (*BUILTIN, *plugin_modules()):
            load_module(name)
    finally:
        _batch = False
        _changed()


def kinds() -> tuple[Kind, ...]:
    """Every kind, the shipped ones first, in the order they were registered."""
    ensure_loaded()
    return tuple(_kinds.values())


def find(name: str) -> Kind | None:
    """The kind of that name, or None."""
    ensure_loaded()
    return _kinds.get(name)


def get(name: str) -> Kind:
    """The kind of that name (KindError naming the kinds there are)."""
    found = find(name)
    if found is None:
        raise KindError(f"unknown device kind {name!r} (kinds: {', '.join(_kinds)})")
    return found


def metric(name: str) -> Metric | None:
    """A metric's declaration (by the first kind that declares it), or None for an unknown id."""
    ensure_loaded()
    return _metrics.get(name)


def summary_picks() -> dict[str, Pick]:
    """Every metric a readings summary sends, and how it picks the minute's value."""
    ensure_loaded()
    return {name: m.summary for name, m in _metrics.items() if m.summary is not None}


def text_metrics() -> frozenset[str]:
    """The metrics whose values are text (drivers' card numbers), never numbers."""
    ensure_loaded()
    return frozenset(name for name, m in _metrics.items() if m.text)


def subject_metrics() -> frozenset[str]:
    """The metrics whose point names who a reading is about (a person through a gate), not a series."""
    ensure_loaded()
    return frozenset(name for name, m in _metrics.items() if m.point_is_subject)


SHARED_RULES: dict[str, str] = {"sensor.fault": "传感器故障", "device.offline": "设备离线"}
"""The checks every kind shares, with their Chinese names: a device's own sensor and its link
(rules/sensor_fault.py, rules/device_offline.py); no kind declares them."""


def kind_rules(kind: Kind) -> dict[str, str]:
    """The rule ids ``kind``'s devices raise, with their Chinese names: those it declares and, for a
    machine kind (its device model has a ``papers:`` section, contract/config/papers.py), its papers
    rule <kind>.papers."""
    from contract.config.papers import MachineDevice  # the config models import the registry

    papers = (
        {f"{kind.name}.papers": f"{kind.zh}备案登记检验"} if issubclass(kind.device, MachineDevice) else {}
    )
    return {**kind.rules, **papers}


def rule_names() -> dict[str, str]:
    """Every rule id a kind declares, with its Chinese name (:func:`kind_rules`; the shared checks are
    :data:`SHARED_RULES`)."""
    return {rule: zh for k in kinds() for rule, zh in kind_rules(k).items()}


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` once the kinds are loaded, and again whenever a kind is registered later (the
    site model rebuilds its union of device models)."""
    _listeners.append(listener)
    if _loaded:
        listener()
    else:
        ensure_loaded()


def resolve(ref: str) -> Any:
    """The object a ``module:attribute`` reference names (a judge, a simulator)."""
    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise KindError(f"{ref!r} cannot be loaded: {exc}") from exc
