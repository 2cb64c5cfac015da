"""Each forwarded project's liveness at the province (issue 50 §1): when its gateway was last heard, how many
of its devices and cameras report, where the site is and which release its gateway runs.

A project's ``last_seen_at`` moves on with every heartbeat (every few seconds), which is not a change of the
ledger: the outbox's trigger leaves it out, and a row per heartbeat would swamp the link. Instead the
city's forwarder sums every project up each ``SWEEP_S`` (``sweep``) and queues a ``liveness`` record for a
project only when its summary changed materially (devices or cameras online or known, its position, its
release, its gateway heard again after a silence) or, while it stays live, at most once per ``EVERY_S``;
one queued row per project at most, read as it is when the batch is sent. A gateway falling silent needs
no record: the province counts a project offline from ``last_seen_at`` as it does its own, and the
devices' and cameras' counts falling to zero are a change like any other.

The province keeps a summary on the project's row (``apply``) only when it is newer than the one it holds,
so a late retry of an older one changes nothing; ``last_seen_at`` never goes back.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.engine import Connection

from regulator.storage.db import sql
from regulator.storage.pictures import STALE, STALE_GRACE_S
from regulator.storage.projects import LIVENESS as COUNTS
from regulator.storage.projects import RELAYED

SWEEP_S = 10.0  # how often the city sums its projects up
EVERY_S = 30.0  # a live project's summary goes up at most this often when nothing but last_seen_at moved
SILENCE_S = 60.0  # a heartbeat after this long without one is news at once (the gateway came back)
DEVICE_ONLINE_S = 300.0  # a device is online while its readings came within this (summaries are per minute)
DEVICE_KNOWN_S = 86_400.0  # a device counts as the project's while it reported within a day
# the summary's parts other than last_seen_at: any change of them is news at once
MATERIAL = (*COUNTS, "lat", "lon", "gateway_release")

# Each project's devices, found by skipping through the readings' index (project, device, ts) one device at a
# time, and each device's newest reading by one probe of it: a few index lookups per device, where counting
# the distinct devices of a day's readings would read every reading of the project's month (its partition)
# every sweep
DEVICES = """
WITH RECURSIVE d(project, device) AS (
  SELECT p.code, (SELECT MIN(r.device) FROM readings r WHERE r.project = p.code) FROM projects p {only}
  UNION ALL
  SELECT d.project, (SELECT MIN(r.device) FROM readings r WHERE r.project = d.project AND r.device > d.device)
  FROM d WHERE d.device IS NOT NULL
)
SELECT d.project,
  (SELECT MAX(r.ts) FROM readings r WHERE r.project = d.project AND r.device = d.device) AS newest
FROM d WHERE d.device IS NOT NULL
"""
# a project a district's platform forwarded to this city (issue 50 §5, RELAYED) has no readings or pictures
# here: its counts are the ones the district summed up (kept on its row by ``apply``), passed on up as they are
SUMMARY = f"""
SELECT p.code, p.last_seen_at, p.lat, p.lon, p.gateway_release, {RELAYED} AS relayed,
  p.devices_online AS relayed_devices_online, p.devices_total AS relayed_devices_total,
  CASE WHEN {RELAYED} THEN p.cameras_online ELSE (SELECT COUNT(*) FROM camera_pictures c
     WHERE c.project = p.code AND NOT ({STALE})) END AS cameras_online,
  CASE WHEN {RELAYED} THEN p.cameras_total ELSE (SELECT COUNT(*) FROM camera_pictures c
     WHERE c.project = p.code) END AS cameras_total
