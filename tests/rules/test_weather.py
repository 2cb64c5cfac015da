"""Site-wide weather stops, written from docs/standards.md §12 (and §1/§5/§8/§10 for each kind's wind):
weather-1 of the reference site is its station; crane-1 and hoist-1 obey the stops their kinds declare."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from contract.kinds import registry
from contract.kinds.kind import Kind
from contract.kinds.registry import KindError
from contract.readings import Quality
from contract.weather import WarningSignal
from gateway.site.weather_warnings import WarningBoard, WarningError
from rules import RuleEngine
from sitegw.warmup import warmup_window_s
from tests.rules.sites import reference_site, run, sample

REPO = Path(__file__).resolve().parents[2]
T0 = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
CST = timezone(timedelta(hours=8))


def station(ts: float, quality: Quality = Quality.OK, **metrics: float):
    return sample("weather-1", ts, quality=quality, **metrics)


def crane_lifting(ts: float, load_t: float = 1.2):
    return sample(
        "crane-1", ts, load_t=load_t, radius_m=20.0, slew_deg=90.0, height_m=30.0, operator_id="OP-1001"
    )


@pytest.mark.parametrize(
    ("stop", "below", "at", "above", "at_fires"),
    [
        ("platform", 7.9, 8.0, 8.1, True),  # 五级以上: 8.0 included
        ("erection", 8.9, 9.0, 9.1, False),  # GB 55034 超过 9.0: 9.0 not
        ("lifting", 10.7, 10.8, 10.9, True),  # 六级及以上
        ("height", 10.7, 10.8, 10.9, True),  # JGJ 80 六级以上
        ("hoist", 19.9, 20.0, 20.1, False),  # JGJ 215 大于 20
    ],
)
def test_each_stop_at_below_and_above_its_wind_limit(
    stop: str, below: float, at: float, above: float, at_fires: bool
) -> None:
    for speed, fires in ((below, False), (at, at_fires), (above, True)):
        engine = RuleEngine(reference_site())
        found = [r for r in run(engine, [station(T0, gust_ms=speed)], "weather.wind") if r.point == stop]
        assert [r.level for r in found] == (["alarm"] if fires else [None]), (stop, speed)
        if fires:
            assert "停止" in found[0].message and found[0].clause


def test_the_gust_is_judged_where_reported_and_the_beaufort_level_named() -> None:
    engine = RuleEngine(reference_site())
    found = run(engine, [station(T0, wind_ms=7.0, gust_ms=11.0)], "weather.wind")
    lifting = next(r for r in found if r.point == "lifting")
    assert lifting.level == "alarm" and "6级" in lifting.message and "JGJ 276-2012" in lifting.clause


def test_stale_or_missing_wind_never_clears_a_firing_stop() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=12.0)])
    # a stale calm reading, then a sample with only the temperature: the lifting stop holds
    quiet = run(engine, [station(T0 + 10, Quality.STALE, gust_ms=2.0), station(T0 + 20, temp_c=25.0)])
    assert not [r for r in quiet if r.rule == "weather.wind" and r.level is None]
    assert engine._shared.weather.stops.why("lifting")
    # a crane lifting now is still against the stop
    assert [r.level for r in run(engine, [crane_lifting(T0 + 21)], "weather.work")] == ["critical"]
    # within the 5 % band (10.8 × 0.95 = 10.26) the stop holds; below it, it clears
    held = run(engine, [station(T0 + 30, gust_ms=10.3)], "weather.wind")
    assert next(r for r in held if r.point == "lifting").level == "alarm"
    cleared = run(engine, [station(T0 + 40, gust_ms=10.2)], "weather.wind")
    assert next(r for r in cleared if r.point == "lifting").level is None


def test_a_crane_lifting_in_a_gale_is_critical_and_clears_when_it_stops_working() -> None:
    engine = RuleEngine(reference_site())
    # under the platform stop only: a crane does not obey it
    calm = run(engine, [station(T0, gust_ms=9.5), crane_lifting(T0)], "weather.work")
    assert [r.level for r in calm] == [None]  # the first verdict of a key is reported, clear
    found = run(engine, [station(T0 + 1, gust_ms=11.5), crane_lifting(T0 + 1)], "weather.work")
    assert [r.level for r in found] == ["critical"]
    assert "第十五条(二)" in found[0].clause and "1号塔吊" in found[0].message
    # the hook empty: samples without work; held for 60 s of them, ended after
    held = run(engine, [crane_lifting(T0 + t, load_t=0.0) for t in range(2, 62)], "weather.work")
    assert held == []  # the last work at T0 + 1, the last sample at T0 + 61: exactly 60 s
    [ended] = run(engine, [crane_lifting(T0 + 62, load_t=0.0)], "weather.work")
    assert ended.level is None


def test_a_crane_back_from_a_silence_at_rest_needs_the_whole_work_hold() -> None:
    """Silent for ten minutes after lifting in a gale, then one sample with an empty hook: the silence is
    no rest (the all-clear suite's probe found it resolving there), nor is the first sample after it (the
    crane may have slewed away and back meanwhile: standing needs a second sample there); 60 s of samples
    at rest from the second are."""
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=11.5), crane_lifting(T0)])
    back = run(engine, [crane_lifting(T0 + 600 + t, load_t=0.0) for t in range(61)], "weather.work")
    assert back == []  # at rest from T0 + 601 to T0 + 660: 59 s
    [ended] = run(engine, [crane_lifting(T0 + 661, load_t=0.0)], "weather.work")
    assert ended.level is None


def test_a_crane_slewing_with_its_hook_empty_is_at_work_under_a_stop() -> None:
    """Any slewing, trolley travel or hoisting is crane work (不得进行起升、回转、变幅), loaded or not: the
    hook empty, the jib slewing 0.4° a second under a gale's lifting stop is 冒险作业 once it is beyond the
    1° noise from where it stood (1.2°), and it holds while the jib turns on."""
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=11.5), crane_lifting(T0, load_t=0.0), crane_lifting(T0 + 1, load_t=0.0)])
    turning = [
        sample("crane-1", T0 + 1 + t, load_t=0.0, radius_m=20.0, slew_deg=90 + 0.4 * t, height_m=30.0)
        for t in range(1, 120)
    ]
    found = run(engine, turning, "weather.work")
    assert found[0].ts == T0 + 4 and {r.level for r in found} == {"critical"}  # never cleared
    assert "1号塔吊回转、变幅或起升仍在进行" in found[0].message


@pytest.mark.parametrize(("step", "work"), [(0.99, False), (1.0, False), (1.01, True)])
def test_a_crane_s_motion_is_work_beyond_its_noise(step: float, work: bool) -> None:
    """大于 the noise: a slew of exactly 1° from where it stood is no work, 1.01° is."""
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=11.5), crane_lifting(T0, load_t=0.0), crane_lifting(T0 + 1, load_t=0.0)])
    moved = sample("crane-1", T0 + 2, load_t=0.0, radius_m=20.0, slew_deg=90 + step, height_m=30.0)
    found = run(engine, [moved], "weather.work")
    assert [r.level for r in found] == (["critical"] if work else [])


def test_a_crane_falling_silent_while_lifting_in_a_gale_keeps_its_alert() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=11.5), crane_lifting(T0)])
    later = engine.tick(T0 + 3600) + engine.tick(T0 + 7200)  # no word from the crane for two hours
    assert not [r for r in later if r.rule == "weather.work"]
    # the gale passing is what ends it: the stop is no longer in force
    run(engine, [station(T0 + 7201, gust_ms=6.0)])
    assert [r.level for r in engine.tick(T0 + 7202) if r.rule == "weather.work"] == [None]


@pytest.mark.parametrize(
    ("temps", "level"),
    [
        ([34.9], None),
        ([35.0], "warning"),
        ([36.9], "warning"),
        ([37.0], "alarm"),
        ([39.9], "alarm"),
        ([40.0], "critical"),
        ([40.1, 33.0], "critical"),  # the day's maximum stands when it cools
    ],
)
def test_heat_by_the_days_maximum(temps: list[float], level: str | None) -> None:
    engine = RuleEngine(reference_site())
    found = run(engine, [station(T0 + 60 * i, temp_c=t) for i, t in enumerate(temps)], "weather.heat")
    assert found[-1].level == level


def test_heat_stops_outdoor_work_that_day_and_a_new_day_starts_afresh() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, temp_c=40.5)])
    assert engine._shared.weather.stops.why("outdoor")
    # crane-1 obeys the outdoor stop: lifting at 40 °C is 冒险作业
    assert [r.level for r in run(engine, [crane_lifting(T0 + 1)], "weather.work")] == ["critical"]
    next_morning = datetime.fromisoformat("2026-11-22T07:00:00+08:00").timestamp()
    assert [r.level for r in run(engine, [station(next_morning, temp_c=28.0)], "weather.heat")] == [None]
    assert not engine._shared.weather.stops.why("outdoor")


@pytest.mark.parametrize(
    ("rain", "level"),
    [(8.0, None), (8.1, "alarm"), (8.2, "alarm"), (15.9, "alarm"), (16.0, "critical"), (16.1, "critical")],
)
def test_heavy_rain_and_rainstorm(rain: float, level: str | None) -> None:
    engine = RuleEngine(reference_site())
    [found] = run(engine, [station(T0, rain_mm_h=rain)], "weather.rain")
    assert found.level == level
    if level:
        assert "基坑" in found.message and "临时用电" in found.message


def test_lightning_holds_the_stops_until_a_reading_after_the_hold() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, lightning_count=5.0)])
    [strike] = run(engine, [station(T0 + 10, lightning_count=6.0)], "weather.lightning")
    assert strike.level == "alarm" and "塔吊下" in strike.message
    # 29 min 59 s after the strike: held; the first reading from 30 min on clears it
    assert (
        run(engine, [station(T0 + 10 + 1799, lightning_count=6.0)], "weather.lightning")[0].level == "alarm"
    )
    assert engine._shared.weather.stops.why("lifting")
    # exactly 30 min after it the hold is over (held while less than 30 min have passed)
    [done] = run(engine, [station(T0 + 10 + 1800, lightning_count=6.0)], "weather.lightning")
    assert done.level is None
    # a counter reset is not a strike
    assert run(engine, [station(T0 + 3700, lightning_count=0.0)], "weather.lightning") == []


def _signal(colour: str = "yellow", **changes: object) -> WarningSignal:
    fields: dict[str, object] = {
        "id": "W-1",
        "type": "gale",
        "colour": colour,
        "valid_from": datetime.fromtimestamp(T0, CST),
        "valid_to": datetime.fromtimestamp(T0 + 3600, CST),
    }
    return WarningSignal.model_validate({**fields, **changes})


def test_a_gale_signal_stops_the_hoist_and_its_end_resolves_both() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([_signal("yellow")])
    [warning] = [r for r in engine.tick(T0) if r.rule == "weather.warning"]
    assert (
        warning.level == "warning" and "大风黄色预警" in warning.message and "施工升降机" in warning.message
    )
    hoist = sample(
        "hoist-1",
        T0 + 1,
        load_t=0.5,
        persons=4,
        speed_ms=0.8,
        door_state=0,
        limit_state=0,
        arrester_ok=1,
        wind_ms=4.0,
        driver_id="OP-1001",
    )
    assert [r.level for r in run(engine, [hoist], "weather.work")] == ["critical"]
    ended = [r for r in engine.tick(T0 + 3600) if r.rule in ("weather.warning", "weather.work")]
    assert sorted((r.rule, r.level) for r in ended) == [("weather.warning", None), ("weather.work", None)]


def test_a_signal_not_yet_valid_raises_nothing_and_red_is_critical() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([_signal("red", valid_from=datetime.fromtimestamp(T0 + 600, CST))])
    assert [r for r in engine.tick(T0) if r.rule == "weather.warning"] == []
    assert [r.level for r in engine.tick(T0 + 600) if r.rule == "weather.warning"] == ["critical"]


def test_signals_survive_a_restart_of_the_gateway(tmp_path: Path) -> None:
    engine = RuleEngine(reference_site())
    board = WarningBoard(tmp_path / "warnings.sqlite", engine)
    signal = board.set("rainstorm", "orange", datetime.now(CST) - timedelta(minutes=1), None, "王海峰")
    assert "基坑" in signal.measure and "outdoor" in signal.stops
    board.close()
    again = RuleEngine(reference_site())
    reopened = WarningBoard(tmp_path / "warnings.sqlite", again)
    assert [s.id for s in reopened.active()] == [signal.id]
    assert [r.level for r in again.tick(datetime.now().timestamp()) if r.rule == "weather.warning"] == [
        "alarm"
    ]
    reopened.clear(signal.id, "王海峰")
    assert reopened.active() == []
    with pytest.raises(WarningError, match="already cleared"):
        reopened.clear(signal.id, "王海峰")
    with pytest.raises(WarningError, match="no blue"):
        reopened.set("heat", "blue", datetime.now(CST), None, "王海峰")
    # a signal that ended 40 days ago is history: kept and listed, no longer handed to the rules
    old = reopened.set(
        "gale",
        "blue",
        datetime.now(CST) - timedelta(days=50),
        datetime.now(CST) - timedelta(days=40),
        "王海峰",
    )
    assert old.id in {s.id for s in reopened.all()}
    assert set(again._shared.weather.warnings._signals) == {signal.id}


def test_a_kind_naming_an_unknown_stop_is_refused() -> None:
    crane = registry.get("crane")
    odd = Kind(
        name="odd", zh="怪", en="odd", device=crane.device, metrics=(), weather_stops=frozenset({"dancing"})
    )
    with pytest.raises(KindError, match="weather_stops dancing unknown"):
        registry.register(odd)


def test_the_warm_up_replays_a_day_so_the_heat_schedule_survives_a_restart() -> None:
    site = reference_site()
    assert warmup_window_s(site.config) >= 24 * 3600
    engine = RuleEngine(site)
    history = [(t, batch) for t, batch, _ in engine.replay(station(T0 + 3600 * 4, temp_c=40.2))]
    assert history  # the morning's 40.2 °C, replayed at start
    engine.resume(T0 + 3600 * 6)
    [after] = run(engine, [station(T0 + 3600 * 6, temp_c=36.0)], "weather.heat")
    assert after.level == "critical" and after.value == 40.2


def test_a_plug_in_kind_obeys_the_stops_it_declares(tmp_path: Path) -> None:
    """The scaffold plug-in (tests/kinds/plugin) declares weather_stops={"height"} and reports its climbing as
    work: replayed in a process of its own (no other test sees the kind), its climbing in a Beaufort 6 gust
    is weather.work, with no file of sitegw naming it."""
    plugin = Path(__file__).resolve().parents[1] / "kinds" / "plugin"
    site = {
        "project": {"code": "GD-SZ-2026-0098", "name": "天气插件测试", "city": "深圳", "district": "南山区"},
        "profiles_dir": str(plugin / "scaffold_kind" / "profiles"),
        "devices": [
            {"id": "scaffold-1", "name": "1号爬架", "kind": "scaffold", "profile": "scaffold_monitor",
             "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": 502}, "poll_interval_s": 1,
             "scaffold": {"rated_load_kn": 50}},
            {"id": "weather-1", "kind": "weather_station", "profile": "weather_station",
             "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": 503}, "poll_interval_s": 1},
        ],
    }  # fmt: skip
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    rows = ["ts,device,point,metric,value"]
    for i, (gust, lifting) in enumerate([(10.7, 1), (10.8, 0), (10.9, 1), (10.9, 1)]):
        rows += [f"{T0 + i:.0f},weather-1,,gust_ms,{gust}", f"{T0 + i:.0f},scaffold-1,,lifting,{lifting}"]
    (tmp_path / "readings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(plugin), str(REPO)]),
        "SITEGW_KINDS": "scaffold_kind",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "replay", str(tmp_path / "site.yaml"), "--readings",
         str(tmp_path / "readings.csv"), "--out", str(tmp_path / "alerts.jsonl")],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    events = [
        json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    work = [
        (e["device"], e["level"], e["state"], e["ts"] - T0) for e in events if e["rule"] == "weather.work"
    ]
    assert work == [("scaffold-1", "critical", "firing", 2)]  # at 10.8 it stood; at 10.9 it climbed
    kinds = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "kinds"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    lines = kinds.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("scaffold  "))
    block = itertools.takewhile(lambda line: line.startswith("  "), lines[start + 1 :])
    assert "  obeys the weather stops: height" in list(block)  # `sitegw kinds` says so too


def test_a_silent_station_never_lifts_its_stops() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [station(T0, gust_ms=12.0, rain_mm_h=20.0, lightning_count=1.0)])
    run(engine, [station(T0 + 10, gust_ms=12.0, rain_mm_h=20.0, lightning_count=2.0)])
    later = engine.tick(
        T0 + 6 * 3600
    )  # six hours without a word: offline, and nothing weather-related clears
    assert not [r for r in later if r.rule.startswith("weather.") and r.level is None]
    assert "alarm" in [r.level for r in later if r.rule == "device.offline" and r.device == "weather-1"]
    stops = engine._shared.weather.stops
    assert all(stops.why(s) for s in ("platform", "erection", "lifting", "height", "outdoor"))


def test_a_signal_dropped_while_in_force_is_resolved_once_then_forgotten() -> None:
    engine = RuleEngine(reference_site())
    engine.set_warnings([_signal("orange")])
    assert [r.level for r in engine.tick(T0 + 1) if r.rule == "weather.warning"] == ["alarm"]
    engine.set_warnings([])
    assert [r.level for r in engine.tick(T0 + 2) if r.rule == "weather.warning"] == [None]
    assert not engine._shared.weather.stops.why("hoist")
    engine.set_warnings([])
    assert engine._shared.weather.warnings._signals == {}


def crane_still(ts: float, **extra: float):
    return sample("crane-1", ts, load_t=0.0, radius_m=20.0, slew_deg=90.0, height_m=30.0, **extra)


@pytest.mark.parametrize(
    ("window", "work"),
    # a jacking window and an 安拆 window (stage 2, climbing) are erection work, whatever the crane's samples show
    [({"jacking_active": 1.0}, "1号塔吊顶升作业"), ({"install_active": 2.0}, "1号塔吊顶升加节作业")],
)
def test_a_window_open_in_heavy_rain_is_erection_against_the_stop_until_it_closes(
    window: dict[str, float], work: str
) -> None:
    # GB 55034-2022 §3.4.7 no erection in rain; 建质规〔2024〕5号 第十五条(二) (standards.md §10, §12): the crane
    # stands still inside its window, so no sample of it is work, yet the window is
    engine = RuleEngine(reference_site())
    assert (
        run(engine, [crane_still(T0), station(T0, rain_mm_h=2.0), crane_still(T0 + 1, **window)]) is not None
    )
    assert [r for r in engine.tick(T0 + 2) if r.rule == "weather.work" and r.level] == []  # light rain [U]
    run(engine, [station(T0 + 3, rain_mm_h=8.1)])  # 大雨 reached: the erection stop
    [found] = [r for r in engine.tick(T0 + 4) if r.rule == "weather.work"]
    assert (found.device, found.level) == ("crane-1", "critical")
    assert f"{work}仍在进行" in found.message and "起重机械安装、拆卸、顶升加节作业" in found.message
    assert "第十五条(二)" in found.clause
    # standing still inside the window for minutes: still erection work, the alert holds
    held = run(engine, [crane_still(T0 + 5 + t) for t in range(120)], "weather.work")
    assert held == [] and None not in [r.level for r in engine.tick(T0 + 130) if r.rule == "weather.work"]
    # the window closed: no longer erection work; heavy rain still stops lifting, so the crane's samples at
    # rest end it as any machine's work ends: after work_hold_s (60 s) of them, not before
    closed = dict.fromkeys(window, 0.0)
    after = run(engine, [crane_still(T0 + 131, **closed)] + [crane_still(T0 + 131 + t) for t in range(1, 70)])
    [ended] = [r for r in after if r.rule == "weather.work"]
    assert ended.level is None and ended.ts - (T0 + 131) >= 60


def test_a_window_open_in_fine_weather_or_closed_under_a_stop_is_no_weather_work() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [crane_still(T0), station(T0, rain_mm_h=0.0), crane_still(T0 + 1, jacking_active=1.0)])
    assert [r for r in engine.tick(T0 + 2) if r.rule == "weather.work" and r.level] == []
    run(engine, [crane_still(T0 + 3, jacking_active=0.0), station(T0 + 4, rain_mm_h=20.0)])
    assert [r for r in engine.tick(T0 + 5) if r.rule == "weather.work" and r.level] == []
