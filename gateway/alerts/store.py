"""SQLite persistence of alerts, their history and silences (WAL, synchronous=FULL): every change
is on disk before anyone is told about it, so alerts survive restarts and power cuts.

The regulator's decisions on those alerts (`DecisionStore`) live in the same file, in tables of their
own, with the feedback cursor of each regulator uplink."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from contract.alert_event import AlertEvent
from gateway.alerts.models import Alert, Silence, SilenceSpec
from gateway.sqlite_tx import connect
from gateway.uplinks.decisions import Decision

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    alert_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, level TEXT NOT NULL,
    device TEXT NOT NULL, rule TEXT NOT NULL, opened_ts REAL NOT NULL, updated_ts REAL NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_fp ON alerts (fingerprint, state);
CREATE INDEX IF NOT EXISTS alerts_updated ON alerts (updated_ts);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL, delivery TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_alert ON history (alert_id, seq);
CREATE INDEX IF NOT EXISTS history_pending ON history (delivery) WHERE delivery = 'pending';
CREATE TABLE IF NOT EXISTS silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
"""


DECISIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS regulator_decisions (
    uplink TEXT NOT NULL, action_id INTEGER NOT NULL, alert_id TEXT NOT NULL, ts REAL NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (uplink, action_id));
CREATE INDEX IF NOT EXISTS regulator_decisions_alert ON regulator_decisions (alert_id, action_id);
CREATE INDEX IF NOT EXISTS regulator_decisions_ts ON regulator_decisions (ts);
CREATE TABLE IF NOT EXISTS regulator_cursor (uplink TEXT PRIMARY KEY, after INTEGER NOT NULL);
"""


class AlertStore:
    """Alerts, events and silences in one SQLite file (or ``:memory:`` for replay)."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def save(self, alert: Alert, event: AlertEvent | None, delivery: str) -> None:
        """Write the alert and (optionally) its new event in one transaction."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.alert_id,
                    alert.fingerprint,
                    alert.state,
                    alert.level,
                    alert.device,
                    alert.rule,
                    alert.opened_ts,
                    alert.updated_ts,
                    alert.model_dump_json(),
                ),
            )
            if event is not None:
                self._db.execute(
                    "INSERT INTO history (alert_id, event_id, body, delivery) VALUES (?, ?, ?, ?)",
                    (alert.alert_id, event.event_id, event.model_dump_json(), delivery),
                )

    def mark_delivered(self, event_id: str) -> None:
        """on_event accepted the event."""
        self._db.execute("UPDATE history SET delivery = 'delivered' WHERE event_id = ?", (event_id,))

    def pending(self) -> list[AlertEvent]:
        """Events written but not yet accepted by on_event, oldest first."""
        rows = self._db.execute("SELECT body FROM history WHERE delivery = 'pending' ORDER BY seq").fetchall()
        return [AlertEvent.model_validate_json(r[0]) for r in rows]

    def active(self) -> list[Alert]:
        """Alerts not resolved."""
        rows = self._db.execute("SELECT body FROM alerts WHERE state != 'resolved'").fetchall()
        return [Alert.model_validate_json(r[0]) for r in rows]

    def count(self, fingerprint: str) -> int:
        """How many alerts this fingerprint has had."""
        return int(
            self._db.execute("SELECT COUNT(*) FROM alerts WHERE fingerprint = ?", (fingerprint,)).fetchone()[
                0
            ]
        )

    def get(self, alert_id: str) -> Alert | None:
        """One alert."""
        row = self._db.execute("SELECT body FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone()
        return Alert.model_validate_json(row[0]) if row else None

    def history(self, alert_id: str) -> list[AlertEvent]:
        """Every event of one alert, delivered or not, oldest first."""
        rows = self._db.execute(
            "SELECT body FROM history WHERE alert_id = ? ORDER BY seq", (alert_id,)
        ).fetchall()
        return [AlertEvent.model_validate_json(r[0]) for r in rows]

    def query(
        self,
        *,
        state: str | None,
        level: str | None,
        device: str | None,
        rule: str | None,
        since: float | None,
        until: float | None,
        limit: int,
    ) -> list[Alert]:
        """Alerts matching every given filter, most recently changed first."""
        where: list[str] = []
        args: list[str | float] = []
        for column, value in (("state", state), ("level", level), ("device", device), ("rule", rule)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("updated_ts >= ?")
            args.append(since)
        if until is not None:
            where.append("opened_ts <= ?")
            args.append(until)
        sql = "SELECT body FROM alerts" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._db.execute(sql + " ORDER BY updated_ts DESC LIMIT ?", (*args, limit)).fetchall()
        return [Alert.model_validate_json(r[0]) for r in rows]

    def add_silence(self, spec: SilenceSpec, created_ts: float) -> Silence:
        """Store a new silence."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute("INSERT INTO silences (body) VALUES ('{}')")
            silence = Silence(id=int(cur.lastrowid or 0), created_ts=created_ts, **spec.model_dump())
            self._db.execute(
                "UPDATE silences SET body = ? WHERE id = ?", (silence.model_dump_json(), silence.id)
            )
        return silence

    def update_silence(self, silence: Silence) -> None:
        """Rewrite a silence (deletion keeps it, marked, for the record)."""
        self._db.execute(
            "UPDATE silences SET body = ?, deleted = ? WHERE id = ?",
            (silence.model_dump_json(), int(silence.deleted_ts is not None), silence.id),
        )

    def silences(self, include_deleted: bool = False) -> list[Silence]:
        """Stored silences, oldest first."""
        sql = "SELECT body FROM silences" + ("" if include_deleted else " WHERE deleted = 0") + " ORDER BY id"
        return [Silence.model_validate_json(r[0]) for r in self._db.execute(sql).fetchall()]


