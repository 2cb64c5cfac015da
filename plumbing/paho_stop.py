"""Ending a paho-mqtt client's session and network thread, without paho 2.2's race at the end.

After ``disconnect()`` paho's network thread leaves its loop and clears ``client._thread`` as it ends;
when that happens between ``loop_stop()``'s check of ``_thread`` and its ``join()``, ``loop_stop`` raises
``AttributeError: 'NoneType' object has no attribute 'join'`` (seen at a demo's Ctrl-C under load, in
issue #19's clock test). The thread has ended by then, which is all ``loop_stop`` waits for.
"""

from __future__ import annotations

import asyncio
import contextlib

import paho.mqtt.client as mqtt


async def disconnect_and_join(client: mqtt.Client) -> None:
    """``disconnect()``, then wait (in a worker thread) until paho's network thread has ended."""
    client.disconnect()
    with contextlib.suppress(AttributeError):  # the thread ended between loop_stop's check and its join
        await asyncio.to_thread(client.loop_stop)
