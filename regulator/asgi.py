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
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from plumbing.heap import settle_startup_heap
from plumbing.http_server import listen
from regulator.app import close_app, create_app
from regulator.ingest.held import WarningHold
from regulator.ledger.review import Review
from regulator.serve_settings import ServeSettings
from regulator.server import ESCALATE_EVERY_S, upkeep_forever
from regulator.storage.evidence_spec import open_evidence_store
from regulator.storage.repository import Repository


def app_from_env() -> FastAPI:
    """uvicorn's app factory in each worker: the regulator over the shared database, escalating overdue
    rectification while it runs (escalation is safe in several processes at once)."""
    settings = ServeSettings.from_env()
    repo = Repository(
        settings.db,
        open_evidence_store(settings.evidence_dir, settings.s3_endpoint or None),
        read_only=settings.read_only,
    )
    review = Review(repo, settings.deadline_policy())
    hold = WarningHold(settings.warning_hold_s)
    log_policy = settings.log_policy()
    app = create_app(
        repo,
        review,
        settings.offline_after_s,
        hold,
        settings.max_body_mb,
        settings.listing_policy(),
        settings.public_limits(),
        settings.login_policy(),
        settings.secure_cookies,
        settings.followup_policy(),
        log_policy,
        settings.read_only_setting(),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the upkeep writes: a read-only (standby's) regulator leaves it to the primary's
        upkeep = (
            None
            if settings.read_only
            else asyncio.create_task(upkeep_forever(review, ESCALATE_EVERY_S, hold, log_policy))
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


def serve_workers(settings: ServeSettings) -> None:
    """Bind the settings' ``host:port`` and run ``workers`` processes on it until SIGINT/SIGTERM (blocking).

    OSError naming the address if it is taken.
    """
    sock = listen(settings.host, settings.port, "the regulator", "choose another --port")
    settings.export()
    config = uvicorn.Config(
        f"{__name__}:app_from_env",
        factory=True,
        workers=settings.workers,
        log_level="warning",
        access_log=False,
        lifespan="on",
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    Multiprocess(config, sockets=[sock]).run()
