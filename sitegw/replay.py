"""Replay: the live rules over recorded readings, as fast as the CPU allows.

The rules' clock is the readings' ts, so a week of recordings replays in seconds and gives the
same alerts the gateway would have raised. The CSV has the columns ``ts,device,point,metric,value``
(optionally ``unit`` and ``quality``); ``ts`` is ISO 8601 with a UTC offset, or Unix seconds.
"""

from __future__ import annotations

import csv
import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.config.camera import CameraConfig
from contract.config.loader import LoadedSite
from contract.hot_work import Permit
from contract.kinds import registry
from contract.kinds.kind import Kind
from contract.readings import Quality, Reading
from contract.weather import WarningSignal
from gateway.alerts.manager import AlertManager
from rules.engine import TS, RuleEngine

REQUIRED = ("ts", "device", "point", "metric", "value")
OPTIONAL = ("unit", "quality")
MAX_ISSUES = 50


class ReplayInputError(Exception):
    """Rows of the readings file that cannot be replayed, each with its line number."""

    def __init__(self, file: Path, issues: list[str]):
        self.file = file
        self.issues = issues
        super().__init__("\n".join(f"{file}:{i}" for i in issues))


@dataclass
class ReplayStats:
    """What a replay did."""

    rows: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    events: Counter[str] = field(default_factory=Counter)  # "rule level state" -> count


def parse_ts(text: str) -> float:
    """Unix seconds from epoch seconds or ISO 8601 with a UTC offset (ValueError with the fix)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"timestamp {text!r} is not a finite number")
        return value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"timestamp {text!r} is neither Unix seconds nor ISO 8601 (e.g. 2026-11-21T08:00:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset: add one, e.g. {text}+08:00")
    return moment.timestamp()


def read_readings(path: Path, site: LoadedSite) -> list[Reading]:
    """Every row of a readings CSV as Readings, in file order; ReplayInputError lists bad rows."""
    issues: list[str] = []
    out: list[Reading] = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ReplayInputError(path, [f"0: cannot read the file: {exc.strerror or exc}"]) from exc
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
        if missing or unknown:
            what = (
                (f"missing column(s) {', '.join(missing)}" if missing else "")
                + ("; " if missing and unknown else "")
                + (f"unknown column(s) {', '.join(unknown)}" if unknown else "")
            )
            raise ReplayInputError(
                path,
                [f"1: {what}: the header must be {','.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})"],
            )
        rows = _Rows({name: header.index(name) for name in header}, site)
        for row in reader:
            line = reader.line_num
            if not row or not "".join(row).strip():  # every field blank
                continue
            try:
                out.append(rows.reading(row))
            except ValueError as exc:
                if noted(issues, line, exc, "rows"):
                    break
    if issues:
        raise ReplayInputError(path, issues)
    return out


def noted(issues: list[str], line: int, exc: ValueError, what: str) -> bool:
    """Note ``exc`` as line ``line``'s issue; whether enough bad ``what`` are noted to stop reading."""
    issues.append(f"{line}: {exc}")
    if len(issues) < MAX_ISSUES:
        return False
    issues.append(f"{line}: stopped after {MAX_ISSUES} bad {what}")
    return True


QUALITIES = {q.value: q for q in Quality}
CAMERA = "camera"  # the kind a camera's readings are of (kinds/camera/kind.py)


