"""The outbox as the rest of the gateway sees it: `on_event` in, dispatchers out, backlog for /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.config.uplinks import OutboxConfig, UplinkBase
from gateway.outbox.dispatcher import Dispatcher
from gateway.outbox.store import OUTBOX_FILE, Backlog, OutboxStore, platform_digest
from gateway.uplinks import UplinkAdapter, build_adapter
from plumbing.sqlite import sqlite3

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Everything /metrics and the run summary show about delivery."""

    backlogs: list[Backlog]
    disk_bytes: int
    disk_budget_bytes: int
    disk_pct: float
    disk_warn_pct: float
    dropped: int


class Outbox:
    """Disk queue in front of every uplink. ``on_event`` is the AlertManager's callback."""

    def __init__(
        self,
        state_dir: Path,
        uplinks: list[UplinkBase],
        config: OutboxConfig | None = None,
        adapters: dict[str, UplinkAdapter] | None = None,
    ) -> None:
        """Open (or create) ``<state_dir>/outbox.sqlite``; ``adapters`` overrides `build_adapter` per name."""
        self.config = config or OutboxConfig()
        self.store = OutboxStore(Path(state_dir) / OUTBOX_FILE, int(self.config.max_disk_mb * 1024 * 1024))
        self._uplinks = uplinks
        self._adapters = adapters or {}
        self._dispatchers: list[Dispatcher] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned = False

    # --- the producer side (synchronous on purpose: acknowledged means on disk) --------------------

    def put(self, event: AlertEvent) -> bool:
        """Persist the event (fsynced) for every uplink that takes it; returns False for a repeated event_id.

        Safe from any thread. Never raises for a full disk budget: older, lower events make room (logged).
        """
        targets = [u.name for u in self._uplinks if u.accepts(event.level, event.rule)]
        stored = self.store.put(event, targets)
        self._check_disk()
        if stored and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake_all)
        return stored

    on_event = put  # the name the AlertManager calls

    def _wake_all(self) -> None:
        for d in self._dispatchers:
            d.wake()

    def _check_disk(self) -> None:
        used = self.store.used_bytes()
        budget = self.store.max_bytes or 1
        pct = 100 * used / budget
        if pct >= self.config.warn_pct and not self._warned:
            log.warning(
                "outbox uses %.0f %% of its %.0f MB disk budget (warning at %.0f %%): uplinks are not "
                "keeping up; at 100 %% the oldest undelivered warnings are dropped first",
                pct,
                self.config.max_disk_mb,
                self.config.warn_pct,
            )
        self._warned = pct >= self.config.warn_pct
        if used > budget:
            self.store.prune(self.config.keep_delivered_days * 86400)

    # --- the delivery side ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start one dispatcher per uplink (pending events from a previous run go first); an uplink
        whose platform changed since the last run first gets the events of the alerts still open."""
        self._loop = asyncio.get_running_loop()
        for cfg in self._uplinks:
            self._follow_platform(cfg)
        for cfg in self._uplinks:
            adapter = self._adapters.get(cfg.name) or build_adapter(cfg)
            self._adapters[cfg.name] = adapter
            d = Dispatcher(self.store, adapter, cfg, self.config.backfill_after_s)
            self._dispatchers.append(d)
            self._tasks.append(asyncio.create_task(d.run(), name=f"uplink-{cfg.name}"))
        self._tasks.append(asyncio.create_task(self._prune_forever(), name="outbox-prune"))

    def _follow_platform(self, cfg: UplinkBase) -> None:
        """Record the platform ``cfg`` delivers to; when it changed, queue the open alerts' events for it.

        Without this, a gateway pointed at another platform (a new regulator URL, another robot)
        would count the alerts still firing as delivered, and the new platform would never hear of
        them. Resolved alerts stay with the old platform. Events pruned from the outbox (delivered
        longer ago than ``keep_delivered_days``) cannot be sent again."""
        key = cfg.platform_key()
        if not key:
            return
        before = self.store.platform(cfg.name)
        if before is not None and before[0] == platform_digest(key):
            return
        requeue: list[int] = []
        if before is not None:
            open_events = [
                (seq, e) for seq, e in self.store.open_alert_events() if cfg.accepts(e.level, e.rule)
            ]
            requeue = [seq for seq, _ in open_events]
            log.warning(
                "uplink %r: platform changed from %s to %s: the %d event(s) of the %d alert(s) still open "
                "go to the new platform (resolved ones stay with the old one)",
                cfg.name,
                before[1],
                cfg.shown_target(),
                len(requeue),
                len({e.alert_id for _, e in open_events}),
            )
        self.store.switch_platform(cfg.name, key, cfg.shown_target(), requeue)

    async def stop(self) -> None:
        """Stop delivering (undelivered events stay on disk), close the adapters and the file."""
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for adapter in self._adapters.values():
            with contextlib.suppress(Exception):
                await adapter.close()
        self._tasks.clear()
        self._dispatchers.clear()
        self._loop = None
        self.store.close()

    async def _prune_forever(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.store.prune, self.config.keep_delivered_days * 86400)
            except sqlite3.OperationalError as exc:  # the disk full: pruned at the next round
                log.warning(
                    "outbox: pruning delivered events failed (%s); trying again in %d s", exc, PRUNE_EVERY_S
                )
            await asyncio.sleep(PRUNE_EVERY_S)

    async def drained(self, timeout: float) -> bool:
        """Wait until no uplink has anything pending (True) or ``timeout`` seconds passed (False)."""
        deadline = time.monotonic() + timeout
        while any(b.depth for b in self.stats().backlogs):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def stats(self) -> OutboxStats:
        """Backlog per uplink (``outbox_depth``, ``oldest_unsent_s``) and disk use."""
        used = self.store.used_bytes()
        budget = self.store.max_bytes or 1
        return OutboxStats(
            [self.store.backlog(u.name) for u in self._uplinks],
            used,
            budget,
            round(100 * used / budget, 2),
            self.config.warn_pct,
            self.store.dropped_count(),
        )
