"""The authority's warning signals (气象灾害预警信号) heard on the feedback poll, and the site's acknowledgement
of them sent back (issue #39 part 3).

Each feedback poll carries the regulator's warnings in force or to come for the project's place
(``warnings``, regulator/ledger/weather_warnings.py). `RegulatorWarnings.receive` puts each on the gateway's
WarningBoard with ``source: regulator`` and the id ``<uplink>:<regulator's id>`` (a second regulator
uplink's ids do not collide), so the dashboard's banner, the weather stops and the sirens that follow
weather.warning (orange: alarm, red: critical) follow it as they do a signal the site set. Hearing the same
warning again changes nothing; one the authority changed is rewritten, its acknowledgement kept; one in force
that a poll no longer carries was lifted (解除) and is cleared.

A supervisor acknowledges it on the dashboard (the board keeps who and when, durably); `unsent_acks` are those
the regulator's answer does not show acknowledged yet, which the poller sends (signed POST, idempotent at the
regulator) until the regulator's answer shows them: a regulator away at the moment of the click hears it
on a later poll.
"""

from __future__ import annotations

import time
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contract.weather import Colour, SignalType, WarningSignal
from gateway.site.weather_warnings import WarningBoard

SEP = ":"  # between the uplink's name and the regulator's id in the board's id


class RegulatorWarning(BaseModel):
    """One warning as the regulator's feedback sends it (fields sitegw does not use are ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(description="the regulator's warning id")
    jurisdiction: str = Field(description="the place it is for, e.g. 广东省/深圳市")
    type: SignalType
    colour: Colour
    measure: str
    valid_from: datetime
    valid_to: datetime | None = None
    issued_by: str = ""
    acked_at: float | None = Field(None, description="when the regulator heard the site's acknowledgement")


def board_id(uplink: str, warning_id: int) -> str:
    """The board's id of a regulator's warning."""
    return f"{uplink}{SEP}{warning_id}"


class RegulatorWarnings:
    """The regulators' warnings on one gateway's WarningBoard."""

    def __init__(self, board: WarningBoard) -> None:
        self._board = board

    def receive(self, uplink: str, warnings: list[RegulatorWarning]) -> list[WarningSignal]:
        """Put the uplink's warnings on the board and clear those it no longer lists; those new, changed or
        cleared."""
        kept = {s.id: s for s in self._board.all() if s.source == "regulator"}
        changed: list[WarningSignal] = []
        for w in warnings:
            sid = board_id(uplink, w.id)
            old = kept.get(sid)
            same = old is not None and (old.type, old.colour, old.measure, old.valid_from, old.valid_to) == (
                w.type,
                w.colour,
                w.measure,
                w.valid_from,
                w.valid_to,
            )
            if same:
                continue
            changed.append(
                self._board.set(
                    w.type,
                    w.colour,
                    w.valid_from,
                    w.valid_to,
                    f"{w.jurisdiction} {w.issued_by}",
                    measure=w.measure,
                    source="regulator",
                    id=sid,
                    acked=(old.acked_by, old.acked_ts) if old is not None else None,
                )
            )
        listed = {board_id(uplink, w.id) for w in warnings}
        now = time.time()
        for sid, old in kept.items():
            if sid.startswith(uplink + SEP) and sid not in listed and old.in_force(now):
                # no longer among those in force or to come: the authority lifted it (解除)
                changed.append(self._board.clear(sid, f"{uplink} 解除"))
        return changed

    def unsent_acks(self, uplink: str, warnings: list[RegulatorWarning]) -> list[tuple[int, str, float]]:
        """The (regulator's id, supervisor, when) of the acknowledgements the regulator has not shown yet."""
        kept = {s.id: s for s in self._board.all()}
        out: list[tuple[int, str, float]] = []
        for w in warnings:
            s = kept.get(board_id(uplink, w.id))
            if w.acked_at is None and s is not None and s.acked_ts is not None:
                out.append((w.id, s.acked_by, s.acked_ts))
        return out
