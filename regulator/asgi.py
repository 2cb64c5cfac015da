"""``sitegw regulator serve --workers N``: the regulator in N processes on one listening socket.

uvicorn's own supervisor (uvicorn.supervisors.Multiprocess) spawns the workers, restarts one that
dies and hands each the socket the CLI bound; every worker builds its app here from the settings
the CLI put in the environment (a spawned process inherits nothing else). Workers share nothing but
the database and the evidence store: ingest and review keep no state between requests (nonces,
sessions and the hazard ledger are rows), which is also why replicas can run on several machines
behind a load balancer. One process serves about a thousand events a second; more workers help
once the machine has cores to spare for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from plumbing.heap import settle_startup_heap
from plumbing.http_server import listen
from regulator.access.auth import LoginPolicy
from regulator.access.passwords import PasswordPolicy
from regulator.app import close_app, create_app
from regulator.channels.public import PER_DISTRICT, PER_NETWORK, PER_SENDER, TOTAL, Limits
from regulator.channels.safety_logs import LogPolicy
from regulator.ingest.held import DEFAULT_HOLD_S, WarningHold
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.ledger.review import DeadlinePolicy, Review
from regulator.ledger.supervision import ListingPolicy
from regulator.routes.body_limit import DEFAULT_MAX_BODY_MB
from regulator.routes.read_only import ReadOnly
from regulator.server import upkeep_forever
from regulator.storage.evidence_spec import open_evidence_store
from regulator.storage.repository import Repository

ENV = "SITEGW_REGULATOR_SERVE"


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """What ``sitegw regulator serve`` was given, as every worker process needs it."""

    db: str
    evidence: str
    s3_endpoint: str | None
    general_days: float
    major_days: float
    offline_after_s: float
    escalate_every_s: float = 60.0
    warning_hold_s: float = DEFAULT_HOLD_S
    max_body_mb: float = DEFAULT_MAX_BODY_MB
    county_listing_days: float = 30.0
    city_listing_days: float = 60.0
    investigation_days: float = 60.0
    penalty_days: float = 75.0
    public_per_sender: int = PER_SENDER
    public_total: int = TOTAL
    public_per_network: int = PER_NETWORK
    public_per_district: int = PER_DISTRICT
    forwarded_allow_ips: str | None = None
    log_due_h: float = 12.0
    log_grace_h: float = 24.0
    lock_after: int = 5
    lock_min: float = 30.0
    session_idle_min: float = 30.0
    password_min_length: int = 8
    password_classes: int = 2
    password_max_age_days: float = 90.0
    secure_cookies: bool | None = None
    require_second_factor: bool = True
    second_factor_grace_days: float = 0.0
    read_only: bool = False
    primary_url: str = ""

    def read_only_setting(self) -> ReadOnly | None:
        """A standby's read-only regulator (regulator/routes/read_only.py), or None."""
        return ReadOnly(self.primary_url) if self.read_only else None

    def public_limits(self) -> Limits:
        """The public form's limits these settings give (regulator/channels/public.py)."""
        return Limits(
            self.public_per_sender,
            self.public_total,
            per_network=self.public_per_network,
            per_district=self.public_per_district,
        )

    def login_policy(self) -> LoginPolicy:
        """The sign-in policy these settings give (regulator/access/auth.py)."""
        return LoginPolicy(
            user_failures=self.lock_after,
            lock_s=self.lock_min * 60,
            idle_s=self.session_idle_min * 60,
            passwords=PasswordPolicy(
                self.password_min_length, self.password_classes, self.password_max_age_days
            ),
            second_factor_required=self.require_second_factor,
            second_factor_grace_s=self.second_factor_grace_days * 86400,
        )

    @classmethod
    def from_env(cls) -> ServeSettings:
        """The settings the CLI exported (a worker started any other way has none: say so)."""
        raw = os.environ.get(ENV)
        if not raw:
            raise RuntimeError(f"{ENV} is not set: start workers with `sitegw regulator serve --workers N`")
        return cls(**json.loads(raw))


def app_from_env() -> FastAPI:
    """uvicorn's app factory in each worker: the regulator over the shared database, escalating overdue
    rectification while it runs (escalation is safe in several processes at once)."""
    settings = ServeSettings.from_env()
    repo = Repository(
        settings.db,
        open_evidence_store(settings.evidence, settings.s3_endpoint),
        read_only=settings.read_only,
    )
    review = Review(repo, DeadlinePolicy(settings.general_days, settings.major_days))
    hold = WarningHold(settings.warning_hold_s)
    listing = ListingPolicy(settings.county_listing_days, settings.city_listing_days)
    limits = settings.public_limits()
    log_policy = LogPolicy(settings.log_due_h, settings.log_grace_h)
    app = create_app(
        repo,
        review,
        settings.offline_after_s,
        hold,
        settings.max_body_mb,
        listing,
        limits,
        settings.login_policy(),
        settings.secure_cookies,
        FollowupPolicy(settings.investigation_days, settings.penalty_days),
        log_policy,
        settings.read_only_setting(),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the upkeep writes: a read-only (standby's) regulator leaves it to the primary's
        upkeep = (
            None
            if settings.read_only
            else asyncio.create_task(upkeep_forever(review, settings.escalate_every_s, hold, log_policy))
        )
        settle_startup_heap()
        try:
            yield
        finally:
            if upkeep is not None:
                upkeep.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await upkeep
            await close_app(app)
            repo.close()

    app.router.lifespan_context = lifespan
    return app


def serve_workers(settings: ServeSettings, host: str, port: int, workers: int) -> None:
    """Bind ``host:port`` and run ``workers`` processes on it until SIGINT/SIGTERM (blocking).

    OSError naming the address if it is taken.
    """
    sock = listen(host, port, "the regulator", "choose another --port")
    os.environ[ENV] = json.dumps(asdict(settings))
    config = uvicorn.Config(
        f"{__name__}:app_from_env",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="on",
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    Multiprocess(config, sockets=[sock]).run()
