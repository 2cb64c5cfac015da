"""The timed inputs of a replay that are not readings: the regional warning signals, the site-work
windows and the hot-work permits, read from a JSON Lines file (``sitegw replay --inputs FILE``; docs/site/running.md, "Replay inputs").

One JSON object a line (blank lines skipped), each naming what it is with ``"input"``:

- ``{"input": "warning", "type": "typhoon", "colour": "yellow", "valid_from": "2026-11-21T10:00:00+08:00",
  "valid_to": null, "cleared_at": "2026-11-21T12:00:00+08:00"}``: a signal as ``sitegw warning set`` sets
  it (type, colour, ``--from``, ``--to``, ``--measure`` as ``measure``), cleared (``sitegw warning clear``)
  at ``cleared_at`` if given; any other field of a signal as the gateway keeps it (``id``, ``source``,
  ``stops``, ``cleared_ts``) may be given too. Without ``id`` it is named after its line.
- ``{"input": "window", "window": "jacking", "device": "crane-1", "start": "...", "end": "...",
  "height_m": 62.5}``: a work window as ``sitegw jacking start``/``end`` or ``sitegw pour start``/``end``
  record it: the device's window reading (``jacking_active``, ``pour_active``) 1 at ``start`` and 0 at
  ``end`` (none: still open at the end of the replay); a jacking window may close with the jib's new height,
  and its ``limiters_recalibrated`` reading (crane.recalibration) is 1 at ``recalibrated_at`` (at its end, as
  ``sitegw jacking end --limiters-recalibrated`` records it, or later, as ``sitegw jacking recalibrated``) and 0
  at its end when that is later or not given.
- ``{"input": "window", "window": "install", "device": "hoist-1", "stage": "erect", "start": "...", "end":
  "..."}``: a crane's or hoist's 安拆 window as ``sitegw install start --stage``/``end`` record it: its
  ``install_active`` reading, the stage's code (erect 1, climb 2, dismantle 3) at ``start`` and 0 at ``end``.
- ``{"input": "permit", "id": "DH-001", "place": "3号楼5层", "start": "...", "end": "...", "operator":
  {...}, "fire_watch": {"name": "李四", "person_id": "W-102"}, "extinguishers": 2, "extinguishers_checked":
  true, "combustibles_cleared": true, "signer": "王工", "closed_at": "..."}``: a hot-work permit as
  ``sitegw hot-work issue`` records it (contract/hot_work.py: place, outdoor, method, level, the
  operator's card), closed with its post-work check at ``closed_at`` if given (none: never closed); the
  signature's time is its ``start`` unless ``signed_at`` says otherwise. Without ``id`` it is named
  after its line.

Every time is ISO 8601 with its UTC offset. A bad line is reported as ``file:line: what is wrong`` and
nothing is replayed, as for the readings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from contract.config.loader import LoadedSite
from contract.hot_work import Permit, PermitRequest
from contract.readings import Reading
from contract.weather import WarningSignal, default_measure
from gateway.site.install import STAGES, Stage
from gateway.site.site_work import WINDOWS
from kinds.crane.kind import JIB_HEIGHT, LIMITERS, MAX_TIES, TIES_ADDED
from sitegw.replay import ReplayInputError, noted

MAX_LINES = 10_000  # a replay's warnings, windows and permits: a season of them is a few thousand
MAX_LINE_BYTES = 16_384


class WarningInput(WarningSignal):
    """A warning signal line: a signal as the gateway keeps it, with its clearing time as a time."""

    model_config = ConfigDict(extra="forbid")
    input: Literal["warning"]
    id: str = Field("", max_length=100, description="its id (default: named after its line)")
    valid_from: AwareDatetime = Field(description="in force from (ISO 8601 with its UTC offset)")
    valid_to: AwareDatetime | None = Field(None, description="in force until (none: until cleared)")
    cleared_at: AwareDatetime | None = Field(None, description="cleared at (none: not cleared)")


class WindowInput(BaseModel):
    """A work window line: a pour or a jacking, opened at ``start`` and closed at ``end``."""

    model_config = ConfigDict(extra="forbid")
    input: Literal["window"]
    window: Literal["pour", "jacking", "install"] = Field(
        description="pour (a formwork's), jacking (a crane's) or install (a crane's or hoist's 安拆)"
    )
    device: str = Field(max_length=100, description="the formwork's, the crane's or the hoist's id")
    stage: Stage | None = Field(None, description="an install window's stage: erect, climb or dismantle")
    start: AwareDatetime = Field(description="opened at")
    end: AwareDatetime | None = Field(None, description="closed at (none: open to the end)")
    height_m: float | None = Field(
        None, gt=0, le=1000, description="a jacking's jib height when it closed, m (none: unchanged)"
    )
    ties_added: int = Field(0, ge=0, le=MAX_TIES, description="a jacking's new ties (附着) when it closed")
    recalibrated_at: AwareDatetime | None = Field(
        None,
        description="a jacking's limiters recorded re-calibrated: at its end or later (none: never)",
    )


class PermitInput(PermitRequest):
    """A hot-work permit line: a permit as issued, with its signing and closing as times."""

    model_config = ConfigDict(extra="forbid")
    input: Literal["permit"]
    id: str = Field("", max_length=64, description="its number (default: named after its line)")
    signer: str = Field(min_length=1, max_length=100, description="who signed it")
    signed_at: AwareDatetime | None = Field(None, description="signed at (default: its start)")
    closed_at: AwareDatetime | None = Field(None, description="post-work check at (none: not closed)")
    closed_by: str = Field("", max_length=100, description="who checked the place after the work")


Line = Annotated[WarningInput | WindowInput | PermitInput, Field(discriminator="input")]
LINE = TypeAdapter(Line)


class ReplayInputs:
    """What an inputs file gives a replay: the signals and permits the site knows, the windows' readings."""

    def __init__(self) -> None:
        self.warnings: list[WarningSignal] = []
        self.readings: list[Reading] = []
        self.permits: list[Permit] = []


