"""DingTalk group robot (钉钉自定义机器人) with 加签: ``&timestamp=MS&sign=urlencode(base64(HMAC))``."""

from __future__ import annotations

import time

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import DingTalkUplink
from gateway.uplinks.base import post
from gateway.uplinks.robot import check_answer, markdown
from gateway.uplinks.signing import dingtalk_signature

# 130101: "send too fast" (20 messages a minute per robot); -1: system busy
TRANSIENT_CODES = frozenset({130101, -1})


class DingTalkAdapter:
    """Markdown messages to a DingTalk group; alarm and critical ones @ the configured phones."""

    def __init__(self, config: DingTalkUplink) -> None:
        self.name = config.name
        self._config = config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, event: AlertEvent) -> None:
        """Sign the webhook URL and post the markdown message."""
        cfg = self._config
        ts = str(int(time.time() * 1000))
        # the sign is already URL-encoded as DingTalk documents it, so it is appended, not passed as params
        sep = "&" if "?" in cfg.webhook else "?"
        url = f"{cfg.webhook}{sep}timestamp={ts}&sign={dingtalk_signature(cfg.secret, ts)}"
        title, text = markdown(event)
        at = cfg.at_mobiles if event.level != "warning" and event.state in ("firing", "updated") else []
        if at:
            text += "\n\n" + " ".join(f"@{m}" for m in at)
        body = {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": text},
            "at": {"atMobiles": at, "isAtAll": False},
        }
        check_answer(await post(self._client, url, json=body), TRANSIENT_CODES)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
