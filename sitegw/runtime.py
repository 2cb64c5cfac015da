"""One site's gateway, assembled from its configuration.

Data flows one way: drivers -> bus -> (live state, local store, InfluxDB sink, rules -> alerts
-> outbox -> uplinks), with the API reading beside it. This module only wires the parts and
owns their start/stop order: consumers start before producers, and stop after them, so no
reading is published into a part that is not listening.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract import __version__
from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.sinks import ApiConfig
from contract.config.transport import MqttBroker, MqttTransport
from contract.config.uplinks import CraneRecordsUplink, RegulatorUplink, UplinkBase
from contract.kinds import registry
from contract.readings import Reading
from drivers.base import DeviceStats, Driver
from drivers.modbus.driver import ModbusDriver, is_modbus
from drivers.mqtt.driver import MqttDriver
from gateway.alerts.monitor import SafetyMonitor
from gateway.alerts.store import DecisionStore
from gateway.api.hub import LiveHub
from gateway.api.services import ApiServices
from gateway.disk_watch import DiskWatch
from gateway.live import LiveState
from gateway.metrics import GatewayMetrics, MetricSources
from gateway.outbox.service import Outbox
from gateway.series_guard import SeriesGuard
from gateway.site.hot_work import HotWork
from gateway.site.install import Install
from gateway.site.jacking import CraneHeights, Jacking
from gateway.site.safety_log.draft import Sources
from gateway.site.safety_log.schedule import SafetyLogSchedule
from gateway.site.safety_log.sender import SafetyLogSender
from gateway.site.safety_log.store import FILE as SAFETY_LOGS_FILE
from gateway.site.safety_log.store import SafetyLogStore
from gateway.site.siren import SirenController
from gateway.site.site_work import INSTALL_WINDOW, JACKING_WINDOW, SiteWork
from gateway.site.weather_warnings import WarningBoard
from gateway.store.influx import InfluxSink
from gateway.store.local import LocalStore
from gateway.store.local_query import StoreCounts
from gateway.uplinks import build_record_sink
from gateway.uplinks.behind_alerts import BehindAlertsSender
from gateway.uplinks.clips import ClipQueue, ClipRouter, ClipSender
from gateway.uplinks.crane_records import CraneRecordSender, crane_sources
from gateway.uplinks.feedback import FeedbackPoller
from gateway.uplinks.heartbeat import heartbeat_forever
from gateway.uplinks.notices import NoticeBoard
from gateway.uplinks.patrol import PatrolQueue, PatrolSchedule, PatrolSender
from gateway.uplinks.positions import ReadPositions
from gateway.uplinks.regulator_warnings import RegulatorWarnings
from gateway.uplinks.self_checks import FILE as SELF_CHECKS_FILE
from gateway.uplinks.self_checks import SelfCheckOutbox, SelfCheckSender
from gateway.uplinks.summaries import SummarySender
from gateway.uplinks.waiting_files import WaitingFiles
from plumbing.heap import settle_startup_heap
from plumbing.malloc import map_large_blocks, trim_while_busy
from plumbing.sqlite import library as sqlite_library
from plumbing.sqlite import library_warning as sqlite_warning
from sitegw.state_version import claim
from sitegw.warmup import RuleWarmup

# Imported where a site has the parts that need them: the cameras' side loads numpy and the vision
# workers' modules (12 MB of the gateway's memory), the GB/T 28181 device its SIP library; a site
# without cameras should not carry them.
if TYPE_CHECKING:
    from gateway.api.auth import AuthPolicy
    from gateway.site.gb28181.device import Gb28181Device
    from plumbing.http_server import ApiServer
    from sitegw.cameras import CameraHub

log = logging.getLogger(__name__)
# at a clean stop, how long the outbox may take to deliver the worst values told then (AlertManager.tell_worst)
STOP_DRAIN_S = 5.0
# how long a data logger's window of records may wait for the local store's commit before it is read again
HISTORY_COMMIT_S = 30.0


class Gateway:
    """Everything one site runs: drivers, stores, rules and alerts, delivery, API.

    ``state_dir`` holds every file the gateway writes (history, spool, alerts, outbox), so a
    restart with the same folder continues where the last run stopped.
    """

    def __init__(
        self,
        site: LoadedSite,
        state_dir: Path,
        *,
        mqtt_brokers: dict[str, MqttBroker] | None = None,
        api: ApiConfig | None = None,
        serve_api: bool = True,
        extra_uplinks: list[UplinkBase] | None = None,
    ) -> None:
        """Build every part, each over those built before it; nothing runs until :meth:`start`."""
        state_dir.mkdir(parents=True, exist_ok=True)
        claim(state_dir)  # a downgrade stops here, before any store opens the folder
        # each crane at the height its last jacking window closed with (gateway/site/jacking.py): every part
        # below reads the site so adjusted
        self.heights = CraneHeights(state_dir)
        self.site = site = self.heights.apply(site)
        self.state_dir = state_dir
        self.device_ids = {d.id for d in site.config.devices}
        self._uplinks = [*site.config.uplinks, *(extra_uplinks or [])]
        self.rule_evaluations = 0
        # 1. the intake and the stores the readings land in
        self._build_intake()
        self._build_stores()
        # 2. the core loop's alerts and their delivery, over the stores (the warm-up replays the history)
        self._build_alerts()
        # 3. the cameras (a site with any), over the bus and the alerts; then the live stream: each hears
        #    every alert event, in this order
        self.cameras = self._build_cameras()
        self.hub = LiveHub()  # live stream of readings, status and alert events for the API
        self.monitor.alerts.add_listener(self.hub.on_alert)
        # 4. the site's own services (gateway/site/) over the rules' state and the alerts
        self._build_site_services({**site.config.mqtt_brokers, **(mqtt_brokers or {})})
        # 5. what the API may read and act on, and where /metrics reads its figures: built over all of the above
        self.api_services = self._build_api_services()
        self.metrics = self._build_metrics()
        # 6. the drivers last: producers, built once everything that hears them is
        self.drivers = self._build_drivers(mqtt_brokers)
        # what start() and stop() fill in
        self._api_cfg = api or site.config.api
        self._serve_api = serve_api
        self.api: ApiServer | None = None
        self.auth: AuthPolicy | None = None
        self.started_at = time.time()
        self._tasks: list[asyncio.Task[None]] = []
        self.patrol: list[PatrolSender] = []  # one per regulator uplink, when a camera sends patrol pictures
        self.clips: list[ClipSender] = []  # one per regulator uplink that takes evidence clips
        self.final_summary: dict[str, Any] | None = None  # the summary as of stop()
        self._links_at_stop: dict[str, dict[str, Any]] = {}  # each device's link as stop() began

    def _build_intake(self) -> None:
        """The bus every reading crosses, the live picture, and the guard on point codes and points per device
        (readings past its bounds go no further than it)."""
        self.bus = Bus()
        self.live = LiveState()
        self.series_guard = SeriesGuard(registry.subject_metrics())

    def _build_stores(self) -> None:
        """The local history (always) and InfluxDB (when the site file has it), with the disk watch a full disk
        stops the history's writes by (keeping room for alerts, not readings)."""
        site, state_dir = self.site, self.state_dir
        self.influx: InfluxSink | None = None
        if site.config.influx is not None:
            kinds = {d.id: d.kind for d in site.config.devices} | {c.name: "camera" for c in _cameras(site)}
            self.influx = InfluxSink(site.config.influx, state_dir / "influx-spool", kinds)
        # the store marks readings that arrive after their minute was summarised or sent as a crane record, for
        # each uplink that summarises or sends crane records
        late_for = [
            u.name
            for u in self._uplinks
            if (isinstance(u, RegulatorUplink) and u.summary_every_s > 0)
            or (isinstance(u, CraneRecordsUplink) and u.records_every_s > 0)
        ]
        self.disk = DiskWatch(state_dir)
        self.store = LocalStore(
            state_dir / "history.sqlite",
            site.config.store,
            late_for=late_for,
            may_write=lambda: not self.disk.full,
        )

    def _build_alerts(self) -> None:
        """The outbox first (the monitor hands it every alert event), the rules and alerts, the regulator's
        decisions on those alerts (the feedback poller records them through its DecisionLog), how far the
        periodic uplinks have read the store, and the warm-up that gives the rules their memory from before a
        restart."""
        state_dir = self.state_dir
        self.outbox = Outbox(state_dir, self._uplinks, self.site.config.outbox)
        self.monitor = SafetyMonitor(self.site, state_dir / "alerts.sqlite", on_event=self.outbox.put)
        self.decisions = DecisionStore(state_dir / "alerts.sqlite")
        # carried from the alert database once
        self.positions = ReadPositions(
            state_dir / "uplink_positions.sqlite", carried_from=state_dir / "alerts.sqlite"
        )
        self.warmup = RuleWarmup(self.site, self.monitor, self.store.reader)

    def _build_cameras(self) -> CameraHub | None:
        """The camera workers' side, None for a site without cameras (it then never imports it)."""
        if not _cameras(self.site):
            return None
        from sitegw.cameras import CameraHub

        vision = self.site.config.vision
        assert vision is not None
        return CameraHub(vision, self.state_dir, self.site.config.project.code, self.bus, self.monitor)

    def _build_site_services(self, brokers: dict[str, MqttBroker]) -> None:
        """The site's own services (gateway/site/): work windows and jacking, the warning signals, the sirens,
        what the site reports to its regulators (self-checks, the daily safety log), the GB/T 28181 device."""
        site, state_dir = self.site, self.state_dir
        # pours started and ended by supervisors, and who is on site, over the rules' own state
        self.work = SiteWork(site, self.monitor.engine, self.bus.publish, state_dir)
        self.jacking = Jacking(self.work, self.heights)
        self.install = Install(self.work)
        # the regional warning signals, kept across restarts and judged by the rules (weather stops)
        self.warnings = WarningBoard(state_dir / "warnings.sqlite", self.monitor.engine)
        # the hot-work permits, kept across restarts and judged by the rules (rules/hot_work.py); issued
        # only within the validity the site's (company's) scheme gives their level
        self.hot_work = HotWork(
            state_dir / "hot_work.sqlite",
            self.monitor.engine,
            site.config.rules.licence_utc_offset_h,
            validity=site.config.hot_work_permits,
            roster=site.config.operators,
        )
        # the site's own sirens follow the alerts from the start (those still active from the last run
        # included), before the API or any other thread can act on an alert
        self.sirens = SirenController(site.config.sirens, brokers, site.config.project.code)
        self.sirens.follow(self.monitor.alerts)
        self._build_site_reports()
        # the cameras on a GB/T 28181 video platform, when the site file has a gb28181 section
        self.gb28181: Gb28181Device | None = None
        if site.config.gb28181 is not None:
            from gateway.site.gb28181.device import Gb28181Device

            self.gb28181 = Gb28181Device(site.config.gb28181, _cameras(site), online=self._camera_online)

    def _build_site_reports(self) -> None:
        """The site's self-checks (企业自查, gateway/uplinks/self_checks.py) and the daily safety log with the key
        people's attendance (gateway/site/safety_log/), each durable, with a sender for each regulator uplink."""
        site, state_dir = self.site, self.state_dir
        regulators = [u for u in self._uplinks if isinstance(u, RegulatorUplink)]
        self.self_checks = SelfCheckOutbox(state_dir / SELF_CHECKS_FILE, [u.name for u in regulators])
        self.self_check_senders = [
            SelfCheckSender(u, site.config.project.code, self.self_checks) for u in regulators
        ]
        self.safety_logs = SafetyLogSchedule(
            Sources(site, self.store.reader, self.monitor.alerts, self.warnings, self.hot_work),
            SafetyLogStore(
                state_dir / SAFETY_LOGS_FILE, site.config.project.code, [u.name for u in regulators]
            ),
            site.config.safety_log.draft_at,
        )
        self.safety_log_senders = [SafetyLogSender(u, self.safety_logs.store) for u in regulators]

    def _build_api_services(self) -> ApiServices:
        """What the API may read and act on: nothing else of this object."""
        site = self.site
        return ApiServices(
            site=site,
            live=self.live,
            hub=self.hub,
            alerts=self.monitor.alerts,
            decisions=self.decisions,
            history=self.store.reader,
            health=self.health,
            cameras=self.cameras,
            work=self.work,
            jacking=self.jacking,
            install=self.install,
            warnings=self.warnings,
            hot_work=self.hot_work,
            sirens=self.sirens.states,
            notices=NoticeBoard(
                site.config.project.code, [u for u in self._uplinks if isinstance(u, RegulatorUplink)]
            ),
            self_checks=self.self_checks,
            safety_logs=self.safety_logs,
        )

    def _build_metrics(self) -> GatewayMetrics:
        """Where /metrics reads its figures (each read when scraped)."""
        return GatewayMetrics(
            MetricSources(
                driver_stats=self.driver_stats,
                store_counts=self.store_counts,
                outbox=self.outbox.stats,
                rule_evaluations=lambda: self.rule_evaluations,
                live=self.live,
                hub=self.hub,
                alerts=self.monitor.alerts,
                influx=self.influx,
                cameras=lambda: self.api_services.cameras,
                disk=self.disk,
                store_memory=lambda: (self.store.pending, self.store.dropped),
                behind_alerts=lambda: {"pictures": self.patrol_stats(), "clips": self.clip_stats()},
                refused=self.refused_inputs,
            )
        )

    def _build_drivers(self, mqtt_brokers: dict[str, MqttBroker] | None) -> list[Driver]:
        """One Modbus driver for every Modbus device, one MQTT driver for every MQTT device, those the site has."""
        site = self.site
        drivers: list[Driver] = []
        if any(is_modbus(d) for d in site.config.devices):
            drivers.append(ModbusDriver(site, self.bus, may_take=self._may_take, committed=self._committed))
        if any(isinstance(d.transport, MqttTransport) for d in site.config.devices):
            drivers.append(MqttDriver(site, self.bus, mqtt_brokers, may_take=self._may_take))
        return drivers

    async def start(self) -> None:
        """Start consumers, then the API, then the drivers."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        map_large_blocks()  # before the threads start: a burst's large buffers given back when freed
        self.bus.bind_loop(asyncio.get_running_loop())
        self.hub.bind_loop(asyncio.get_running_loop())
        await asyncio.to_thread(self.disk.start)
        self._tasks.append(asyncio.create_task(self._watch_disk(), name="disk-watch"))
        # what a burst freed handed back while it goes in, not only after: the peak is the budget (issue #55)
        self._tasks.append(asyncio.create_task(trim_while_busy(lambda: self.live.total), name="heap-trim"))
        await asyncio.to_thread(self.store.start)
        if self.influx is not None:
            await self.influx.start()
        await self.outbox.start()  # events left from the last run go first
        await self.sirens.start()  # a siren whose alert still fires sounds at once after a restart
        # the rules judge live readings only after the warm-up; drivers and the API need not wait for it
        self.bus.subscribe("pipeline", self.warmup.hold(self._ingest))
        self.bus.subscribe_status("live", self.live.on_status)
        self.bus.subscribe_status("rules", self.warmup.hold(self.monitor.on_status))
        self.bus.subscribe_status("hub", self.hub.on_status)
        # a jacking window open when the gateway stopped is open still (its start may predate the warm-up)
        self.work.reopen(JACKING_WINDOW.name)
        self.work.reopen(INSTALL_WINDOW.name)  # and an 安拆 window, at its stage
        self._tasks.append(asyncio.create_task(self.warmup.run_then(self.monitor.run), name="rules-tick"))
        patrol = self._start_patrol()
        self._start_clips()
        for sender in self.self_check_senders:
            self._tasks.append(asyncio.create_task(sender.run(), name=f"self-checks-{sender.name}"))
        for log_sender in self.safety_log_senders:
            self._tasks.append(asyncio.create_task(log_sender.run(), name=f"safety-logs-{log_sender.name}"))
        self._tasks.append(asyncio.create_task(self.safety_logs.run(), name="safety-log-schedule"))
        self._start_uplink_tasks(patrol)
        if self._serve_api:
            await self._start_api()
        for driver in self.drivers:
            await driver.start()
        if self.cameras is not None:
            await self.cameras.start()
        if self.gb28181 is not None:
            await self.gb28181.start()  # ffmpeg missing: a clear error before the site runs without it
        self.started_at = time.time()
        settle_startup_heap()  # what start-up made stays: no full collection walks it again
        log.info(
            "gateway for %s started: %d devices, state in %s (%s)",
            self.site.config.project.code,
            len(self.device_ids),
            self.state_dir,
            sqlite_library(),
        )
        if (warning := sqlite_warning()) is not None:
            log.warning("%s", warning)

    def _start_uplink_tasks(self, patrol: PatrolSchedule | None) -> None:
        """The periodic tasks of each uplink beside the outbox: a regulator's heartbeat, feedback poll and
        summaries; a platform's crane records."""
        for uplink in self._uplinks:
            if isinstance(uplink, RegulatorUplink):
                self._start_regulator_tasks(uplink, patrol)
            if isinstance(uplink, CraneRecordsUplink) and uplink.records_every_s > 0:
                self._tasks.append(
                    asyncio.create_task(self._send_crane_records(uplink), name=f"records-{uplink.name}")
                )

    def _start_regulator_tasks(self, uplink: RegulatorUplink, patrol: PatrolSchedule | None) -> None:
        """A regulator uplink's heartbeat, and its feedback poll and summaries where the site file has them:
        the poller records the regulator's decisions in the alerts' DecisionStore (its DecisionLog)."""
        depth = partial(lambda name: self.outbox.store.backlog(name).depth, uplink.name)
        info = self.site.config.project
        where = (info.lat, info.lon) if info.lat is not None and info.lon is not None else None
        self._tasks.append(
            asyncio.create_task(
                heartbeat_forever(uplink, info.code, depth, self.site.config.dangerous_works, where),
                name=f"heartbeat-{uplink.name}",
            )
        )
        if uplink.feedback_every_s > 0:
            poller = FeedbackPoller(
                uplink,
                self.site.config.project.code,
                self.decisions,
                on_decision=self.hub.on_decision,
                on_pictures_wanted=patrol.want if patrol is not None else None,
                on_notices=partial(self.api_services.notices.replace, uplink.name)
                if self.api_services.notices is not None
                else None,
                warnings=RegulatorWarnings(self.warnings),
            )
            self._tasks.append(asyncio.create_task(poller.run(), name=f"feedback-{uplink.name}"))
        if uplink.summary_every_s > 0:
            summaries = SummarySender(
                uplink, self.site.config.project.code, self.store.reader, self.store, self.positions
            )
            self._tasks.append(asyncio.create_task(summaries.run(), name=f"summaries-{uplink.name}"))

    async def _start_api(self) -> None:
        """Serve the API and the dashboard over the services it may read, with the site's users."""
        from gateway.api.app import create_app
        from gateway.api.auth import AuthPolicy
        from gateway.api.auth_store import AuthStore
        from plumbing.http_server import ApiServer

        self.auth = AuthPolicy(
            AuthStore(self.state_dir / "users.sqlite"), anonymous_read=self._api_cfg.anonymous_read
        )
        app = create_app(
            self.api_services,
            self.metrics.registry,
            self.auth,
            cors_origins=tuple(self._api_cfg.cors_origins),
        )
        self.api = ApiServer(app, self._api_cfg.host, self._api_cfg.port)
        await self.api.start()

    def _start_patrol(self) -> PatrolSchedule | None:
        """Each camera's latest picture to every regulator uplink on its schedule (gateway/uplinks/patrol.py),
        each uplink's pictures in ``patrol/<uplink>`` of the state folder, sent while its outbox is empty;
        the schedule (which also answers a regulator's request for a picture), None without patrol."""
        vision = self.site.config.vision
        if self.cameras is None or vision is None or not any(c.patrol_every_s for c in vision.cameras):
            return None
        budget = int(vision.patrol_budget_mb * 1e6)
        regulators = [u for u in self._uplinks if isinstance(u, RegulatorUplink)]
        self.patrol = [
            PatrolSender(
                u,
                self.site.config.project.code,
                PatrolQueue(self.state_dir / "patrol" / u.name, budget // max(1, len(regulators))),
                partial(self.outbox.store.has_pending, u.name),
            )
            for u in regulators
        ]
        for sender in self.patrol:
            self._tasks.append(asyncio.create_task(sender.run(), name=f"patrol-{sender.name}"))
        schedule = PatrolSchedule(self.site.config.project.code, vision.cameras, self.cameras, self.patrol)
        self._tasks.append(asyncio.create_task(schedule.run(), name="patrol-schedule"))
        return schedule

    def _start_clips(self) -> None:
        """Each vision alert's clip to every regulator uplink with ``clips`` on (gateway/uplinks/clips.py),
        each uplink's clips in ``clips/<uplink>`` of the state folder, sent while its outbox is empty."""
        vision = self.site.config.vision
        regulators = [u for u in self._uplinks if isinstance(u, RegulatorUplink) and u.clips]
        if self.cameras is None or vision is None or not regulators:
            return
        budget = int(vision.clip_budget_mb * 1e6) // len(regulators)
        self.clips = [
            ClipSender(
                u,
                self.site.config.project.code,
                ClipQueue(self.state_dir / "clips" / u.name, budget),
                partial(self.outbox.store.has_pending, u.name),
            )
            for u in regulators
        ]
        for sender in self.clips:
            self._tasks.append(asyncio.create_task(sender.run(), name=f"clips-{sender.name}"))
        self.cameras.clips = ClipRouter(self.clips, int(vision.clip_max_mb * 1e6))

    def _camera_online(self, camera: str) -> bool:
        """Whether a camera delivers frames (the platform's Catalog shows it ON), as far as the vision side knows."""
        if self.cameras is None:
            return True
        return any(c.online for c in self.cameras.cameras() if c.id == camera)

    async def _send_crane_records(self, uplink: CraneRecordsUplink) -> None:
        """Each crane's per-minute record to a platform that takes them, until cancelled (its own adapter:
        records never wait behind the outbox's alerts, nor alerts behind them)."""
        sources = crane_sources(self.site.config.devices)
        if not sources:
            log.warning(
                "uplink %r: the site has no crane, so no crane records are sent (records_every_s: 0 says so)",
                uplink.name,
            )
            return
        sink = build_record_sink(uplink)
        sender = CraneRecordSender(
            uplink,
            sink,
            self.store.reader,
            self.store,
            self.positions,
            sources,
            self.site.config.outbox.backfill_after_s,
        )
        try:
            await sender.run()
        finally:
            await sink.close()

    async def stop(self) -> None:
        """Stop producers first, then flush and close the consumers."""
        if self.gb28181 is not None:
            await self.gb28181.stop()  # its streams ended and the platform told (BYE, unregister)
        if self.cameras is not None:
            await self.cameras.stop()
        # the devices' links as they were while running: a stopping driver marks its devices offline
        self._links_at_stop = {d: _stats_dict(st) for d, st in self.driver_stats().items()}
        for driver in reversed(self.drivers):
            try:
                await driver.stop()
            except Exception:
                log.exception("stopping driver %s failed", type(driver).__name__)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.sirens.stop()  # leaves every relay as it is: a restart must not silence a danger
        if self.api is not None:
            self.hub.close()  # live streams end cleanly, so the server can stop without cutting them
            await self.api.stop(force=False)
        if self.auth is not None:
            self.auth.store.close()
        self.self_checks.close()
        self.safety_logs.store.close()
        if self.influx is not None:
            await self.influx.stop()
        await asyncio.to_thread(self.store.stop)
        # the worst values the site saw and the uplinks were not told yet (an alert worsening within its
        # minimum interval): told now, and given a moment to reach the regulator before the outbox stops
        if self.monitor.alerts.tell_worst():
            await self.outbox.drained(STOP_DRAIN_S)
        # taken while the alert and outbox databases are still open, after the store's last commit
        self.final_summary = self.summary()
        await self.outbox.stop()
        self.monitor.close()
        self.warnings.close()
        self.hot_work.shut()
        self.decisions.close()
        self.positions.close()

    async def _watch_disk(self, period_s: float = 1.0) -> None:
        """Read the state folder's free space every ``period_s``, until cancelled."""
        while True:
            await asyncio.sleep(period_s)
            try:
                await asyncio.to_thread(self.disk.check)
            except OSError as exc:  # the folder gone or unreadable: said, and tried again
                log.warning("cannot read the free space of %s: %s", self.state_dir, exc)

    def _may_take(self) -> bool:
        """Whether the MQTT intake, or a Modbus data logger's record store, may hand the bus more readings
        (asked on the loop's thread). Not while the rules' warm-up holds back what arrives, nor while the local
        store or the InfluxDB sink is behind: a burst (a data logger's backlog after an outage) then waits at
        the broker or in the logger, and the gateway's memory stays bounded whatever its size. A Modbus poll of
        live registers needs no such wait: it reads the registers' present values, never a backlog."""
        return (
            self.warmup.done.is_set()
            and not self.store.behind()
            and not (self.influx is not None and self.influx.behind())
        )

    async def _committed(self) -> bool:
        """Wait until every reading published so far is committed to the local store: True once they are,
        False if they were not within HISTORY_COMMIT_S or the store dropped readings meanwhile (a full disk).
        A data logger's records are acknowledged, and so dropped by the logger, only after True."""
        return await asyncio.to_thread(self.store.flush_stored, HISTORY_COMMIT_S)

    def _ingest(self, batch: Sequence[Reading]) -> None:
        """The one bus handler of readings: rules first (they mark a broken sensor's readings
        ``fault``), then the live picture and the stores get the readings as judged."""
        batch = self.series_guard.admit(batch)
        judged = self.monitor.judge(batch)
        self.rule_evaluations += len(batch)
        self.live.on_readings(judged)
        self.hub.on_readings(judged)
        self.store.add(judged)
        if self.influx is not None:
            self.influx.add(judged)

    @property
    def url(self) -> str | None:
        """The dashboard's URL, once the API is serving."""
        return self.api.url if self.api else None

    def driver_stats(self) -> dict[str, DeviceStats]:
        """Per-device counters of every driver."""
        out: dict[str, DeviceStats] = {}
        for driver in self.drivers:
            out.update(driver.stats())
        return out

    def refused_inputs(self) -> dict[tuple[str, str], int]:
        """Inputs refused past a bound, by (device, cause): the drivers' (an MQTT topic too long) and the
        series guard's (a point code too long, too many points)."""
        out = dict(self.series_guard.refused)
        for device, st in self.driver_stats().items():
            for cause, n in st.refused.items():
                out[(device, cause)] = out.get((device, cause), 0) + n
        return out

    def store_counts(self) -> StoreCounts | None:
        """Local store totals (blocking: a small SQLite query)."""
        try:
            return self.store.reader.counts()
        except Exception as exc:  # the file may not exist before the first commit
            log.debug("store counts unavailable: %s", exc)
            return None

    def health(self) -> dict[str, Any]:
        """The health document of /api/v1/health (blocking: reads the store)."""
        counts = self.store_counts()
        return {
            "version": __version__,
            "uptime_s": time.time() - self.started_at,
            "readings_in": self.live.total,
            "devices": {d: _stats_dict(st) for d, st in self.driver_stats().items()},
            "store": _counts_dict(counts) | {"pending": self.store.pending, "dropped": self.store.dropped},
            "influx": _influx_dict(self.influx) if self.influx else None,
            "uplinks": _outbox_dict(self.outbox),
            "patrol": self.patrol_stats(),
            "clips": self.clip_stats(),
            "gb28181": asdict(self.gb28181.state) if self.gb28181 is not None else None,
        }

    def summary(self) -> dict[str, Any]:
        """Counts for `sitegw demo --summary-json`: readings per device and metric, errors, depths."""
        stats = self.driver_stats()
        counts = self.store_counts()
        return {
            "project": self.site.config.project.code,
            "duration_s": round(time.time() - self.started_at, 1),
            "readings_total": self.live.total,
            "readings": self.live.counts(),
            "devices": self._links_at_stop or {d: _stats_dict(st) for d, st in stats.items()},
            "errors": {d: st.errors for d, st in stats.items()},
            "errors_total": sum(st.errors for st in stats.values()) + sum(self.bus.handler_errors.values()),
            "store": _counts_dict(counts) | {"pending": self.store.pending, "dropped": self.store.dropped},
            "spool": _influx_dict(self.influx) if self.influx else {"configured": False, "spool_points": 0},
            "alerts": self.alert_counts(),
            "uplinks": _outbox_dict(self.outbox),
            "patrol": self.patrol_stats(),
            "clips": self.clip_stats(),
        }

    def patrol_stats(self) -> dict[str, dict[str, int]]:
        """Per regulator uplink: patrol pictures waiting, sent and dropped since start."""
        return behind_alerts_stats(self.patrol)

    def clip_stats(self) -> dict[str, dict[str, int]]:
        """Per regulator uplink taking clips: evidence clips waiting, sent and dropped since start."""
        return behind_alerts_stats(self.clips)

    def alert_counts(self) -> dict[str, Any]:
        """Alerts recorded, by rule and level, and events recorded (for the summary)."""
        by_rule: dict[str, dict[str, int]] = {}
        alerts = self.monitor.alerts.list_alerts(limit=1_000_000)
        for a in alerts:
            by_rule.setdefault(a.rule, {}).setdefault(a.level, 0)
            by_rule[a.rule][a.level] += 1
        return {"alerts": len(alerts), "by_rule": by_rule}


def _cameras(site: LoadedSite) -> list[Any]:
    return list(site.config.vision.cameras) if site.config.vision is not None else []


def behind_alerts_stats(senders: Sequence[BehindAlertsSender[WaitingFiles]]) -> dict[str, dict[str, int]]:
    """Per sender (one per uplink): bodies waiting, sent and dropped since start."""
    return {s.name: {"waiting": s.queue.depth(), "sent": s.sent, "dropped": s.queue.dropped} for s in senders}


def _stats_dict(st: DeviceStats) -> dict[str, Any]:
    return {
        "online": st.online,
        "readings": st.readings,
        "requests": st.requests,
        "registers": st.registers,
        "errors": st.errors,
        "last_error": st.last_error,
        "last_reading_ts": st.last_reading_ts,
    }


def _counts_dict(counts: StoreCounts | None) -> dict[str, Any]:
    if counts is None:
        return {"rows": 0, "series": 0, "file_bytes": 0, "oldest_ts": None, "newest_ts": None}
    return {
        "rows": counts.rows,
        "series": counts.series,
        "file_bytes": counts.file_bytes,
        "oldest_ts": counts.oldest_ts,
        "newest_ts": counts.newest_ts,
        "duplicates": counts.duplicates,
    }


def _outbox_dict(outbox: Outbox) -> dict[str, Any]:
    st = outbox.stats()
    return {
        b.uplink: {
            "depth": b.depth,
            "oldest_unsent_s": b.oldest_unsent_s,
            "delivered": b.delivered,
            "dead": b.dead,
        }
        for b in st.backlogs
    } | {"_disk_pct": st.disk_pct}


def _influx_dict(sink: InfluxSink) -> dict[str, Any]:
    st = sink.stats()
    return {
        "configured": True,
        "points_written": st.points_written,
        "spool_points": st.spool_points,
        "spool_bytes": st.spool_bytes,
        "spool_dropped_points": st.spool_dropped_points,
        "batches_failed": st.batches_failed,
        "points_rejected": st.points_rejected,
        "last_error": st.last_error,
    }
