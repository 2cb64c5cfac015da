"""Company self-checks (企业自查) on their way to every regulator uplink: the site's safety officer records what
the site found on the dashboard (``POST /api/v1/self-checks``, gateway/api/routes_self_checks.py), and it goes
to the regulator's ``POST /api/v1/self-checks`` (contract/self_check.py), signed like events.

Durable like the alert outbox: ``<state-dir>/self_checks.sqlite`` (gateway/outbox/sqlite.py's DurableDb: WAL,
synchronous=FULL), one row per check and one delivery row per regulator uplink, committed before the
dashboard hears "queued", so a check survives a restart or a power cut. A delivery is ``delivered`` only on
the regulator's receipt naming the check; until then it is retried with the uplink's backoff. The regulator
keeps one hazard per ``check_id``, so a retry after a lost answer never makes a second one: each check is in
the ledger exactly once. A refusal for good (a 4xx other than 401, 408 and 429: e.g. a photo that is not a
picture) makes the delivery ``dead`` with the regulator's answer, shown on the dashboard.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import ValidationError

from contract.config.uplinks import RegulatorUplink
from contract.self_check import SELF_CHECKS_PATH, SelfCheck, SelfCheckReceipt
from gateway.outbox.sqlite import DurableDb
from gateway.uplinks.durable_sender import Wakers, deliver_forever
from gateway.uplinks.periodic import UplinkRetry, regulator_said
from gateway.uplinks.signed_request import signed_request

log = logging.getLogger(__name__)

FILE = "self_checks.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS checks(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    check_id TEXT NOT NULL UNIQUE,
    queued_at REAL NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries(
    uplink TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES checks(seq),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    hazard_id INTEGER,
    done_at REAL,
    PRIMARY KEY (uplink, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(uplink, state, seq);
"""


class NoRegulator(RuntimeError):
    """The site has no regulator uplink to send a self-check to."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one check stands with one regulator uplink."""

    uplink: str
    state: str
    attempts: int
    answer: str
    hazard_id: int | None
    done_at: float | None


@dataclass(frozen=True, slots=True)
class Queued:
    """A check and its deliveries."""

    check: SelfCheck
    queued_at: float
    deliveries: list[Delivery]


class SelfCheckOutbox(Wakers):
    """The self-checks of one site, on disk, with their deliveries to ``uplinks`` (regulator uplink names)."""

    def __init__(self, path: Path, uplinks: list[str]) -> None:
        super().__init__()
        self.uplinks = uplinks
        self._db = DurableDb(path, SCHEMA)

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def put(self, check: SelfCheck) -> None:
        """Keep ``check`` with a pending delivery per uplink, fsynced before returning; NoRegulator without one."""
        if not self.uplinks:
            raise NoRegulator(
                "this gateway has no regulator uplink (uplinks: type: regulator) to send self-checks to"
            )
        with self._db.transaction() as db:
            seq = db.execute(
                "INSERT INTO checks(check_id, queued_at, body) VALUES (?, ?, ?)",
                (check.check_id, time.time(), check.model_dump_json()),
            ).lastrowid
            db.executemany(
                "INSERT INTO deliveries(uplink, seq, state) VALUES (?, ?, 'pending')",
                [(u, seq) for u in self.uplinks],
            )

    def oldest(self, uplink: str) -> tuple[str, bytes] | None:
        """(check_id, body) of ``uplink``'s oldest pending check, or None."""
        rows = self._db.read(
            "SELECT c.check_id, c.body FROM deliveries d JOIN checks c ON c.seq = d.seq "
            "WHERE d.uplink = ? AND d.state = 'pending' ORDER BY d.seq LIMIT 1",
            (uplink,),
        )
        return (rows[0][0], rows[0][1].encode()) if rows else None

    def _mark(self, uplink: str, check_id: str, sets: str, args: tuple[object, ...]) -> None:
        with self._db.transaction() as db:
            db.execute(
                f"UPDATE deliveries SET {sets} WHERE uplink = ? AND seq = (SELECT seq FROM checks WHERE check_id = ?)",
                (*args, uplink, check_id),
            )

    def delivered(self, uplink: str, check_id: str, hazard_id: int) -> None:
        """The regulator holds the check as ``hazard_id``."""
        self._mark(
            uplink, check_id, "state = 'delivered', hazard_id = ?, done_at = ?", (hazard_id, time.time())
        )

    def failed(self, uplink: str, check_id: str, answer: str, dead: bool) -> None:
        """An attempt failed (``dead``: refused for good, not retried)."""
        state = "dead" if dead else "pending"
        self._mark(
            uplink,
            check_id,
            "attempts = attempts + 1, answer = ?, state = ?, done_at = ?",
            (answer, state, time.time() if dead else None),
        )

    def listing(self, limit: int = 200) -> list[Queued]:
        """The newest checks first, each with its deliveries."""
        checks = self._db.read("SELECT seq, queued_at, body FROM checks ORDER BY seq DESC LIMIT ?", (limit,))
        out = []
        for seq, queued_at, body in checks:
            rows = self._db.read(
                "SELECT uplink, state, attempts, answer, hazard_id, done_at FROM deliveries WHERE seq = ? "
                "ORDER BY uplink",
                (seq,),
            )
            out.append(Queued(SelfCheck.model_validate_json(body), queued_at, [Delivery(*r) for r in rows]))
        return out


class SelfCheckSender:
    """Delivers one regulator uplink's pending self-checks, oldest first, backing off on failures."""

    def __init__(self, cfg: RegulatorUplink, project: str, outbox: SelfCheckOutbox) -> None:
        self._cfg = cfg
        self.name = cfg.name
        self._project = project
        self._outbox = outbox
        self._wake = outbox.waker()
        self._url = httpx.URL(cfg.base_url.rstrip("/") + SELF_CHECKS_PATH)

    async def run(self) -> None:
        """Send until cancelled."""
        await deliver_forever(
            self._cfg,
            log,
            self._wake,
            lambda: self._outbox.oldest(self.name),
            lambda client, item: self.send(client, *item),
            lambda item, answer: self._outbox.failed(self.name, item[0], answer, False),
        )

    async def send(self, client: httpx.AsyncClient, check_id: str, body: bytes) -> None:
        """POST one check and record the outcome: delivered on the receipt, dead when refused for good;
        UplinkRetry when trying again may help."""
        cfg = self._cfg
        r = await signed_request(client, cfg, self._project, self._url, body, "self-check")
        if r.is_success:
            try:
                receipt = SelfCheckReceipt.model_validate_json(r.content)
            except ValidationError:
                receipt = None
            if receipt is None or receipt.check_id != check_id:
                raise UplinkRetry(
                    f"uplink {cfg.name!r}: HTTP {r.status_code} without the regulator's receipt for self-check "
                    f"{check_id} ({r.text[:200]!r}): check the uplink's base_url",
                    refused=True,
                )
            await asyncio.to_thread(self._outbox.delivered, self.name, check_id, receipt.hazard_id)
            log.info(
                "uplink %r: self-check %s is hazard %d at the regulator",
                cfg.name,
                check_id,
                receipt.hazard_id,
            )
            return
        said = regulator_said(r)
        log.error(
            "uplink %r: the regulator refused self-check %s (HTTP %d: %s)",
            cfg.name,
            check_id,
            r.status_code,
            said,
        )
        await asyncio.to_thread(
            self._outbox.failed, self.name, check_id, f"HTTP {r.status_code}: {said}", True
        )
