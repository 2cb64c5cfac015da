"""Run the regulator service with uvicorn inside an existing event loop (the demo, the tests, the benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from plumbing.http_server import ApiServer
from regulator.access.auth import LoginPolicy
from regulator.app import close_app, create_app
from regulator.channels.public import Limits
from regulator.channels.safety_logs import LogPolicy, flag_missing
from regulator.forwarding.sender import Forwarder, ForwardLink
from regulator.ingest.held import DEFAULT_HOLD_S, WarningHold
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.ledger.review import DeadlinePolicy, Review
from regulator.ledger.supervision import ListingPolicy, Supervision
from regulator.routes.body_limit import DEFAULT_MAX_BODY_MB
from regulator.routes.linked_evidence import city_linked_router
from regulator.routes.read_only import ReadOnly
from regulator.storage.evidence import PictureStore
from regulator.storage.repository import Repository

log = logging.getLogger(__name__)

ESCALATE_EVERY_S = 60.0  # how often overdue rectification is escalated
MISSING_LOGS_EVERY_S = 600.0  # how often the upkeep looks for safety logs missing past their grace


async def upkeep_forever(
    review: Review, every_s: float, hold: WarningHold | None = None, log_policy: LogPolicy | None = None
) -> None:
    """The regulator's periodic upkeep until cancelled: escalate overdue rectification every ``every_s``
    (Review.escalate_overdue), make hazards of held warnings still open past the hold
    (WarningHold.promote_waiting) and, every MISSING_LOGS_EVERY_S, of safety logs missing past their grace
    (regulator/channels/safety_logs.py)
    and, once a UTC day, keep the coming months' partitions in place
    (Repository.ensure_partitions)."""
    ensured_day = ""  # remembered so the upkeep costs nothing on the day's other sweeps
    logs_due = 0.0  # when missing safety logs are looked for next (time.monotonic)
    while True:
        try:
            await asyncio.to_thread(review.escalate_overdue)
        except Exception:  # a database hiccup must not end the sweep: the next one retries
            log.exception("escalating overdue rectification failed; retrying in %.0f s", every_s)
        if hold is not None:
            try:
                await asyncio.to_thread(hold.promote_waiting, review.repo)
            except Exception:  # as above
                log.exception("promoting held warnings failed; retrying in %.0f s", every_s)
        if time.monotonic() >= logs_due:  # a log goes missing by the hour: no need to look every sweep
            try:
                await asyncio.to_thread(flag_missing, review, log_policy or LogPolicy())
                logs_due = time.monotonic() + MISSING_LOGS_EVERY_S
            except Exception:  # as above
                log.exception("flagging missing safety logs failed; retrying in %.0f s", every_s)
        today = datetime.now(UTC).date().isoformat()
        if today != ensured_day:
            try:
                await asyncio.to_thread(review.repo.ensure_partitions)
                ensured_day = today
            except Exception:  # as above: the database may be away for a moment; the next sweep retries
                log.exception("keeping the monthly partitions failed; retrying in %.0f s", every_s)
        await asyncio.sleep(every_s)


class RegulatorServer:
    """``await start()`` serves the receiver on ``host:port`` (port 0: a free one); ``await stop()`` ends it."""

    def __init__(
        self,
        db: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        evidence_dir: PictureStore | str | Path | None = None,
        policy: DeadlinePolicy | None = None,
        offline_after_s: float = 600.0,
        escalate_every_s: float = ESCALATE_EVERY_S,
        warning_hold_s: float = DEFAULT_HOLD_S,
        max_body_mb: float = DEFAULT_MAX_BODY_MB,
        listing: ListingPolicy | None = None,
        public_limits: Limits | None = None,
        forwarded_allow_ips: str | None = None,
        login_policy: LoginPolicy | None = None,
        secure_cookies: bool | None = None,
        followup: FollowupPolicy | None = None,
        log_policy: LogPolicy | None = None,
        forward: ForwardLink | None = None,
        read_only: ReadOnly | None = None,
    ) -> None:
        """``evidence_dir``: a picture store, a folder or ``s3://BUCKET/PREFIX`` (None: by the database);
        ``warning_hold_s``: flood control's hold of warnings (regulator/ingest/held.py; 0 = none);
        ``max_body_mb``: larger request bodies are refused with 413 before they are read; ``listing``: listed
        supervision's deadlines (county 30 d, city 60 d); ``public_limits``: how many public reports the form
        takes (regulator/channels/public.py); ``forwarded_allow_ips``: the reverse proxies whose X-Forwarded-For
        names the client, so the public form counts the sender, not the proxy (None: 127.0.0.1);
        ``login_policy``: sign-in failure handling, password rules, session timeouts (regulator/access/auth.py);
        ``secure_cookies``: the session cookie's Secure flag (None: when the request came over TLS);
        ``followup``: when an accident's unfinished investigation or penalty is proposed for listed supervision
        (60 d, 75 d); ``log_policy``: when a site's daily safety log is due, and becomes a hazard when missing
        (regulator/channels/safety_logs.py); ``forward``: a city's platform forwards its ledger to the province's
        (regulator/forwarding/); ``read_only``: serve reads only, from a standby (regulator/routes/read_only.py: no
        upkeep, no migration, writes answered 503)."""
        self.db = db
        self.repo = Repository(db, evidence_dir, read_only=read_only is not None)
        self.read_only = read_only
        self.host = host
        self.review = Review(self.repo, policy)
        self._escalate_every_s = escalate_every_s
        self._escalation: asyncio.Task[None] | None = None
        self.forwarder = Forwarder(self.repo, forward) if forward is not None else None
        self._forwarding: asyncio.Task[None] | None = None
        self.hold = WarningHold(warning_hold_s)
        self.log_policy = log_policy or LogPolicy()
        app = create_app(
            self.repo,
            self.review,
            offline_after_s,
            self.hold,
            max_body_mb,
            listing,
            public_limits,
            login_policy,
            secure_cookies,
            followup,
            self.log_policy,
            read_only,
        )
        if forward is not None:  # the province's users open this city's evidence by the links it signs
            app.include_router(city_linked_router(self.repo, forward))
        self.supervision: Supervision = app.state.supervision
        self._app = app
        self._http = ApiServer(
            app,
            host,
            port,
            what="the regulator",
            hint="choose another --port",
            forwarded_allow_ips=forwarded_allow_ips,
        )

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self._http.port

    @property
    def base_url(self) -> str:
        """What a gateway's regulator uplink puts in ``base_url``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; returns once the socket accepts connections. Overdue rectification is
        escalated every ``escalate_every_s`` from then on."""
        await self._http.start()
        if self.read_only is not None:  # the upkeep writes: the primary's regulator runs it
            return
        self._escalation = asyncio.create_task(
            upkeep_forever(self.review, self._escalate_every_s, self.hold, self.log_policy),
            name="regulator-escalation",
        )
        if self.forwarder is not None:
            self._forwarding = asyncio.create_task(self.forwarder.run_forever(), name="regulator-forwarding")

    async def wait(self) -> None:
        """Return when the server stopped by itself (it failed: SIGINT/SIGTERM are the embedding process's)."""
        await self._http.wait()

    async def stop(self) -> None:
        """Stop accepting, finish requests in progress (their events are stored), close the database."""
        for task in (self._escalation, self._forwarding):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._http.stop(force=False)
        await close_app(self._app)
        self.repo.close()
