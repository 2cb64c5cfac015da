"""The city's forwarder: sends the queued changes of its ledger to the province, and takes the province's
decisions back down (regulator/forwarding/).

One batch at a time, oldest change first: the queued rows' current state is read, signed and POSTed; only
the province's receipt naming the batch (its city and highest seq) counts as delivered, and the batch's
outbox rows are deleted after it. A crash between the province keeping a batch and the city deleting it
sends the batch again, which the province keeps once (by city, kind and id). Every failure (no answer, a
5xx, a proxy's 200, the city's own database away) is retried with tenacity's exponential backoff with
jitter, from 1 s up to ``backoff_max_s``, for as long as it takes: the outbox is in PostgreSQL, so days of
outage only make it longer. A refusal (401, 409, 422) is retried too, logged as an error with the
province's reason: it needs a person (a key or a place registered wrongly), and nothing is dropped meanwhile.

An incident the province took has its report to the province recorded (``Incidents.report(...,
how='forwarded')``), which stops its clocks to the province and to the provincial system.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from contract.wire import signed_headers
from regulator.forwarding import down
from regulator.forwarding.outbox import NotPostgres, pending, record, switch_on, taken
from regulator.forwarding.wire import DECISIONS_PATH, FORWARD_PATH, Batch, BatchReceipt, Decisions
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

log = logging.getLogger(__name__)
T = TypeVar("T")
# the clocks a forwarded incident stops: the report to the province, and its entry into the province's system
STOPS = ("province", "provincial_system")
ACTOR = Actor("forwarding", "admin")


class ForwardRetry(Exception):
    """The province did not take the request: try again later (the message says why). ``refused``: the
    province turned it down (4xx), which a person must fix (a key, a place), as opposed to a fault that
    passes by itself."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True, slots=True)
class ForwardLink:
    """Where and as whom a city forwards: the province's base URL, the city's id and key there (the
    province's ``add-city``), and the city's place, 省/市."""

    province_url: str
    city_id: str
    secret: str
    jurisdiction: str
    batch: int = 200  # queued changes read per request
    idle_s: float = 2.0  # how often an empty outbox is looked at again
    poll_s: float = 10.0  # how often the province is asked for its decisions
    timeout_s: float = 30.0
    backoff_max_s: float = 300.0  # the longest wait between tries, as the gateways' outbox


