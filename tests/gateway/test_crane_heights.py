"""The cranes' runtime heights (gateway/site/jacking.py): the height the last jacking window closed with is the
crane's geometry after a restart; a changed site-file height wins and proposes a jacking window."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from contract.kinds.crane import CraneDevice
from gateway.site.jacking import CraneHeights
from tests.rules.sites import device, reference_site, site_variant


def height(site: Any, crane: str) -> float:
    d = site.config.device(crane)
    assert isinstance(d, CraneDevice)
    return d.crane.jib_height_m


def test_a_closed_windows_height_survives_a_restart_until_the_site_file_changes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    first = CraneHeights(state)
    assert height(first.apply(reference_site()), "crane-1") == 45 and first.proposal("crane-1") == ""
    first.closed("crane-1", 51.0)

    again = CraneHeights(state).apply(reference_site())
    assert height(again, "crane-1") == 51 and height(again, "crane-2") == height(reference_site(), "crane-2")

    def raised(data: dict[str, Any]) -> None:
        device(data, "crane-1")["crane"]["jib_height_m"] = 57

    with caplog.at_level(logging.WARNING):
        heights = CraneHeights(state)
        edited = heights.apply(site_variant(tmp_path, raised))
    assert height(edited, "crane-1") == 57  # the site file's word
    assert "jacking window" in caplog.text and "57" in heights.proposal("crane-1")
    assert "顶升作业窗口" in heights.proposal("crane-1")
    heights.opened("crane-1")
    assert heights.proposal("crane-1") == "" and CraneHeights(state).proposal("crane-1") == ""


def test_a_window_open_when_the_gateway_stopped_is_open_after_its_start(tmp_path: Path) -> None:
    from gateway.site.site_work import JACKING_WINDOW, SiteWork
    from rules import RuleEngine

    site = reference_site()
    before = RuleEngine(site)
    SiteWork(site, before, before.process, tmp_path).set_window("jacking", "crane-1", True, "li.gong")
    assert before.open_windows("jacking_active") == ["crane-1"]

    after = RuleEngine(site)  # a restart whose warm-up history no longer holds the window's opening
    work = SiteWork(site, after, after.process, tmp_path)
    assert work.reopen(JACKING_WINDOW.name) == ["crane-1"]
    assert after.open_windows("jacking_active") == ["crane-1"]
    assert [w.changed_by for w in work.windows("jacking") if w.active] == ["li.gong"]