class DecisionStore:
    """The regulator's decisions on this site's alerts, and how far each regulator uplink has read them.

    A decision and the cursor past it are written in one transaction, keyed by (uplink, action id):
    after a restart the poller asks only for what came later, and a page fetched twice (the cursor
    write lost with the power) stores nothing twice. Safe to use from several threads (the poller
    writes, the API reads).
    """

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, DECISIONS_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def cursor(self, uplink: str) -> int:
        """The last action id of ``uplink`` already stored (0: none yet)."""
        with self._lock:
            row = self._db.execute(
                "SELECT after FROM regulator_cursor WHERE uplink = ?", (uplink,)
            ).fetchone()
        return int(row[0]) if row else 0

    def add(self, uplink: str, decisions: Sequence[Decision], after: int) -> list[Decision]:
        """Store ``decisions`` and move the cursor to ``after`` (never backwards); return those not stored before."""
        new: list[Decision] = []
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for d in decisions:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO regulator_decisions VALUES (?, ?, ?, ?, ?)",
                    (uplink, d.action_id, d.alert_id, d.ts, d.model_dump_json()),
                )
                if cur.rowcount == 1:
                    new.append(d)
            self._db.execute(
                "INSERT INTO regulator_cursor VALUES (?, ?) ON CONFLICT (uplink) "
                "DO UPDATE SET after = MAX(after, excluded.after)",
                (uplink, after),
            )
        return new

    def for_alert(self, alert_id: str) -> list[Decision]:
        """Every decision on one alert, in the order the regulator took them."""
        return self._select("WHERE alert_id = ? ORDER BY ts, action_id", (alert_id,))

    def latest(self, alert_ids: Sequence[str]) -> dict[str, Decision]:
        """The newest decision of each of these alerts that has one."""
        out: dict[str, Decision] = {}
        with self._lock:
            for i in range(0, len(alert_ids), 500):  # SQLite's bound-parameter limit
                chunk = list(alert_ids[i : i + 500])
                marks = ", ".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT alert_id, body FROM regulator_decisions WHERE alert_id IN ({marks}) "
                    "ORDER BY ts, action_id",
                    chunk,
                ).fetchall()
                out.update((alert_id, Decision.model_validate_json(body)) for alert_id, body in rows)
        return out

    def recent(self, limit: int) -> list[Decision]:
        """The newest ``limit`` decisions on any alert, newest first."""
        return self._select("ORDER BY ts DESC, action_id DESC LIMIT ?", (limit,))

    def _select(self, tail: str, args: tuple[object, ...]) -> list[Decision]:
        with self._lock:
            rows = self._db.execute(f"SELECT body FROM regulator_decisions {tail}", args).fetchall()
        return [Decision.model_validate_json(r[0]) for r in rows]