class Forwarder:
    """``await run_forever()`` until cancelled."""

    def __init__(self, repo: Repository, link: ForwardLink) -> None:
        """NotPostgres for a SQLite ``repo``: the triggers that queue the ledger's changes are PostgreSQL's."""
        if repo.dialect != "postgresql":
            raise NotPostgres(
                "forwarding to the province runs on PostgreSQL only (its triggers queue every ledger change): "
                "give --db postgresql://USER@HOST:PORT/DB"
            )
        self.repo = repo
        self.link = link
        self.incidents = Incidents(repo)
        self._base = link.province_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=link.timeout_s)
        self.delivered = 0  # records the province took since start (for the log and the tests)

    async def run_forever(self) -> None:
        """Switch forwarding on (the first time: queue the whole ledger), then forward and poll forever."""
        try:
            if await self._retry(self._switch_on):
                log.warning(
                    "forwarding to %s as %s switched on: the whole ledger is queued once",
                    self._base,
                    self.link.city_id,
                )
            poll_at = 0.0
            while True:
                sent = await self._retry(self.forward_once)
                if time.monotonic() >= poll_at:
                    await self._retry(self.poll_once)
                    poll_at = time.monotonic() + self.link.poll_s
                if not sent:
                    await asyncio.sleep(self.link.idle_s)
        finally:
            await self._client.aclose()

    async def _switch_on(self) -> bool:
        return await asyncio.to_thread(switch_on, self.repo.engine, self._base, self.link.city_id)

    async def _retry(self, step: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """``step()``, tried again after any failure with capped exponential backoff (a fresh count per step:
        after a success the next failure waits 1 s again)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=wait_exponential_jitter(initial=1.0, max=self.link.backoff_max_s),
            before_sleep=self._said,
            reraise=True,
        )
        result: T = await retrying(step)
        return result

    def _said(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        level = logging.ERROR if isinstance(exc, ForwardRetry) and exc.refused else logging.WARNING
        log.log(
            level, "forwarding to the province: %s; try %d again in %.0f s", exc, state.attempt_number, wait
        )

    async def _send(self, method: str, path: str, body: bytes) -> httpx.Response:
        url = self._base + path
        headers = signed_headers(
            self.link.city_id, self.link.secret, httpx.URL(url).raw_path.decode(), body, method=method
        )
        try:
            r = await self._client.request(method, url, content=body or None, headers=headers)
        except httpx.HTTPError as exc:
            raise ForwardRetry(f"no answer from {self._base} ({type(exc).__name__}: {exc})") from exc
        if not r.is_success:
            raise ForwardRetry(
                f"HTTP {r.status_code} from {self._base}{path}: {r.text[:300]}",
                refused=400 <= r.status_code < 500 and r.status_code not in (408, 429),
            )
        return r

    async def forward_once(self) -> bool:
        """Send the oldest queued changes as one batch; False when nothing was queued."""
        built = await asyncio.to_thread(self._build)
        if built is None:
            return False
        batch, ids = built
        if batch.records:
            r = await self._send("POST", FORWARD_PATH, batch.model_dump_json().encode())
            try:
                receipt = BatchReceipt.model_validate_json(r.content)
            except ValidationError:
                raise ForwardRetry(
                    f"HTTP {r.status_code} without the province's receipt ({r.text[:200]!r}): a proxy or another "
                    "server answered, nothing was kept; check --forward-to"
                ) from None
            last = max(rec.seq for rec in batch.records)
            if (receipt.city, receipt.last_seq, receipt.records) != (
                self.link.city_id,
                last,
                len(batch.records),
            ):
                raise ForwardRetry(
                    f"the receipt {receipt.model_dump()} does not name the batch sent (seq {last})"
                )
            await asyncio.to_thread(
                self._reported, [rec.ref for rec in batch.records if rec.kind == "incident"]
            )
            self.delivered += len(batch.records)
        await asyncio.to_thread(taken, self.repo.engine, ids)
        return True

    def _build(self) -> tuple[Batch, list[int]] | None:
        with self.repo.engine.connect() as db:
            items = pending(db, self.link.batch)
            if not items:
                return None
            records = [r for r in (record(db, item) for item in items) if r is not None]
        ids = [i for item in items for i in item.ids]
        return Batch(city=self.link.city_id, jurisdiction=self.link.jurisdiction, records=records), ids

    def _reported(self, incident_refs: list[str]) -> None:
        """Record the province's clocks stopped for incidents the province now holds (once each)."""
        for ref in incident_refs:
            with self.repo.engine.connect() as db:
                done = {
                    row[0]
                    for row in db.execute(
                        sql("SELECT to_level FROM incident_reports WHERE incident_id = :i"), {"i": int(ref)}
                    )
                }
            for to in STOPS:
                if to in done:
                    continue
                try:
                    self.incidents.report(
                        ACTOR,
                        int(ref),
                        to,
                        f"{self.link.city_id} 城市平台",
                        time.time(),
                        note=f"逐级转报至 {self._base}",
                        how="forwarded",
                    )
                except ReviewError as exc:  # e.g. a clock already closed by hand meanwhile
                    log.warning("incident %s: recording its forwarding to %s failed: %s", ref, to, exc.reason)

    async def poll_once(self) -> int:
        """Ask the province for its decisions on the city's records after the cursor, and keep them; how many
        were new."""
        after = await asyncio.to_thread(down.cursor, self.repo.engine)
        r = await self._send("GET", f"{DECISIONS_PATH}?after={after}", b"")
        try:
            decisions = Decisions.model_validate_json(r.content)
        except ValidationError:
            raise ForwardRetry(
                f"HTTP {r.status_code} without the province's decisions ({r.text[:200]!r})"
            ) from None
        return await asyncio.to_thread(down.take, self.repo.engine, decisions)
