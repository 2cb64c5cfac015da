"""What every kind's judge shares with the engine: the protocol a judge follows, and the site-wide
services it may call (the site, device names, rule sections, the sensor-fault rule, the key people's
presence and work, the weather stops, warnings said once).

The engine (rules/engine.py) is generic: it groups readings into samples, keeps a kind's sample metrics in
each device's memory, takes the fast way for quiet readings (rules/routes.py), watches devices going
offline and judges safety-device flags for every kind alike, and hands the rest to the judge of the
device's kind. A judge holds the rule families of its kind for every device of that kind on the site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import ClassVar, Final, TypeVar, cast

from mypy_extensions import mypyc_attr

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.rules import SensorFaultRule
from contract.config.site import SiteConfig
from contract.config.yamlsrc import Loc
from contract.kinds import registry
from contract.readings import Quality, Reading
from rules.baselines import Baselines
from rules.heard import Stop
from rules.hot_work import SiteHotWork
from rules.personnel_sample import PersonnelRules
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route
from rules.sensor_fault import SensorFault
from rules.weather_site import SiteWeather
from rules.work_watcher import WorkWatcher

log = logging.getLogger("rules.engine")
T = TypeVar("T")
FAULT: Final = Quality.FAULT
WorkerListener = Callable[[str, str, float], None]
"""Told of a certified worker a machine reports logged in: the machine, the worker's id, the instant."""
CameraListener = Callable[[Reading], list[RuleResult]]
"""Told of a camera's reading (vision judged its own checks; a site rule may judge more): its verdicts."""
PassageListener = Callable[[str, bool, float, bool], list[RuleResult]]
"""Told of a passage at the access gates: the person, whether they came in, the instant, whether it was
backfilled; its verdicts."""
LOADED_T: Final = 0.1  # a crane hook or hoist cage carrying more than this is at work (personnel rules)


