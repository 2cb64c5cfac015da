"""`sitegw run`: the production gateway, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from contract.config import LoadedSite
from sitegw.runtime import Gateway

log = logging.getLogger(__name__)


async def run_gateway(site: LoadedSite, state_dir: Path) -> None:
    """Start the site's gateway and keep it running until asked to stop."""
    gw = Gateway(site, state_dir)
    await gw.start()
    if gw.url:
        print(f"sitegw {site.config.project.code}: dashboard {gw.url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await gw.stop()
