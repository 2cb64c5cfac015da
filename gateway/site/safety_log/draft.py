"""The day's safety log as the gateway drafts it (standards.md §14: "what sitegw can fill in automatically"):
the strongest wind, the weather warnings in force, every alert of the day with its handling and closure, the
pours and jacking windows, the hot-work permits, the confined-space entries, who of the key people was on site and for how long,
and the papers due within 30 days. The safety officer then confirms, amends and signs it.

Everything comes from what the gateway already keeps: the local store's readings, the alert manager, the site
file, the warning board's signals (gateway/site/weather_warnings.py) and the permit register
(gateway/site/hot_work.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from contract.alert_event import AlertEvent
from contract.config import LoadedSite
from contract.hot_work import Permit
from contract.safety_log import LogAlert, LogEntry, LogPaper, LogWindow, SafetyLogContent
from gateway.alerts.manager import AlertManager
from gateway.alerts.models import Alert
from gateway.site.hot_work import HotWork
from gateway.site.papers import paper_rows
from gateway.site.safety_log.attendance import attendance_day, day_bounds
from gateway.site.weather_warnings import WarningBoard
from gateway.store.local_query import HistoryPoint, HistoryReader
from gateway.uplinks.base import BEIJING
from kinds.anemometer.kind import KIND as ANEMOMETER
from kinds.confined_space.kind import INSIDE
from kinds.crane.kind import JACKING
from kinds.formwork.kind import POUR

WIND = ANEMOMETER.metrics[0].name  # wind_ms: an anemometer's, and any weather station's, wind
# the weather station's other figures the log gives the day's maximum of (kinds/weather_station/kind.py)
MAXIMA = (WIND, "gust_ms", "rain_mm_h", "temp_c")
PAPERS_DUE_DAYS = 30  # §13: papers expiring within 30 days are listed
MAX_ALERTS = 1000
WINDOWS: dict[str, Literal["pour", "jacking"]] = {POUR: "pour", JACKING: "jacking"}


@dataclass(frozen=True, slots=True)
class Sources:
    """What a draft is made from."""

    site: LoadedSite
    readings: HistoryReader
    alerts: AlertManager
    warnings: WarningBoard | None = None
    hot_work: HotWork | None = None


def draft(src: Sources, day: date, now: float) -> SafetyLogContent:
    """The log of ``day`` from what the gateway holds at ``now`` (today's log covers the day up to now)."""
    start, end = day_bounds(day)
    end = min(end, max(start, now))
    devices = src.site.config.devices
    maxima = _maxima(src.readings, start, end)
    wind_max, wind_device = maxima.pop(WIND, (None, ""))
    gates = [d.id for d in devices if d.kind == "attendance"]
    return SafetyLogContent(
        wind_max_ms=wind_max,
        wind_device=wind_device,
        weather_max={metric: value for metric, (value, _device) in maxima.items()},
        warnings=_warnings(src.warnings, start, end) if src.warnings else [],
        hot_work=[permit_line(p) for p in src.hot_work.of_day(day)] if src.hot_work else [],
        alerts=_alerts(src.alerts, start, end),
        windows=_windows(src.readings, start, end),
        confined=_entries(src.readings, [d.id for d in devices if d.kind == "confined_space"], start, end),
        people=attendance_day(src.readings, gates, src.site.config.key_personnel, day, now),
        papers_due=[
            LogPaper(holder=r.holder, name=r.name, paper=r.paper, until=r.until, days_left=r.days_left)
            for r in paper_rows(src.site, day)
            if r.status != "ok" or (r.days_left is not None and r.days_left <= PAPERS_DUE_DAYS)
        ],
    )


def _warnings(board: WarningBoard, start: float, end: float) -> list[str]:
    """Each warning signal in force at some time in ``[start, end)``: its title, validity and measure."""
    out = []
    for s in sorted(board.all(), key=lambda s: s.valid_from):
        ends = [t for t in (s.cleared_ts, s.valid_to.timestamp() if s.valid_to else None) if t is not None]
        if s.valid_from.timestamp() < end and (not ends or min(ends) > start):
            until = f"至 {datetime.fromtimestamp(min(ends), BEIJING):%m-%d %H:%M}" if ends else "至今"
            out.append(f"{s.title_zh}（{s.valid_from.astimezone(BEIJING):%m-%d %H:%M} {until}）：{s.measure}")
    return out


def permit_line(p: Permit) -> str:
    """One permit as the log lists it: the §18 record in a sentence."""
    o = p.operator
    closing = (
        f"{p.closed_by} {datetime.fromtimestamp(p.closed_ts, BEIJING):%m-%d %H:%M} 动火后检查并关闭"
        if p.closed_ts is not None
        else "未记录动火后检查"
    )
    c = p.cylinders
    cylinders = (
        f"气瓶间距 {c.apart_m:g} m、距明火 {c.to_flame_m:g} m，减压器及回火防止器已检查；"
        if c is not None
        else ""
    )
    return (
        f"{p.title_zh}{'（' + p.level + '）' if p.level else ''} "
        f"{p.start.astimezone(BEIJING):%m-%d %H:%M}—{p.end.astimezone(BEIJING):%m-%d %H:%M}"
        f"{'，露天' if p.outdoor else ''}{'，设挡风措施' if p.windbreak else ''}；"
        f"作业人 {o.name}（{o.certificate_kind} {o.certificate_no}，有效至 {o.valid_until.isoformat()}）；"
        f"监火人 {p.fire_watch.name}；灭火器 {p.extinguishers} 具已检查；{cylinders}签发人 {p.signer} "
        f"{datetime.fromtimestamp(p.signed_ts, BEIJING):%m-%d %H:%M} 现场确认；{closing}"
    )


def _values(points: Sequence[HistoryPoint]) -> list[tuple[float, float]]:
    """(ts, value) of the readings that measured something (not a fault, not a stale repeat)."""
    return [
        (p.ts, float(p.value))
        for p in points
        if p.quality not in ("fault", "stale") and isinstance(p.value, (int, float))
    ]


def _maxima(reader: HistoryReader, start: float, end: float) -> dict[str, tuple[float, str]]:
    """Per metric of MAXIMA, the day's largest measured reading of any device and that device."""
    best: dict[str, tuple[float, str]] = {}
    for s in reader.series():
        if s.metric not in MAXIMA:
            continue
        history = reader.history(s.device, s.metric, start, end, point=s.point, max_points=100_000)
        for _ts, value in _values(history.points if history else []):
            if s.metric not in best or value > best[s.metric][0]:
                best[s.metric] = (value, s.device)
    return best


def _closing(alerts: AlertManager, alert: Alert) -> AlertEvent | None:
    """The event that closed ``alert`` (None: still open)."""
    if alert.state != "resolved":
        return None
    closed = [e for e in alerts.get(alert.alert_id).history if e.state == "resolved"]
    return closed[-1] if closed else None


OPEN_STATES = ("firing", "acknowledged")


def _alerts(alerts: AlertManager, start: float, end: float) -> list[LogAlert]:
    """Every alert of the day: those opened, handled or resolved in it, and those opened on an earlier day and
    still open, which no change brings into the day: an alarm left firing since yesterday is a hazard of today
    (§14's "major hazards found and progress"), and a log that left it out would be signed as if it were not."""
    changed = alerts.list_alerts(since=start, until=end, limit=MAX_ALERTS)
    still_open = [
        a for state in OPEN_STATES for a in alerts.list_alerts(state=state, until=end, limit=MAX_ALERTS)
    ]
    found = list({a.alert_id: a for a in changed + still_open}.values())[:MAX_ALERTS]
    closings = {a.alert_id: _closing(alerts, a) for a in found}
    return sorted(
        (
            LogAlert(
                alert_id=a.alert_id,
                device=a.device,
                rule=a.rule,
                clause=a.clause,
                level=a.level,
                message=a.message,
                opened_ts=a.opened_ts,
                resolved_ts=a.resolved_ts,
                handled_by=a.acked_by,
                handling=a.ack_note,
                closed_by=closing.actor if (closing := closings[a.alert_id]) else "",
                closing_note=closing.note if closing else "",
            )
            for a in found
        ),
        key=lambda a: a.opened_ts,
    )


def _spans(points: Sequence[tuple[float, float]], start: float) -> list[tuple[float | None, float | None]]:
    """(opened, closed) spans of a 1/0 series read from a day before ``start``; None: before the day or open."""
    spans: list[tuple[float | None, float | None]] = []
    opened: float | None = None
    is_open = False
    for ts, value in points:
        if value == 1 and not is_open:
            is_open, opened = True, ts
        elif value == 0 and is_open:
            is_open = False
            if ts >= start:
                spans.append((opened if opened is not None and opened >= start else None, ts))
    if is_open:
        spans.append((opened if opened is not None and opened >= start else None, None))
    return spans


def _windows(reader: HistoryReader, start: float, end: float) -> list[LogWindow]:
    out = []
    for s in reader.series():
        what = WINDOWS.get(s.metric)
        if what is None:
            continue
        history = reader.history(s.device, s.metric, start - 86_400, end, point=s.point, max_points=100_000)
        for opened, closed in _spans(_values(history.points if history else []), start):
            out.append(LogWindow(what=what, device=s.device, started_ts=opened, ended_ts=closed))
    return sorted(out, key=lambda w: (w.started_ts or start, w.device))


def _entries(reader: HistoryReader, spaces: Sequence[str], start: float, end: float) -> list[LogEntry]:
    out = []
    for s in reader.series():
        if s.metric != INSIDE or s.device not in spaces:
            continue
        history = reader.history(s.device, s.metric, start - 86_400, end, point=s.point, max_points=100_000)
        for entered, left in _spans(_values(history.points if history else []), start):
            out.append(LogEntry(device=s.device, point=s.point, entered_ts=entered or start, left_ts=left))
    return sorted(out, key=lambda e: (e.entered_ts, e.device, e.point))
