"""The city's forwarder: sends the queued changes of its ledger to the province, and takes the province's
decisions back down (regulator/forwarding/).

One batch at a time, oldest change first: the queued rows' current state is read (up to 2,000 changes as at
most 500 records: a record changed often while the province was away goes once), signed and POSTed; only
the province's receipt naming the batch (its city and highest seq) counts as delivered, and the batch's
outbox rows are deleted after it. The next batch is read while the province keeps the last one, so a backlog
drains at the pace of the slower end. A crash between the province keeping a batch and the city deleting it
sends the batch again, which the province keeps once (by city, kind and id). Every failure (no answer, a
5xx, a proxy's 200, the city's own database away) is retried for as long as it takes: the outbox is in
PostgreSQL, so days of outage only make it longer. A province that does not answer at all (nothing listens
at its address, or its proxy says 502/504) is probed every ``probe_s`` (2 s) with the batch it never saw,
a connection attempt each, so a province back from an outage of any length has the backlog on its way
within seconds (issue 50: everything within 2 minutes of its return); one that answers but not as it should
(5xx, a refusal) is tried again with exponential backoff with jitter from 1 s to ``backoff_max_s`` (30 s),
not hammered.

A record the province refuses for good (wire.Verdict: a place outside the city, a project it does not know, a
row it cannot read) is set aside with the reason (quarantine.py) and the rest goes on: the city asks for
per-record verdicts (``?verdicts=1``); a province of an earlier release refuses the whole batch instead,
naming the record (``records.N`` / "record N (...)"), and that record is set aside just the same. A refusal
naming no record (401, a jurisdiction the province does not know the city by) is the city's as a whole:
retried, logged as an error with the province's reason, nothing dropped.

Each project's liveness (its gateway last heard, devices and cameras online, position, release) goes up as
a ``liveness`` record queued by a sweep when it changed (liveness.py), never a row per heartbeat. A liveness
record the province does not take is dropped, never set aside: the next summary says it again, newer, and
one set aside would hold nothing but stale news and a release to do by hand. A province of an earlier
release, which cannot read the kind, refuses the batch naming it: every liveness record queued is dropped
and no more are queued until the city restarts (a WARNING says to upgrade the province), so its ledger goes
on as before.

An incident the province took has its report to the province recorded (``Incidents.report(...,
how='forwarded')``), which stops its clocks to the province and to the provincial system.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx
import sqlalchemy as sa
from pydantic import ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from contract.wire import signed_headers
from regulator.forwarding import down, liveness, quarantine, warnings
from regulator.forwarding.outbox import NotPostgres, backlog, pending, records, switch_on, taken
from regulator.forwarding.wire import (
    BACKLOG,
    DECISIONS_PATH,
    FORWARD_PATH,
    HAZARDS,
    HELD,
    MAX_HELD,
    VERDICTS,
    WARNINGS_PATH,
    WHAT_TO_DO,
    Batch,
    BatchReceipt,
    Decisions,
    DownWarning,
    DownWarnings,
    Reason,
    Record,
)
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
# a province that is not there: nothing listens at its address (or its host does not answer a connection), or
# the proxy in front of it says so (502, 504): probed every ``probe_s``, a connection attempt costing it nothing
UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout)


Built = tuple[Batch, dict[int, list[int]], int]  # a batch, its queued rows by record, the backlog


class ForwardRetry(Exception):
    """The province did not take the request: try again later (the message says why). ``refused``: the
    province turned it down (4xx), which a person must fix (a key, a place), as opposed to a fault that
    passes by itself; ``answer``: the province's JSON answer to it, when it gave one."""

    def __init__(
        self,
        message: str,
        refused: bool = False,
        answer: dict[str, Any] | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.refused = refused
        self.answer = answer or {}
        self.unreachable = unreachable


@dataclass(frozen=True, slots=True)
class ForwardLink:
    """Where and as whom a city forwards: the province's base URL, the city's id and key there (the
    province's ``add-city``), and the city's place, 省/市."""

    province_url: str
    city_id: str
    secret: str
    jurisdiction: str
    batch: int = (
        2000  # queued changes read per request (at most MAX_BATCH records: a record's changes as one)
    )
    idle_s: float = 2.0  # how often an empty outbox is looked at again
    poll_s: float = 10.0  # how often the province is asked for its decisions
    timeout_s: float = 30.0
    backoff_max_s: float = (
        30.0  # the longest wait between tries of a province that answers, but not as it should
    )
    probe_s: float = 2.0  # the wait between tries of a province that does not answer at all: how late its return is noticed


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
        self._backoff = wait_exponential_jitter(initial=1.0, max=link.backoff_max_s)
        self.delivered = 0  # records the province took since start (for the log and the tests)
        self._summed: dict[str, dict[str, Any]] = {}  # each project's liveness summary last queued
        self._liveness = True  # False: the province cannot read liveness records (an earlier release)
        self._warnings = True  # False: the province answers no warnings (an earlier release)
        # the batch to send next: read while the last one was sent, or the last one the province never saw
        self._next: Built | None = None
        self._answering = True  # False while the province does not answer at all (away)

    async def run_forever(self) -> None:
        """Switch forwarding on (the first time: queue the whole ledger), then forward and poll forever."""
        try:
            if await self._retry(self._switch_on):
                log.warning(
                    "forwarding to %s as %s switched on: the whole ledger is queued once",
                    self._base,
                    self.link.city_id,
                )
            aside = await asyncio.to_thread(self._aside)
            if aside:
                log.warning(
                    "forwarding: %d records the province refused for good wait set aside at this city: see "
                    "/forwarding or `sitegw regulator forwarding list`, fix their projects or release them",
                    aside,
                )
            poll_at = sweep_at = 0.0
            while True:
                if time.monotonic() >= sweep_at:
                    await self._retry(self.sweep_once)
                    sweep_at = time.monotonic() + liveness.SWEEP_S
                sent = await self._retry(self.forward_once)
                if time.monotonic() >= poll_at:
                    await self._retry(self.poll_once)
                    await self._retry(self.poll_warnings_once)
                    poll_at = time.monotonic() + self.link.poll_s
                if not sent:
                    await asyncio.sleep(self.link.idle_s)
        finally:
            await self._client.aclose()

    def _aside(self) -> int:
        with self.repo.engine.connect() as db:
            return len(quarantine.held(db))

    async def sweep_once(self) -> int:
        """Queue the liveness records of the projects whose summary is news (liveness.sweep); how many (none
        once the province turned the kind down: an earlier release)."""
        if not self._liveness:
            return 0

        def queue() -> int:
            with self.repo.engine.begin() as db:
                return liveness.sweep(db, self._summed, time.time())

        return await asyncio.to_thread(queue)

    def _no_liveness(self, reason: str) -> None:
        """The province cannot read liveness records: drop those queued, queue no more until restarted."""
        self._liveness = False
        with self.repo.engine.begin() as db:
            db.execute(sql("DELETE FROM forward_outbox WHERE kind = 'liveness'"))
        log.warning(
            "forwarding: the province does not take projects' liveness (an earlier release: %s); the ledger goes "
            "on, but its overview shows this city's projects offline until it is upgraded and this city restarted",
            reason[:200],
        )

    async def _switch_on(self) -> bool:
        return await asyncio.to_thread(
            switch_on, self.repo.engine, self._base, self.link.city_id, self.link.jurisdiction
        )

    async def _retry(self, step: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """``step()``, tried again after any failure with capped exponential backoff (a fresh count per step:
        after a success the next failure waits 1 s again)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=self._wait,
            before_sleep=self._said,
            reraise=True,
        )
        result: T = await retrying(step)
        return result

    def _wait(self, state: RetryCallState) -> float:
        """How long before the next try: ``probe_s`` while the province does not answer at all (it is down or
        unreachable: a refused connection, or the proxy in front of it saying it cannot reach it), so a province
        back from an outage of any length has the city's backlog on its way within seconds; else exponential
        backoff with jitter from 1 s to ``backoff_max_s`` (a province that answers 5xx or refuses is not
        hammered)."""
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, ForwardRetry) and exc.unreachable:
            return self.link.probe_s
        return float(self._backoff(state))

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
            raise ForwardRetry(
                f"no answer from {self._base} ({type(exc).__name__}: {exc})",
                unreachable=isinstance(exc, UNREACHABLE),
            ) from exc
        if not r.is_success:
            try:
                answer = r.json()
            except ValueError:
                answer = None
            raise ForwardRetry(
                f"HTTP {r.status_code} from {self._base}{path}: {r.text[:300]}",
                refused=400 <= r.status_code < 500 and r.status_code not in (408, 429),
                answer=answer if isinstance(answer, dict) else None,
                unreachable=r.status_code in (502, 504),
            )
        return r

    async def forward_once(self) -> bool:
        """Send the oldest queued changes as one batch; False when nothing was queued. The next batch is read
        while the province keeps this one (its changes left out: a backlog drains at the pace of the slower
        end, not of both in turn), and a batch a province that does not answer never saw is sent again as it
        was, not read again: probing a province that is away costs a connection attempt."""
        built, self._next = self._next or await asyncio.to_thread(self._build, []), None
        if built is None:
            return False
        batch, ids, backlog = built
        if batch.records:
            path = f"{FORWARD_PATH}?{VERDICTS}=1&{BACKLOG}={backlog}"
            request = asyncio.create_task(self._send("POST", path, batch.model_dump_json().encode()))
            following = None
            if self._answering:  # not while probing a province that is away: it would be read for nothing
                try:
                    following = await asyncio.to_thread(
                        self._build, [i for seq_ids in ids.values() for i in seq_ids]
                    )
                except BaseException:
                    request.cancel()
                    raise
            try:
                r = await request
            except ForwardRetry as exc:
                self._answering = not exc.unreachable
                if exc.unreachable:
                    self._next = built
                named = refused_record(exc, batch)
                if named is None:
                    raise
                # a province of an earlier release: the one record it named is set aside, the rest sent next
                rec, code = named
                if rec.kind == "liveness":
                    await asyncio.to_thread(self._no_liveness, str(exc.answer.get("error", exc)))
                    return True
                await asyncio.to_thread(
                    self._hold, [(rec, code, str(exc.answer.get("error", exc)))], ids[rec.seq]
                )
                return True
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
            by_seq = {rec.seq: rec for rec in batch.records}
            # a liveness record refused (its project not there yet) is dropped: the next sweep queues it again
            for v in receipt.refused:
                if v.kind == "liveness":
                    self._summed.pop(v.ref, None)
            refused = [
                (by_seq[v.seq], v.code, v.reason)
                for v in receipt.refused
                if v.seq in by_seq and by_seq[v.seq].kind != "liveness"
            ]
            kept = {v.seq for v in receipt.refused}
            await asyncio.to_thread(self._hold, refused, [])
            await asyncio.to_thread(
                self._reported,
                [rec.ref for rec in batch.records if rec.kind == "incident" and rec.seq not in kept],
            )
            self.delivered += len(batch.records) - len(kept)
            self._answering = True
            self._next = following  # this batch taken whole: the next one read meanwhile goes next
        await asyncio.to_thread(taken, self.repo.engine, [i for seq_ids in ids.values() for i in seq_ids])
        return True

    def _build(self, sent: list[int]) -> Built | None:
        """The next batch but the queued rows ``sent`` (the batch the province is keeping), its queued rows by
        record (seq; a change of a record set aside joins it and is deleted with the batch), and the outbox's
        backlog; None when nothing is queued."""
        with self.repo.engine.begin() as db:
            items = pending(db, self.link.batch, sent=sent)
            if not items:
                return None
            send = quarantine.sort_out(db, items)
            made = records(db, send)
            left = backlog(db)
        ids = {max(item.ids): item.ids for item in items}
        return Batch(city=self.link.city_id, jurisdiction=self.link.jurisdiction, records=made), ids, left

    def _hold(self, refused: list[tuple[Record, Reason, str]], ids: list[int]) -> None:
        """Set the refused records aside (their queued rows ``ids`` deleted with it), and note the contact."""
        with self.repo.engine.begin() as db:
            for rec, code, reason in refused:
                quarantine.hold(db, rec, code, reason)
            if ids:
                db.execute(sa.text("DELETE FROM forward_outbox WHERE id = ANY(:ids)"), {"ids": ids})
            db.execute(sql("UPDATE forward_state SET contact_at = :now"), {"now": time.time()})

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
        r = await self._send("GET", f"{DECISIONS_PATH}?after={after}&{HAZARDS}=1", b"")
        try:
            decisions = Decisions.model_validate_json(r.content)
        except ValidationError:
            raise ForwardRetry(
                f"HTTP {r.status_code} without the province's decisions ({r.text[:200]!r})"
            ) from None
        return await asyncio.to_thread(down.take, self.repo.engine, decisions)

    async def poll_warnings_once(self) -> int:
        """Ask the province for its warnings over the city's place (and those the city holds in force), and
        keep a copy of each (warnings.py); how many copies were made or changed. A province of an earlier
        release has no such route (404): said once, not asked again until restarted."""
        if not self._warnings:
            return 0
        held = await asyncio.to_thread(warnings.held, self.repo.engine, time.time())
        query = f"?{HELD}={','.join(map(str, held))}" if held else ""
        try:
            r = await self._send("GET", WARNINGS_PATH + query, b"")
        except ForwardRetry as exc:
            if not str(exc).startswith("HTTP 404 "):
                raise
            self._warnings = False
            log.warning(
                "forwarding: the province answers no warning signals (an earlier release: %s); its warnings do "
                "not reach this city's sites until it is upgraded and this city restarted",
                str(exc)[:200],
            )
            return 0
        try:
            listed = DownWarnings.model_validate_json(r.content).warnings
        except ValidationError:
            listed = readable_warnings(r)
        return await asyncio.to_thread(warnings.take, self.repo.engine, listed, self.link.jurisdiction)


NAMED = re.compile(r"^record (\d+) \(")  # a refusal's words naming the record at fault
AT = re.compile(r"^records\.(\d+)(\.|$)")  # a field of a batch's record


def refused_record(exc: ForwardRetry, batch: Batch) -> tuple[Record, Reason] | None:
    """The record a province's whole-batch refusal (409, 422) names as at fault, and the reason's code (the
    province's ``code``, or read from the field it names: a province of an earlier release gives none); None
    for a refusal of the request or the city as a whole. A batch the province cannot read (a kind or a field
    it does not know yet) names its records by their place, ``records.N...``: the first is set aside."""
    if not exc.refused:
        return None
    reason = str(exc.answer.get("error", ""))
    fields = [str(e.get("field", "")) for e in exc.answer.get("errors") or [] if isinstance(e, dict)]
    found = NAMED.match(reason) or next(filter(None, (AT.match(f) for f in fields)), None)
    if found is None or int(found.group(1)) >= len(batch.records):
        return None
    code = exc.answer.get("code")
    if code not in WHAT_TO_DO:
        code = (
            "place"
            if fields == ["place"]
            else "unknown_project"
            if any(f.endswith(".row.project") for f in fields)
            else "conflict"
            if "send it first" in reason or "registered twice" in reason
            else "not_allowed"
            if NAMED.match(reason)
            and "not as the forwarding contract allows" not in reason
            and "cannot be stored" not in reason
            else "schema"
        )
    return batch.records[int(found.group(1))], cast(Reason, code)


def readable_warnings(r: httpx.Response) -> list[DownWarning]:
    """The warnings of a province's answer that is not all readable here, each that is (a signal type of a
    newer release is passed over with a WARNING: one unreadable warning must not keep the others from the
    sites); ForwardRetry for an answer that is no list of warnings at all (a proxy)."""
    try:
        found = r.json().get("warnings")
    except (ValueError, AttributeError):
        found = None
    if not isinstance(found, list):
        raise ForwardRetry(f"HTTP {r.status_code} without the province's warnings ({r.text[:200]!r})")
    readable = []
    for item in found[: warnings.MAX_LIVE + MAX_HELD]:
        try:
            readable.append(DownWarning.model_validate(item))
        except ValidationError as exc:
            log.warning("forwarding: a warning of the province this city cannot read, passed over: %s", exc)
    return readable
