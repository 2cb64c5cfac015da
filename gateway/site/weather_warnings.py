"""The site's regional warning signals (气象灾害预警信号), kept durably in the gateway's SQLite and handed
to the rules whole at start and at every change, so that a signal set before a restart still stops work
after it.

A signal is set by a supervisor (``source: site``, an id the gateway makes) or pushed down by the regulator
(``source: regulator``, the regulator's id: gateway/uplinks/regulator_warnings.py): both are the same record
(contract/weather.py). Clearing keeps the record, marked with who cleared it and when; a supervisor
acknowledges a regulator's signal the same way (who, when), for the regulator to hear.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Protocol

from contract.weather import Colour, SignalType, Source, Stop, WarningSignal, default_measure
from gateway.sqlite_tx import connect, transaction

KEPT_FOR_RULES_S = (
    30 * 86400
)  # a signal ended longer ago than this is history: the rules no longer hear of it
SCHEMA = "CREATE TABLE IF NOT EXISTS warnings (id TEXT PRIMARY KEY, body TEXT NOT NULL, set_ts REAL NOT NULL)"


class WarningSink(Protocol):
    """What judges the signals (the RuleEngine)."""

    def set_warnings(self, signals: list[WarningSignal]) -> None: ...


class WarningError(ValueError):
    """A request that cannot be carried out (unknown id, a colour the type does not use, bad times)."""


class WarningBoard:
    """The warning signals of one gateway, in ``warnings.sqlite``."""

    def __init__(self, path: Path, sink: WarningSink) -> None:
        self._db = connect(path, SCHEMA)
        self._sink = sink
        self._tell()

    def all(self) -> list[WarningSignal]:
        """Every signal kept, the latest set first."""
        rows = self._db.execute("SELECT body FROM warnings ORDER BY set_ts DESC").fetchall()
        return [WarningSignal.model_validate_json(body) for (body,) in rows]

    def active(self, now: float | None = None) -> list[WarningSignal]:
        """The signals in force at ``now`` (default: this instant)."""
        at = time.time() if now is None else now
        return [s for s in self.all() if s.in_force(at)]

    def set(
        self,
        type: SignalType,
        colour: Colour,
        valid_from: datetime,
        valid_to: datetime | None,
        who: str,
        measure: str = "",
        stops: list[Stop] | None = None,
        source: Source = "site",
        id: str = "",
        acked: tuple[str, float | None] | None = None,
    ) -> WarningSignal:
        """Record a signal (WarningError for a colour its type does not use or an end before its start);
        ``acked``: the (who, when) of an acknowledgement the signal rewritten keeps."""
        try:
            default, default_stops = default_measure(type, colour)
        except KeyError as exc:
            raise WarningError(str(exc.args[0])) from None
        if valid_from.tzinfo is None or (valid_to is not None and valid_to.tzinfo is None):
            raise WarningError("valid_from and valid_to need a UTC offset, e.g. 2026-11-25T08:00:00+08:00")
        if valid_to is not None and valid_to <= valid_from:
            raise WarningError(
                f"valid_to {valid_to.isoformat()} is not after valid_from {valid_from.isoformat()}"
            )
        signal = WarningSignal(
            id=id or f"W-{uuid.uuid4().hex[:10]}",
            source=source,
            type=type,
            colour=colour,
            valid_from=valid_from,
            valid_to=valid_to,
            measure=measure or default,
            stops=stops or list(default_stops),
            set_by=who,
            set_ts=time.time(),
            acked_by=acked[0] if acked else "",
            acked_ts=acked[1] if acked else None,
        )
        self._write(signal)
        return signal

    def clear(self, signal_id: str, who: str) -> WarningSignal:
        """Mark a signal cleared now (WarningError for an unknown id or one already cleared)."""
        signal = self._find(signal_id)
        if signal.cleared_ts is not None:
            raise WarningError(
                f"warning signal {signal_id} was already cleared by {signal.cleared_by or '?'}"
            )
        cleared = signal.model_copy(update={"cleared_by": who, "cleared_ts": time.time()})
        self._write(cleared)
        return cleared

    def acknowledge(self, signal_id: str, who: str) -> WarningSignal:
        """A supervisor acknowledged a regulator's signal now (WarningError for an unknown id, a signal the site
        set itself, or one already acknowledged)."""
        signal = self._find(signal_id)
        if signal.source != "regulator":
            raise WarningError(
                f"warning signal {signal_id} was set on the site: there is no authority to answer"
            )
        if signal.acked_ts is not None:
            raise WarningError(
                f"warning signal {signal_id} was already acknowledged by {signal.acked_by or '?'}"
            )
        acked = signal.model_copy(update={"acked_by": who, "acked_ts": time.time()})
        self._write(acked)
        return acked

    def _find(self, signal_id: str) -> WarningSignal:
        row = self._db.execute("SELECT body FROM warnings WHERE id = ?", (signal_id,)).fetchone()
        if row is None:
            raise WarningError(f"no warning signal {signal_id!r} (sitegw warning list shows them)")
        return WarningSignal.model_validate_json(row[0])

    def _write(self, signal: WarningSignal) -> None:
        with transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO warnings (id, body, set_ts) VALUES (?, ?, ?)",
                (signal.id, json.dumps(signal.model_dump(mode="json"), ensure_ascii=False), signal.set_ts),
            )
        self._tell()

    def _tell(self) -> None:
        """Hand the rules every signal in force, to come, or ended within KEPT_FOR_RULES_S (so that one
        that ended while the gateway was down is resolved at start; older ones are history only)."""
        since = time.time() - KEPT_FOR_RULES_S
        self._sink.set_warnings([s for s in self.all() if (end := _ended(s)) is None or end >= since])

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _ended(signal: WarningSignal) -> float | None:
    """When ``signal`` stopped being in force (cleared or expired), None while it may still be."""
    ends = [signal.cleared_ts] if signal.cleared_ts is not None else []
    if signal.valid_to is not None:
        ends.append(signal.valid_to.timestamp())
    return min(ends) if ends else None