class Shared:
    """The site-wide services of one engine, given to every judge."""

    def __init__(self, site: LoadedSite, personnel: PersonnelRules | None) -> None:
        self.site = site
        self.config = site.config
        self.names = {d.id: d.display_name for d in site.config.devices}
        self.fault = SensorFault(sensor_names(site.config))
        self._kept: dict[str, object] = {}
        self.personnel = personnel
        # when the live gateway heard the batch being judged, by the clock the ticks read (None: replay and the
        # warm-up, which judge history at its readings' stamps): set by the engine for each batch
        self.heard: float | None = None
        # the latest instant the engine ticked at (None: never): at the end of a warm-up, the last instant it
        # replayed, up to which a silence firing at the stop is carried on (rules/heard.py)
        self.ticked: float | None = None
        self.stop = Stop()  # what the last restart knew of the stop (set by the engine's resume)
        self.utc_offset_h = site.config.rules.licence_utc_offset_h
        self._sections: dict[tuple[str, str], object] = {}
        self._said: set[tuple[str, str]] = set()
        self._work_watchers: list[WorkWatcher] = []
        self._worker_listeners: list[WorkerListener] = []
        self._camera_listeners: list[CameraListener] = []
        self._passage_listeners: list[PassageListener] = []
        # the people whose presence a listener needs after a restart: the gates' judge keeps their passages
        # a series per person, as the key people's, so that the warm-up finds who of them is in
        self.people_kept: set[str] = set()
        self.baselines = Baselines()  # the first-reading baselines, kept across restarts by the gateway
        self.weather = SiteWeather(site.config)  # the weather stops every machine's work is held to
        self.on_work(self.weather)
        self.hot_work = SiteHotWork(
            site.config, self.utc_offset_h, self.weather.stops
        )  # the permits and who came in (docs/standards.md §18)
        if self.hot_work.zones.watched:  # the cameras' zones marked for hot work
            self.on_camera(self.hot_work.camera)
        if personnel is not None:
            self.on_work(personnel)

    def one(self, key: str, make: Callable[[], T]) -> T:
        """The site's one object of ``key``, made by ``make`` at the first call: state the judges of
        several kinds share (a crane's jacking windows, which an anemometer serving it reads too)."""
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = make()
        return cast(T, found)  # each key is made by one factory

    def heard_at(self, ts: float) -> float:
        """When the gateway heard a reading of the batch being judged, stamped ``ts``: the instant a silence
        rule measures from (rules/heard.py), the stamp itself in replay."""
        heard = self.heard
        return ts if heard is None else heard

    def section(self, device: str, section: str, kind: type[T]) -> T:
        """The rules' section ``section`` as it applies to ``device`` (looked up once)."""
        found = self._sections.get((device, section))
        if found is None:
            found = self._sections[(device, section)] = self.config.rules.for_device(device, section)
        assert isinstance(found, kind)
        return found

    def faults(self, device: str) -> SensorFaultRule:
        """The sensor-fault section of ``device``."""
        return self.section(device, "sensor_fault", SensorFaultRule)

    def warn_once(self, device: str, what: str, message: str) -> None:
        """Log ``message`` about ``device`` the first time only (one line per device and cause)."""
        if (device, what) not in self._said:
            self._said.add((device, what))
            log.warning("rules: device %s %s: %s", device, what, message)

    def on_work(self, watcher: WorkWatcher) -> None:
        """Tell ``watcher`` of every machine at work (a site-wide rule: the key people's presence, a weather
        stop, a machine's papers), as the judges of the machines' kinds report it."""
        self._work_watchers.append(watcher)

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """``device`` at dangerous work at ``ts`` (a crane's hook loaded, a hoist running; ``what``: the
        work in Chinese and English), told to every rule that watches."""
        for watcher in self._work_watchers:
            watcher.work_seen(device, what, ts)

    def on_worker(self, listener: WorkerListener) -> None:
        """Hear of every worker a machine reports logged in (their certificate's rule)."""
        self._worker_listeners.append(listener)

    def worker_seen(self, device: str, worker_id: str, ts: float) -> None:
        """``device`` reports ``worker_id`` logged in at ``ts``, told to every rule that listens."""
        for listener in self._worker_listeners:
            listener(device, worker_id, ts)

    def on_camera(self, listener: CameraListener) -> None:
        """Hear of every camera's reading (a machine's 安拆 exclusion zone, rules/install_zone.py; a zone
        marked for hot work, rules/hot_work_zone.py)."""
        self._camera_listeners.append(listener)

    def camera_seen(self, readings: list[Reading]) -> list[RuleResult]:
        """A camera's readings of one frame, told to every rule that listens: their verdicts."""
        return [out for r in readings for listener in self._camera_listeners for out in listener(r)]

    def on_passage(self, listener: PassageListener, people: Iterable[str] = ()) -> None:
        """Hear of every passage at the access gates (a rule of another kind that needs who is on site: a
        distribution box's door, kinds/power/door.py); ``people``: those whose presence it needs again after
        a restart (their passages are then kept a series per person, which the warm-up replays)."""
        self._passage_listeners.append(listener)
        self.people_kept.update(people)

    def passage_seen(self, person: str, entered: bool, ts: float, backfill: bool) -> list[RuleResult]:
        """A gate saw ``person`` come in (``entered``) or leave at ``ts``, told to every rule that listens:
        their verdicts."""
        return [
            out for listener in self._passage_listeners for out in listener(person, entered, ts, backfill)
        ]

    def rest_seen(self, device: str, ts: float) -> None:
        """``device`` (a crane, a hoist) reported a sample at rest: the work it was at is over, whereas
        its silence says nothing (its work goes on as far as the site knows)."""
        if self.personnel is not None:
            self.personnel.rest_seen(device, ts)

    def pour(self, device: str, active: bool, ts: float) -> None:
        """A pour started or ended on a formwork device, for the key people."""
        if self.personnel is not None:
            self.personnel.pour(device, active, ts)


