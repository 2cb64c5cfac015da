"""WeCom group robot (企业微信群机器人): one markdown message per event."""

from __future__ import annotations

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import WeComUplink
from gateway.uplinks.base import post
from gateway.uplinks.robot import check_answer, markdown

# 45009: API frequency limit (20 messages a minute per robot); -1: system busy
TRANSIENT_CODES = frozenset({45009, -1})
MAX_CONTENT_BYTES = 4096  # WeCom refuses longer markdown content


class WeComAdapter:
    """Markdown messages to a WeCom group."""

    def __init__(self, config: WeComUplink) -> None:
        self.name = config.name
        self._webhook = config.webhook
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, event: AlertEvent) -> None:
        """Post the markdown message (cut to WeCom's 4096-byte limit)."""
        _, text = markdown(event)
        content = text.encode()[:MAX_CONTENT_BYTES].decode(errors="ignore")
        body = {"msgtype": "markdown", "markdown": {"content": content}}
        check_answer(await post(self._client, self._webhook, json=body), TRANSIENT_CODES)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
