"""What the gateway's periodic requests to a regulator share (the feedback poll, the readings summaries):
the loop that repeats one attempt every period and backs off after failures, the failure it raises, how a
persisting failure is logged, and what the regulator's refusals mean for the site.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from contract.config.uplinks import RegulatorUplink, UplinkBase
from gateway.outbox.backoff import backoff_delay
from gateway.uplinks.base import http_client, network_failure

RELOG_S = 600.0  # a failure that persists is logged again this often, so a later reader of the log sees it


class UplinkRetry(Exception):
    """An attempt the regulator did not take, tried again next period; ``refused`` when retrying alone cannot
    help (a setting is wrong): logged as an error rather than a warning. ``outage`` names failures that are
    one and the same outage whatever their detail (a refused connection, then a timeout while the
    regulator restarts), so the log says it once rather than at every change of detail."""

    def __init__(self, message: str, *, refused: bool, outage: str | None = None) -> None:
        super().__init__(message)
        self.refused = refused
        self.outage = outage

    @classmethod
    def unreachable(cls, cfg: RegulatorUplink, what: str, exc: httpx.HTTPError) -> UplinkRetry:
        """The regulator could not be reached at all (refused, reset, timed out)."""
        return cls(
            f"uplink {cfg.name!r}: regulator {cfg.base_url} unreachable{what} "
            f"({network_failure(exc, cfg.base_url, cfg.tls)}); retrying",
            refused=False,
            outage="unreachable",
        )


@dataclass
class Failures:
    """Attempts in a row that failed, and what was last logged for them (its key and when)."""

    count: int = 0
    _logged: tuple[str, float] = ("", 0.0)

    def report(self, logger: logging.Logger, message: str, level: int, key: str | None = None) -> None:
        """Count a failure; log it at ``level`` unless the same ``key`` (default: the message) was logged
        less than RELOG_S ago."""
        self.count += 1
        key = key or message
        last, when = self._logged
        now = time.monotonic()
        if key != last or now - when >= RELOG_S:
            logger.log(level, "%s", message)
            self._logged = (key, now)
        else:
            logger.debug("%s", message)

    def cleared(self) -> int:
        """An attempt got through: the failures before it (0 if none), forgotten with their message."""
        count, self.count, self._logged = self.count, 0, ("", 0.0)
        return count


async def run_periodically(
    cfg: UplinkBase,
    period_s: float,
    attempt: Callable[[httpx.AsyncClient], Awaitable[object]],
    failures: Failures,
    logger: logging.Logger,
    what: str,
    on_cleared: Callable[[int], None] | None = None,
) -> None:
    """``attempt`` every ``period_s`` until cancelled; after a failure, back off (capped by the uplink's
    ``backoff_max_s``, never faster than the period). ``on_cleared`` hears how many failures an attempt
    that got through ended."""
    tls = cfg.tls if isinstance(cfg, RegulatorUplink) else None  # a pinned CA is the regulator's setting
    async with http_client(cfg.timeout_s, tls) as client:
        while True:
            try:
                await attempt(client)
            except UplinkRetry as exc:
                failures.report(
                    logger, str(exc), logging.ERROR if exc.refused else logging.WARNING, exc.outage
                )
            except Exception:  # a full disk, a bug: logged, and the loop goes on as for any failure
                failures.count += 1
                logger.exception("uplink %r: %s failed; retrying", cfg.name, what)
            else:
                ended = failures.cleared()
                if ended and on_cleared is not None:
                    on_cleared(ended)
            delay = period_s
            if failures.count:
                delay = max(delay, backoff_delay(failures.count, cfg.backoff_initial_s, cfg.backoff_max_s))
            await asyncio.sleep(delay)


def unsigned(cfg: UplinkBase, project: str, what: str, said: str) -> UplinkRetry:
    """The regulator's 401 to a signed ``what`` (e.g. "feedback request"), with the fix."""
    return UplinkRetry(
        f"uplink {cfg.name!r}: the regulator refused the signed {what} (HTTP 401: {said}); {secret_hint(project)}",
        refused=True,
    )


def regulator_said(r: httpx.Response) -> str:
    """What the regulator said in a refusal: its error and the fields it named."""
    try:
        said = r.json()
        text = str(said.get("error", r.text))
        fields = "; ".join(f"{e['field']}: {e['problem']}" for e in said.get("errors", [])[:3])
    except (ValueError, AttributeError, KeyError, TypeError):
        return r.text[:300]
    return f"{text} ({fields})"[:500] if fields else text[:300]


def secret_hint(project: str) -> str:
    """The fix for a 401: the secret registered at the regulator, or this machine's clock."""
    return (
        f"check that the uplink's secret is the one registered for project {project} at the regulator "
        f"(`sitegw regulator add-project {project} --secret ...`) and that this machine's clock is right"
    )
