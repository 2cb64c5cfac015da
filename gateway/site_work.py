"""The site's dangerous work as supervisors see and steer it: pours of high formwork (started and
ended by a supervisor) and who of the key personnel is on site.

A pour is recorded as the formwork device's ``pour_active`` reading (1 started, 0 ended) published on
the bus like any reading, so the rules, the store, InfluxDB and ``sitegw replay`` all see the same
pour; who started or ended it is kept beside it in ``pours.json``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from contract.config import LoadedSite
from contract.config.personnel import ROLE_ZH
from contract.kinds.formwork import FormworkDevice
from contract.readings import Reading
from rules.formwork_silent import POUR_METRIC


class WorkState(Protocol):
    """What the rules know of the work going on (the RuleEngine, restored by the warm-up)."""

    def on_site(self) -> list[tuple[str, float]]:
        """(person id, entry ts) of everyone on site."""
        ...

    def pouring(self) -> list[str]:
        """Formwork devices with a pour under way."""
        ...


class WorkError(ValueError):
    """A pour request that cannot be carried out (unknown device, nothing to end)."""


class PourView(BaseModel):
    """One formwork device's pour state."""

    device: str = Field(description="formwork device id")
    name: str = Field(description="display name, e.g. 3号楼5层高支模")
    area: str = Field("", description="where the formwork stands")
    active: bool = Field(description="a pour is under way")
    changed_ts: float | None = Field(None, description="Unix seconds of the last start or end")
    changed_by: str = Field("", description="who started or ended it")


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
        publish: Callable[[Sequence[Reading]], None],
        state_dir: Path,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._site = site
        self._state = state
        self._publish = publish
        self._clock = clock
        self._file = state_dir / "pours.json"
        self._changes: dict[str, dict[str, float | str]] = self._load()

    def pours(self) -> list[PourView]:
        """Every formwork device with its pour state."""
        active = set(self._state.pouring())
        out = []
        for d in self._site.config.devices:
            if not isinstance(d, FormworkDevice):
                continue
            change = self._changes.get(d.id, {})
            ts = change.get("ts")
            out.append(
                PourView(
                    device=d.id,
                    name=d.name or d.id,
                    area=d.formwork.area,
                    active=d.id in active,
                    changed_ts=float(ts) if ts is not None else None,
                    changed_by=str(change.get("actor", "")),
                )
            )
        return out

    def set_pour(self, device: str, active: bool, actor: str) -> PourView:
        """Start (``active``) or end a pour on ``device``; the rules hear of it at once."""
        known = {d.id: d for d in self._site.config.devices}
        dev = known.get(device)
        if not isinstance(dev, FormworkDevice):
            formwork = sorted(d for d, c in known.items() if isinstance(c, FormworkDevice))
            raise WorkError(
                f"{device!r} is not a formwork device of this site (formwork devices: {formwork or 'none'})"
            )
        if active == (device in self._state.pouring()):
            raise WorkError(f"{device}: a pour is {'already' if active else 'not'} under way")
        now = self._clock()
        code = self._site.config.project.code
        self._publish([Reading(now, code, device, POUR_METRIC, 1.0 if active else 0.0)])
        self._changes[device] = {"ts": now, "actor": actor, "active": "start" if active else "end"}
        self._save()
        return next(p for p in self.pours() if p.device == device)

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

    def _load(self) -> dict[str, dict[str, float | str]]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # no pour recorded yet (or a torn file from before atomic writes): start empty
        return data if isinstance(data, dict) else {}

    def _save(self) -> None:
        tmp = self._file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._changes, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._file)  # atomic: a power cut leaves the old file or the new one
