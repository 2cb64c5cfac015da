"""`sitegw run`: the production gateway, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
from pathlib import Path

from contract.config import LoadedSite
from plumbing.stop_signals import stop_requested
from plumbing.systemd_notify import notified
from sitegw.runtime import Gateway

log = logging.getLogger(__name__)


async def run_gateway(site: LoadedSite, state_dir: Path) -> None:
    """Start the site's gateway and keep it running until asked to stop."""
    with stop_requested() as stop:  # before start(): a stop asked during start-up waits for it
        gw = Gateway(site, state_dir)
        await gw.start()
        if gw.url:
            print(f"sitegw {site.config.project.code}: dashboard {gw.url}", flush=True)
        try:
            # under systemd (deploy/systemd/): ready only once started, the watchdog fed by this loop
            async with notified(f"site {site.config.project.code} running"):
                await stop.wait()
        finally:
            log.info("stopping")
            await gw.stop()
