"""The site's dangerous work as supervisors see and steer it: work windows (a pour of high formwork, a
tower crane's jacking, a crane's or hoist's 安拆), each started and ended by a supervisor, and who of the key
personnel is on site.

A window is recorded as its device's reading (``pour_active``, ``jacking_active``: 1 started, 0 ended;
``install_active``: the stage started, 0 ended)
published on the bus like any reading, so the rules, the store, InfluxDB and ``sitegw replay`` all see
the same window; who started or ended it is kept beside it in ``<kind>s.json`` (``pours.json``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from contract.config import LoadedSite
from contract.config.device import DeviceConfig
from contract.config.papers import INSTALL
from contract.config.personnel import ROLE_ZH
from contract.readings import Reading
from kinds.crane.kind import JACKING, CraneDevice
from kinds.formwork.kind import POUR, FormworkDevice
from kinds.hoist.kind import HoistDevice


class WorkState(Protocol):
    """What the rules know of the work going on (the RuleEngine, restored by the warm-up)."""

    def on_site(self) -> list[tuple[str, float]]:
        """(person id, entry ts) of everyone on site."""
        ...

    def open_windows(self, metric: str) -> list[str]:
        """The devices whose window of ``metric`` is open."""
        ...


class WorkError(ValueError):
    """A window request that cannot be carried out (unknown device, nothing to end, a missing check)."""


@dataclass(frozen=True)
class WindowKind:
    """A kind of work window a supervisor opens and closes on one kind of device."""

    name: str  # "pour", as the API's path and the file's name say it
    metric: str  # the device's reading that records it
    device: type[DeviceConfig] | tuple[type[DeviceConfig], ...]  # the devices it opens on
    of: str  # their kind, as the site file names it
    area: Callable[[DeviceConfig], str]  # where the device stands, for the list


def _where(d: DeviceConfig) -> str:
    """Where a formwork stands, or a crane's model: what the window lists say beside its name."""
    if isinstance(d, FormworkDevice):
        return d.formwork.area
    if isinstance(d, CraneDevice):
        return d.crane.model
    return d.hoist.model if isinstance(d, HoistDevice) else ""


POUR_WINDOW = WindowKind("pour", POUR, FormworkDevice, "formwork", _where)
JACKING_WINDOW = WindowKind("jacking", JACKING, CraneDevice, "crane", _where)
INSTALL_WINDOW = WindowKind("install", INSTALL, (CraneDevice, HoistDevice), "crane or hoist", _where)
WINDOWS: Mapping[str, WindowKind] = {w.name: w for w in (POUR_WINDOW, JACKING_WINDOW, INSTALL_WINDOW)}


class WindowView(BaseModel):
    """One device's work window (a pour, a jacking): open or not, and who last opened or closed it."""

    device: str = Field(description="device id")
    name: str = Field(description="display name, e.g. 3号楼5层高支模")
    area: str = Field("", description="where it stands (formwork) or its model (crane)")
    active: bool = Field(description="the window is open")
    changed_ts: float | None = Field(None, description="Unix seconds of the last start or end")
    changed_by: str = Field("", description="who started or ended it")
    record: dict[str, float | str | bool] = Field(
        default_factory=dict, description="what was recorded at its last end (a jacking's checks)"
    )


class PersonView(BaseModel):
    """One key person and whether the access gates saw them enter."""

    id: str
    name: str
    role: str = Field(description="project_manager, safety_officer, chief_supervisor or technical_lead")
    role_zh: str
    on_site: bool
    since: float | None = Field(None, description="Unix seconds of their entry, when on site")
    certificate_no: str = ""
    certificate_valid_until: date | None = None
    certificate_valid: bool = Field(description="the certificate is valid today (or no expiry is known)")


class PersonnelView(BaseModel):
    """Who is on site now."""

    key_people: list[PersonView]
    others_on_site: int = Field(description="workers on site who are not key personnel (head count)")


