"""The regulator's warning signals on the gateway's board (gateway/uplinks/regulator_warnings.py): heard again,
a warning changes nothing; changed by the authority, it is rewritten with its acknowledgement kept; a
warning in force that a poll no longer carries was lifted and is cleared; a supervisor's acknowledgement is sent
until the regulator's answer shows it; a signal the site set has no
authority to acknowledge. And the example site's weather siren sounds for orange and red signals, not for blue
or yellow ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from contract.alert_event import Level
from contract.config import load_site
from gateway.alerts.manager import AlertManager
from gateway.site.siren import SirenController
from gateway.site.weather_warnings import WarningBoard, WarningError
from gateway.uplinks.regulator_warnings import RegulatorWarning, RegulatorWarnings
from rules import RuleResult
from rules.engine import RuleEngine
from tests.rules.sites import reference_site

CST = timezone(timedelta(hours=8))
EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "site.yaml"


@pytest.fixture
def board(tmp_path: Path) -> Iterator[WarningBoard]:
    b = WarningBoard(tmp_path / "warnings.sqlite", RuleEngine(reference_site()))
    yield b
    b.close()


def warning(
    colour: str = "red", measure: str = "停止一切户外作业，人员撤至避风场所", acked_at: float | None = None
) -> RegulatorWarning:
    start = datetime(2026, 11, 25, 8, 0, tzinfo=CST)
    return RegulatorWarning.model_validate(
        {
            "id": 7,
            "jurisdiction": "广东省/深圳市",
            "type": "gale",
            "colour": colour,
            "measure": measure,
            "valid_from": start.isoformat(),
            "valid_to": (start + timedelta(hours=6)).isoformat(),
            "issued_by": "sz",
            "acked_at": acked_at,
        }
    )


def test_a_warning_heard_again_is_kept_and_a_changed_one_keeps_its_acknowledgement(
    board: WarningBoard,
) -> None:
    desk = RegulatorWarnings(board)
    [first] = desk.receive("sz", [warning()])
    assert (first.id, first.source, first.set_by) == ("sz:7", "regulator", "广东省/深圳市 sz")
    assert desk.receive("sz", [warning()]) == []  # the next poll: nothing new
    assert desk.unsent_acks("sz", [warning()]) == []
    acked = board.acknowledge("sz:7", "super1")
    assert desk.unsent_acks("sz", [warning()]) == [(7, "super1", acked.acked_ts)]
    [changed] = desk.receive("sz", [warning("orange", "停止一切户外作业，撤离临时建筑与吊篮内人员")])
    assert changed.colour == "orange" and (changed.acked_by, changed.acked_ts) == ("super1", acked.acked_ts)
    # the regulator's answer shows the acknowledgement: nothing more to send
    assert desk.unsent_acks("sz", [warning("orange", changed.measure, acked_at=time.time())]) == []
    with pytest.raises(WarningError, match="already acknowledged by super1"):
        board.acknowledge("sz:7", "super2")


def test_a_warning_in_force_that_the_poll_no_longer_carries_was_lifted(board: WarningBoard) -> None:
    desk = RegulatorWarnings(board)
    now = datetime.now(CST)
    current = warning().model_copy(update={"valid_from": now - timedelta(hours=1), "valid_to": None})
    desk.receive("sz", [current])
    own = board.set("rainstorm", "yellow", now, None, "王海峰")
    assert desk.receive("other", []) == []  # another uplink's poll: not its warning
    [lifted] = desk.receive("sz", [])
    assert lifted.id == "sz:7" and lifted.cleared_by == "sz 解除"
    assert [s.id for s in board.active()] == [own.id]  # the site's own signal stays
    assert desk.receive("sz", []) == []  # cleared once


def test_a_signal_the_site_set_has_no_authority_to_acknowledge(board: WarningBoard) -> None:
    own = board.set("gale", "red", datetime.now(CST), None, "王海峰")
    with pytest.raises(WarningError, match="set on the site"):
        board.acknowledge(own.id, "super1")
    with pytest.raises(WarningError, match="no warning signal"):
        board.acknowledge("sz:99", "super1")


@pytest.mark.parametrize(
    ("level", "sounds"), [("warning", False), ("alarm", True), ("critical", True)]
)  # blue and yellow: warning; orange: alarm; red: critical (rules/weather_warning.py LEVELS)
def test_the_example_sites_weather_siren_sounds_for_orange_and_red(
    tmp_path: Path, level: Level, sounds: bool
) -> None:
    site = load_site(EXAMPLE)
    manager = AlertManager(tmp_path / "alerts.sqlite", site.config.project.code, on_event=lambda _e: None)
    sirens = SirenController(site.config.sirens, site.config.mqtt_brokers, site.config.project.code)
    sirens.follow(manager)
    manager.handle([RuleResult("weather.warning", "site", "sz:7", level, time.time(), clause="test")])
    wanted = {s.name for s in sirens.states() if s.wanted_on}
    assert wanted == ({"siren-weather"} if sounds else set())
    manager.close()