@mypyc_attr(allow_interpreted_subclasses=True)  # a plug-in kind's judge is a plain Python subclass
class Judge:
    """The rules of one kind for every device of that kind on one site.

    The engine calls :meth:`route` once per (device, metric) for numeric readings outside the kind's
    sample metrics and keeps the Route it gives (None: the metric is kept, not judged); :meth:`keep` for
    a sample metric's value that is not a plain float; :meth:`sample` once at the end of a sample in
    which a sample metric was reported; :meth:`text` for other text readings; :meth:`tick` every second
    live and at every instant in replay. A subclass overrides what its kind uses.
    """

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {}
    """Its metrics' names (Chinese, English) in a sensor-fault warning, where not the metric id."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        self.shared = shared
        self.devices = {d.id: d for d in devices}

    @staticmethod
    def check(index: int, dev: DeviceConfig) -> list[tuple[Loc, str, str]]:
        """What the config models cannot see alone in device ``index`` of the site file: (where, what,
        how to fix) for each problem; ``sitegw check-config`` and the engine refuse the site."""
        return []

    @staticmethod
    def offline_clause(dev: DeviceConfig, clause: str) -> str:
        """The clause ``dev``'s device.offline alerts cite, given its kind's (``Kind.offline_clause``): a
        kind whose silence means less for some of its devices (a 三级 slope is no 高边坡) says so here."""
        return clause

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """Seconds of history its rules' memory spans (the warm-up at start replays that much)."""
        return 0.0

    def families(self) -> Iterable[object]:
        """Its rule objects (each with its LevelMemory), for re-arming after a warm-up."""
        return ()

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        """How ``dev``'s numeric readings of ``metric`` are judged from now on (None: not judged)."""
        return None

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        """The latest value of each of ``dev``'s sample metrics: the engine writes a sample's floats
        straight into it, then calls :meth:`sample`."""
        return {}

    def keep(self, dev: DeviceConfig, metric: str, value: float | str) -> bool:
        """Keep a sample metric's value that is not a plain float (an int, a text); False: not kept (a
        text value for a numeric metric)."""
        if isinstance(value, str):
            return False
        self.memory(dev)[metric] = float(value)
        return True

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        """Verdicts of a sample in which the sample metrics ``changed`` were reported."""
        return []

    def text(self, dev: DeviceConfig, r: Reading) -> list[RuleResult]:
        """Verdicts of a text reading outside the sample metrics (by default: not judged, said once)."""
        self.shared.warn_once(dev.id, r.metric, f"text value for numeric metric {r.metric}: not judged")
        return []

    def tick(self, now: float) -> list[RuleResult]:
        """Verdicts reached by ``now`` without a reading (a silence)."""
        return []

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """The limit probes of its kind's rules for ``dev``, worked out from ``dev``'s configuration and
        the site's rules (rules/probes.py): the guarantee suite (tests/rules/test_all_clear.py) drives
        each rule through them and fails for every rule of the kind that has none."""
        return []

    def resume(self, now: float) -> None:
        """End of a warm-up: time limits restart at ``now`` (re-arming is the engine's), except those of alarms
        firing at the stop, which go on (``shared.stop``, rules/heard.py)."""

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The live wall clock jumped by ``step_s`` and reads ``now``: silences measured across it."""


def sensor_names(config: SiteConfig) -> dict[tuple[str, str], tuple[str, str]]:
    """The names (Chinese, English) sensor-fault warnings give each device's metrics, by (device, metric):
    its kind's judge's ``sensor_names``. By device, not by metric alone: two kinds may name one metric
    differently (a pit's ``disp_h_mm`` is 围护墙顶水平位移, a slope's 水平位移), and a site has both."""
    present = {d.kind for d in config.devices}  # only theirs: a judge's module is imported when resolved
    judges = {k.name: registry.resolve(k.judge) for k in registry.kinds() if k.judge and k.name in present}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for d in config.devices:
        judge = judges.get(d.kind)
        if judge is not None:
            names.update({(d.id, metric): name for metric, name in judge.sensor_names.items()})
    return names


def faulted(r: Reading) -> Reading:
    """``r`` marked fault (built directly: dataclasses.replace costs ten times more per reading)."""
    return Reading(r.ts, r.project, r.device, r.metric, r.value, r.unit, FAULT, r.point)


def some(result: RuleResult | list[RuleResult] | None) -> list[RuleResult]:
    """A verdict, verdicts or none, as a list."""
    if result is None:
        return []
    return result if isinstance(result, list) else [result]
