"""A real gateway run on a state folder, as the restart tests start and stop it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from contract.config import LoadedSite
from sitegw.runtime import Gateway


@contextlib.asynccontextmanager
async def running(loaded: LoadedSite, state: Path) -> AsyncIterator[Gateway]:
    """The gateway of ``loaded`` on ``state``, without its API, once its warm-up is done; stopped after."""
    gw = Gateway(loaded, state, serve_api=False)
    await gw.start()
    try:
        await asyncio.wait_for(gw.warmup.done.wait(), 60)
        yield gw
    finally:
        await gw.stop()
