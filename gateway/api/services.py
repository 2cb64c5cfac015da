"""The services the API reads and acts on, handed over by the application shell.

The routes see these and nothing else of the running gateway: the site as loaded, the live state and
stream, the alert manager and the regulator's decisions, the local store's history, the health document
and the cameras. Not frozen: a site gains or loses its camera service while the API serves (and tests
put a camera service of their own in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.config import LoadedSite
from gateway.alerts.manager import AlertManager
from gateway.alerts.store import DecisionStore
from gateway.api.hub import LiveHub
from gateway.camera_service import CameraService
from gateway.live import LiveState
from gateway.site.hot_work import HotWork
from gateway.site.install import Install
from gateway.site.jacking import Jacking
from gateway.site.safety_log.schedule import SafetyLogSchedule
from gateway.site.siren import SirenState
from gateway.site.site_work import SiteWork
from gateway.site.weather_warnings import WarningBoard
from gateway.store.local_query import HistoryReader
from gateway.uplinks.notices import NoticeBoard
from gateway.uplinks.self_checks import SelfCheckOutbox


@dataclass(slots=True)
class ApiServices:
    """What one site's API needs, each part a service of its own."""

    site: LoadedSite
    live: LiveState
    hub: LiveHub
    alerts: AlertManager
    decisions: DecisionStore
    history: HistoryReader
    health: Callable[[], dict[str, Any]]
    cameras: CameraService | None = None
    work: SiteWork | None = None  # pours and who is on site
    jacking: Jacking | None = None  # the cranes' jacking windows and heights
    install: Install | None = None  # the cranes' and hoists' 安拆 windows
    sirens: Callable[[], list[SirenState]] | None = None  # the site's sirens and what drives them
    notices: NoticeBoard | None = None  # the regulators' supervision notices to the project
    self_checks: SelfCheckOutbox | None = None  # company self-checks on their way to the regulators
    warnings: WarningBoard | None = None  # the regional warning signals the site set (or the regulator)
    safety_logs: SafetyLogSchedule | None = None  # the daily safety logs, drafted, signed and sent
    hot_work: HotWork | None = None  # the hot-work permits (动火许可证)

    @property
    def device_ids(self) -> set[str]:
        """The ids of the site file's devices."""
        return {d.id for d in self.site.config.devices}