def read_inputs(path: Path, site: LoadedSite) -> ReplayInputs:
    """The warnings and windows of an inputs file; ReplayInputError lists its bad lines."""
    out, issues = ReplayInputs(), list[str]()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ReplayInputError(path, [f"0: cannot read the file: {exc.strerror or exc}"]) from exc
    with handle:
        for number, raw in enumerate(handle, 1):
            if number > MAX_LINES:
                issues.append(f"{number}: more than {MAX_LINES} lines: split the file")
                break
            try:
                _line(raw, number, site, out)
            except ValueError as exc:
                if noted(issues, number, exc, "lines"):
                    break
    if issues:
        raise ReplayInputError(path, issues)
    return out


def _line(raw: bytes, number: int, site: LoadedSite, out: ReplayInputs) -> None:
    """Add one line's input to ``out`` (ValueError saying what is wrong and how to fix it)."""
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"longer than {MAX_LINE_BYTES} bytes: one input a line")
    text = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace").strip()
    if not text:
        return
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc.args[0] if exc.args else exc}): one JSON object a line") from None
    if not isinstance(data, dict) or data.get("input") not in ("warning", "window", "permit"):
        raise ValueError('each line is an object with "input": "warning", "window" or "permit"')
    try:
        found = LINE.validate_python(data)
    except ValidationError as exc:
        raise ValueError(_said(exc)) from None
    if isinstance(found, WarningInput):
        out.warnings.append(_signal(found, number))
    elif isinstance(found, PermitInput):
        out.permits.append(_permit(found, number, out.permits))
    else:
        out.readings.extend(_window(found, site))


