"""What the feedback tests share: a site whose regulator uplink polls fast, its alerts, and a gateway
run in a thread of its own for the synchronous browser test."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from contract.config import LoadedSite, load_site
from rules.result import RuleResult
from sitegw.runtime import Gateway
from tests.regulator.support import PROJECT, SECRET

POLL_S = 0.3


def site(tmp_path: Path, base_url: str, secret: str = SECRET) -> LoadedSite:
    """A site file with no devices and one regulator uplink polling its feedback every POLL_S seconds."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
uplinks:
  - type: regulator
    base_url: {base_url}
    secret: {secret}
    feedback_every_s: {POLL_S}
    backoff_initial_s: 0.1
    backoff_max_s: 1
    timeout_s: 2
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    return load_site(path)


def raise_alert(gw: Gateway, device: str, rule: str = "crane.load") -> str:
    """An alarm from a rule's verdict (the site has no devices to read), through the gateway's real alert
    manager and outbox; its alert id."""
    gw.monitor.alerts.handle(
        [
            RuleResult(
                rule,
                device,
                "",
                "alarm",
                time.time(),
                clause="GB 5144-2006 第6.1.2条 起重量大于额定起重量时，起重量限制器应切断上升方向动力，仅允许下降",
                value=104.0,
                threshold=100.0,
                unit="%",
                message=f"{device} 起重量 104%：立即停止起升，卸载至额定起重量以内",
                message_en=f"{device} load 104 %: stop hoisting up now and unload to within the rated load",
            )
        ]
    )
    [alert] = [a for a in gw.monitor.alerts.list_alerts(device=device) if a.state == "firing"]
    return alert.alert_id


class ThreadedGateway:
    """A Gateway on its own event loop in a thread, for synchronous tests (Playwright)."""

    def __init__(self, loaded: LoadedSite, state_dir: Path) -> None:
        self._gw = Gateway(loaded, state_dir)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="feedback-gateway", daemon=True)

    def __enter__(self) -> Gateway:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._gw.start(), self._loop).result(60)
        return self._gw

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _stop(self) -> None:
        await self._gw.stop()
        # as asyncio.run does: end what the run left (sse-starlette's shutdown watcher)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