class _Rows:
    """Turns the rows of one readings file into Readings, with its columns' places and each device's
    metrics and points looked up once for the file (a day of a site is millions of rows, and those
    look-ups per row cost more than the rules that judge it)."""

    def __init__(self, col: dict[str, int], site: LoadedSite) -> None:
        self.width = len(col)
        self.ts, self.device, self.point, self.metric, self.value = (col[c] for c in REQUIRED)
        self.unit, self.quality = col.get("unit"), col.get("quality")
        self.project = site.config.project.code
        # each device with its kind's metrics (None: any, for a generic device), its points (None:
        # any) and the metrics of the device as a whole (no point)
        self.devices = {
            d.id: (d, *_metrics_of(registry.get(d.kind)), d.point_codes()) for d in site.config.devices
        }
        # a camera's frames, as its worker reports them (its zones' counts, point: the zone's name): by the
        # camera's name, as the live gateway stores them; an 安拆 exclusion zone is judged from them
        vision = site.config.vision
        camera = registry.get(CAMERA)
        self.cameras = (
            {c.name: (*_metrics_of(camera), _zones(c)) for c in vision.cameras} if vision is not None else {}
        )
        self.text = registry.text_metrics()

    def reading(self, row: list[str]) -> Reading:
        """One row's Reading (ValueError saying what is wrong with it and how to fix it)."""
        if len(row) != self.width:
            raise ValueError(f"{len(row)} fields where the header has {self.width}")
        ts = parse_ts(row[self.ts])
        name = row[self.device].strip()
        known = self.devices.get(name)
        seen = self.cameras.get(name)
        if known is not None:
            device, allowed, whole, codes = known
            kind = device.kind
        elif seen is not None:
            kind, (allowed, whole, codes) = CAMERA, seen
        else:
            raise ValueError(
                f"device {name!r} is not in the site file (devices: {', '.join(sorted(self.devices))}; "
                f"vision.cameras: {', '.join(sorted(self.cameras)) or 'none'})"
            )
        metric = row[self.metric].strip()
        if allowed is not None and metric not in allowed:
            raise ValueError(
                f"metric {metric!r} is not a {kind} metric (known: {', '.join(sorted(allowed))})"
            )
        point = row[self.point].strip()
        if codes is not None and point not in codes and metric not in whole:
            raise ValueError(f"point {point!r} is not a point of {name} (points: {', '.join(sorted(codes))})")
        raw = row[self.value].strip()
        if metric in self.text:
            value: float | str = raw
        else:
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(
                    f"value {raw!r} of {metric} is not a number (use . as decimal separator)"
                ) from None
            if not math.isfinite(value):
                raise ValueError(f"value {raw!r} of {metric} is not a finite number")
        text = row[self.quality].strip() if self.quality is not None else ""
        quality = QUALITIES.get(text or "ok")
        if quality is None:
            raise ValueError(f"quality {text!r}: use ok, stale, fault or backfill")
        unit = row[self.unit].strip() if self.unit is not None else ""
        return Reading(ts, self.project, name, metric, value, unit, quality, point)


def _zones(camera: CameraConfig) -> frozenset[str]:
    """The points a camera's readings may name: its zones' and its edges' names (and none: the frame's own
    counts)."""
    return frozenset({"", *(z.name for z in camera.zones), *(e.name for e in camera.edges)})


def _metrics_of(kind: Kind) -> tuple[frozenset[str] | None, frozenset[str]]:
    """A kind's metrics (None: any) and those reported for a device as a whole."""
    return (None if kind.open_metrics else kind.metric_names), kind.device_metrics


def replay(
    site: LoadedSite,
    readings: Iterable[Reading],
    on_event: Callable[[AlertEvent], None],
    db_path: str | Path = ":memory:",
    warnings: Sequence[WarningSignal] = (),
    permits: Sequence[Permit] = (),
) -> ReplayStats:
    """Run the rules and the alert manager over ``readings`` (sorted here by ts, stably), with the
    regional warning signals ``warnings`` and the hot-work ``permits`` known to the site throughout."""
    stats = ReplayStats()
    engine = RuleEngine(site)
    engine.set_warnings(warnings)
    engine.set_permits(permits)

    def count(event: AlertEvent) -> None:
        stats.events[f"{event.rule} {event.level} {event.state}"] += 1
        on_event(event)

    manager = AlertManager(db_path, site.config.project.code, count, clock=lambda: stats.last_ts or 0.0)
    ordered = sorted(readings, key=TS)
    # the readings, the site and the engine live through the whole replay: frozen out of the collector's
    # reach, its full collections no longer walk a day of readings each time (9 % of a replay's work).
    # Not where the process froze its start-up already (plumbing/heap.py): unfreezing would undo that.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        for ts, batch, results in engine.replay(ordered):
            stats.rows += len(batch)
            if stats.first_ts is None:
                stats.first_ts = ts
            stats.last_ts = ts
            if results:  # most instants of a working day judge nothing worth a verdict
                manager.handle(results)
            manager.tick(ts)
    finally:
        if freeze:
            gc.unfreeze()
        manager.close()
    return stats


def replay_file(
    site: LoadedSite, readings_path: Path, out_path: Path, inputs_path: Path | None = None
) -> ReplayStats:
    """Replay a CSV into a JSON-lines file of AlertEvents (one per line), with the warning signals, work
    windows and hot-work permits of ``inputs_path`` (sitegw/replay_inputs.py) if given."""
    from sitegw.replay_inputs import read_inputs  # here: that module imports this one's errors

    readings = read_readings(readings_path, site)
    warnings: list[WarningSignal] = []
    permits: list[Permit] = []
    if inputs_path is not None:
        inputs = read_inputs(inputs_path, site)
        readings += inputs.readings
        warnings, permits = inputs.warnings, inputs.permits
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as out:

        def write(event: AlertEvent) -> None:
            out.write(event.model_dump_json() + "\n")

        return replay(site, readings, write, warnings=warnings, permits=permits)