def _said(exc: ValidationError) -> str:
    """A validation error as one line: each field's place and what it needs."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"][1:]) or "line"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _signal(found: WarningInput, number: int) -> WarningSignal:
    """The signal as the engine takes it, its colour checked against its type (雷电、高温 have no blue)."""
    try:
        default_measure(found.type, found.colour)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    if found.valid_to is not None and found.valid_to <= found.valid_from:
        raise ValueError("valid_to must come after valid_from")
    fields = found.model_dump(exclude={"input", "cleared_at"})
    fields["id"] = found.id or f"line-{number}"
    if found.cleared_at is not None:
        fields["cleared_ts"] = found.cleared_at.timestamp()
    return WarningSignal(**fields)


def _permit(found: PermitInput, number: int, earlier: list[Permit]) -> Permit:
    """The permit as the register keeps it, its number unique in the file."""
    if found.end <= found.start:
        raise ValueError("end must come after start")
    fields = found.model_dump(exclude={"input", "signed_at", "closed_at"})
    fields["id"] = found.id or f"line-{number}"
    if any(p.id == fields["id"] for p in earlier):
        raise ValueError(f"permit id {fields['id']!r} is given twice: one line a permit")
    fields["signed_ts"] = (found.signed_at or found.start).timestamp()
    if found.closed_at is not None:
        if found.closed_at <= found.start:
            raise ValueError("closed_at must come after start (the post-work check follows the work)")
        fields["closed_ts"] = found.closed_at.timestamp()
    return Permit(**fields)


def _window(found: WindowInput, site: LoadedSite) -> list[Reading]:
    """The window's readings, as the gateway records a window: 1 at its start, 0 at its end."""
    kind = WINDOWS[found.window]
    device = next((d for d in site.config.devices if d.id == found.device), None)
    if device is None or not isinstance(device, kind.device):
        known = [d.id for d in site.config.devices if isinstance(d, kind.device)]
        raise ValueError(
            f"device {found.device!r} is not a {kind.of} of the site file "
            f"(a {found.window} opens on: {', '.join(known) or 'none'})"
        )
    if found.height_m is not None and (found.window != "jacking" or found.end is None):
        raise ValueError("height_m is the jib's height as a jacking window closes: give it with its end")
    if found.ties_added and (found.window != "jacking" or found.end is None):
        raise ValueError(
            "ties_added are the ties a jacking window fitted as it closes: give them with its end"
        )
    if found.recalibrated_at is not None and (
        found.window != "jacking" or found.end is None or found.recalibrated_at < found.end
    ):
        raise ValueError("recalibrated_at records a closed jacking window's limiters: at its end or later")
    if (found.stage is None) == (found.window == "install"):
        raise ValueError(
            'an install window needs its stage ("erect", "climb" or "dismantle"), and only it has one'
        )
    project = site.config.project.code
    opened = float(STAGES[found.stage]) if found.stage is not None else 1.0
    readings = [Reading(found.start.timestamp(), project, device.id, kind.metric, opened)]
    if found.end is not None:
        if found.end <= found.start:
            raise ValueError("end must come after start")
        end = found.end.timestamp()
        if found.height_m is not None:  # before the window's own reading, as the gateway publishes it
            readings.append(Reading(end, project, device.id, JIB_HEIGHT, found.height_m))
        if found.ties_added:
            readings.append(Reading(end, project, device.id, TIES_ADDED, float(found.ties_added)))
        if found.window == "jacking":
            readings += _limiters(found, end, project)
        readings.append(Reading(end, project, device.id, kind.metric, 0.0))
    return readings


def _limiters(found: WindowInput, end: float, project: str) -> list[Reading]:
    """A jacking window's ``limiters_recalibrated`` readings as the gateway publishes them: 1 at its close when
    recorded then, else 0 at its close and 1 when recorded later."""
    at = None if found.recalibrated_at is None else found.recalibrated_at.timestamp()
    out = [Reading(end, project, found.device, LIMITERS, 1.0 if at == end else 0.0)]
    if at is not None and at > end:
        out.append(Reading(at, project, found.device, LIMITERS, 1.0))
    return out