class SiteWork:
    """Pours and attendance over one gateway's rules."""

    def __init__(
        self,
        site: LoadedSite,
        state: WorkState,
        publish: Callable[[Sequence[Reading]], object],  # what it returns is not used
        state_dir: Path,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._site = site
        self._state = state
        self._publish = publish
        self._clock = clock
        self._dir = state_dir
        self._changes = {name: _load(self._file(name)) for name in WINDOWS}

    def _file(self, window: str) -> Path:
        return self._dir / f"{window}s.json"

    def windows(self, window: str) -> list[WindowView]:
        """Every device of the window's kind with its window state."""
        kind = WINDOWS[window]
        active = set(self._state.open_windows(kind.metric))
        changes = self._changes[window]
        out = []
        for d in self._site.config.devices:
            if not isinstance(d, kind.device):
                continue
            change = changes.get(d.id, {})
            ts = change.get("ts")
            record = change.get("record")
            out.append(
                WindowView(
                    device=d.id,
                    name=d.display_name,
                    area=kind.area(d),
                    active=d.id in active,
                    changed_ts=float(ts) if isinstance(ts, int | float) else None,
                    changed_by=str(change.get("actor", "")),
                    record=record if isinstance(record, dict) else {},
                )
            )
        return out

    def device_of(self, window: str, device: str) -> DeviceConfig:
        """``device`` if it is of the window's kind (WorkError naming the devices that are, if not)."""
        kind = WINDOWS[window]
        known = {d.id: d for d in self._site.config.devices}
        dev = known.get(device)
        if not isinstance(dev, kind.device):
            of_kind = sorted(d for d, c in known.items() if isinstance(c, kind.device))
            raise WorkError(
                f"{device!r} is not a {kind.of} device of this site ({kind.of} devices: {of_kind or 'none'})"
            )
        return dev

    def check_state(self, window: str, device: str, active: bool) -> None:
        """WorkError unless ``window`` on ``device`` may be started (``active``) or ended now."""
        kind = WINDOWS[window]
        if active == (device in self._state.open_windows(kind.metric)):
            raise WorkError(f"{device}: a {kind.name} is {'already' if active else 'not'} under way")

    def set_window(
        self,
        window: str,
        device: str,
        active: bool,
        actor: str,
        extra: Sequence[tuple[str, float]] = (),
        record: Mapping[str, float | str | bool] | None = None,
        value: float = 1.0,
    ) -> WindowView:
        """Start (``active``) or end ``window`` on ``device``; the rules hear of it at once, with the
        ``extra`` readings (metric, value) published at the same instant, before the window's own;
        ``record`` is kept with the change (a jacking's closing checks); ``value``: the window's reading
        as it starts (an 安拆's stage)."""
        kind = WINDOWS[window]
        self.device_of(window, device)
        self.check_state(window, device, active)
        now = self._clock()
        code = self._site.config.project.code
        readings = [Reading(now, code, device, metric, value) for metric, value in extra]
        self._publish([*readings, Reading(now, code, device, kind.metric, value if active else 0.0)])
        change: dict[str, object] = {"ts": now, "actor": actor, "active": "start" if active else "end"}
        if active:
            change["value"] = value
        if record:
            change["record"] = dict(record)
        self._changes[window][device] = change
        _save(self._file(window), self._changes[window])
        return next(p for p in self.windows(window) if p.device == device)

    def record(
        self,
        window: str,
        device: str,
        readings: Sequence[tuple[str, float]],
        record: Mapping[str, float | str | bool],
        stamped: str = "",
    ) -> WindowView:
        """Publish ``device``'s ``readings`` (metric, value) now, and add ``record`` to what its window's last
        change recorded (a jacking's limiters re-calibrated after the window closed), the instant under the key
        ``stamped`` (empty: not kept); the window itself is left as it is."""
        self.device_of(window, device)
        now, code = self._clock(), self._site.config.project.code
        self._publish([Reading(now, code, device, metric, value) for metric, value in readings])
        change = self._changes[window].setdefault(device, {})
        kept = change.get("record")
        merged = {**(kept if isinstance(kept, dict) else {}), **record}
        if stamped:
            merged[stamped] = now
        change["record"] = merged
        _save(self._file(window), self._changes[window])
        return next(p for p in self.windows(window) if p.device == device)

    def value(self, window: str, device: str) -> int:
        """The reading ``window`` last started with on ``device`` (an 安拆's stage; 1 for the others)."""
        found = self._changes[window].get(device, {}).get("value", 1.0)
        return int(float(str(found)))

    def reopen(self, window: str) -> list[str]:
        """At start: the windows its file records as open are told to the rules again (a jacking may
        have opened before the warm-up's history); the devices told."""
        kind = WINDOWS[window]
        opened = [
            d
            for d, change in self._changes[window].items()
            if change.get("active") == "start" and any(dev.id == d for dev in self._site.config.devices)
        ]
        if opened:
            now, code = self._clock(), self._site.config.project.code
            self._publish([Reading(now, code, d, kind.metric, float(self.value(window, d))) for d in opened])
        return opened

    def pours(self) -> list[WindowView]:
        """Every formwork device with its pour state."""
        return self.windows(POUR_WINDOW.name)

    def set_pour(self, device: str, active: bool, actor: str) -> WindowView:
        """Start (``active``) or end a pour on ``device``; the rules hear of it at once."""
        return self.set_window(POUR_WINDOW.name, device, active, actor)

    def personnel(self, today: date | None = None) -> PersonnelView:
        """The key people (on site or not) and how many others are in."""
        inside = dict(self._state.on_site())
        today = today or date.today()
        people = []
        for p in self._site.config.key_personnel:
            until = p.certificate_valid_until
            people.append(
                PersonView(
                    id=p.id,
                    name=p.name,
                    role=p.role,
                    role_zh=ROLE_ZH[p.role],
                    on_site=p.id in inside,
                    since=inside.get(p.id),
                    certificate_no=p.certificate_no,
                    certificate_valid_until=until,
                    certificate_valid=until is None or today <= until,
                )
            )
        keys = {p.id for p in self._site.config.key_personnel}
        return PersonnelView(key_people=people, others_on_site=sum(1 for pid in inside if pid not in keys))


Changes = dict[str, dict[str, object]]  # device -> its last start or end


def _load(file: Path) -> Changes:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # nothing recorded yet (or a torn file from before atomic writes): start empty
    return data if isinstance(data, dict) else {}


def _save(file: Path, changes: Changes) -> None:
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(changes, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, file)  # atomic: a power cut leaves the old file or the new one