FROM projects p {{only}}
"""


def summaries(db: Connection, now: float, code: str | None = None) -> dict[str, dict[str, Any]]:
    """Every project's liveness as the city sees it ``now`` (only ``code``'s when given), by code: the
    record's row, ``at`` being ``now``."""
    only = "" if code is None else "WHERE p.code = :code"
    args = {"now": now, "grace": STALE_GRACE_S, "code": code}
    found: dict[str, dict[str, Any]] = {}
    relayed: set[str] = set()
    for r in db.execute(sql(SUMMARY.format(only=only)), args).mappings():
        code = str(r["code"])
        if r["relayed"]:
            relayed.add(code)
        devices = (
            (r["relayed_devices_online"] or 0, r["relayed_devices_total"] or 0) if r["relayed"] else (0, 0)
        )
        found[code] = {k: v for k, v in r.items() if k != "code" and not k.startswith("relayed")} | {
            "devices_online": devices[0],
            "devices_total": devices[1],
            "cameras_online": r["cameras_online"] or 0,
            "cameras_total": r["cameras_total"] or 0,
            "at": now,
        }
    for project, newest in db.execute(sql(DEVICES.format(only=only)), args):
        known = found.get(str(project))
        if known is None or str(project) in relayed or newest is None or newest < now - DEVICE_KNOWN_S:
            continue
        known["devices_total"] += 1
        known["devices_online"] += int(newest >= now - DEVICE_ONLINE_S)
    return found


def news(was: dict[str, Any] | None, now: dict[str, Any]) -> bool:
    """Whether summary ``now`` of a project is worth sending after ``was``, the last one queued."""
    if was is None:
        return True
    if any(was[k] != now[k] for k in MATERIAL):
        return True
    seen, before = now["last_seen_at"], was["last_seen_at"]
    if seen == before:
        return False
    back = before is None or seen is None or seen - before > SILENCE_S
    return back or now["at"] - was["at"] >= EVERY_S


def sweep(db: Connection, queued: dict[str, dict[str, Any]], now: float) -> int:
    """Queue a liveness record for each project whose summary is news after the last one queued
    (``queued``, the forwarder's memory, updated); how many rows were queued. A project with a liveness record
    still waiting in the outbox gets no second row: the record is read as it is when sent; one whose own
    record is set aside at the city (quarantine.py) gets none until it is released (the province would refuse
    it, not knowing the project), and then its first."""
    held = set(db.execute(sql("SELECT ref FROM forward_quarantine WHERE kind = 'project'")).scalars())
    made = 0
    for code, summary in summaries(db, now).items():
        if code in held:
            queued.pop(code, None)
            continue
        if not news(queued.get(code), summary):
            continue
        made += db.execute(
            sql(
                "INSERT INTO forward_outbox(kind, ref, queued_at) SELECT 'liveness', :c, :now WHERE NOT EXISTS "
                "(SELECT 1 FROM forward_outbox WHERE kind = 'liveness' AND ref = :c)"
            ),
            {"c": code, "now": now},
        ).rowcount
        queued[code] = summary
    return made


def row(db: Connection, code: str) -> dict[str, Any] | None:
    """The liveness record's row of project ``code`` as it is now (None: the project is gone)."""
    return summaries(db, time.time(), code).get(code)


def apply(db: Connection, project: str, kept: dict[str, Any]) -> None:
    """Keep the city's summary ``kept`` (checked: rows.LivenessRow) on the province's row of ``project``,
    unless the row holds a newer one; ``last_seen_at`` never goes back, and a position or release the
    summary does not say stays."""
    db.execute(
        sql(
            "UPDATE projects SET liveness_at = :at, "
            "last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < :seen THEN :seen "
            "ELSE last_seen_at END, "
            "devices_online = :devices_online, devices_total = :devices_total, "
            "cameras_online = :cameras_online, cameras_total = :cameras_total, "
            "lat = COALESCE(:lat, lat), lon = COALESCE(:lon, lon), "
            "gateway_release = COALESCE(:gateway_release, gateway_release) "
            "WHERE code = :code AND (liveness_at IS NULL OR liveness_at < :at)"
        ),
        {**kept, "seen": kept["last_seen_at"], "code": project},
    )
