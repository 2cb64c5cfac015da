"""The series guard (gateway/series_guard.py): a device's distinct points and a point code's length are
bounded, refusals counted by device and cause; a gate's passages (whose point is a person) are not a device's
points (issue #41)."""

from __future__ import annotations

import logging

import pytest

from contract.kinds import registry
from contract.readings import Reading
from gateway.series_guard import MAX_ID_CHARS, SeriesGuard

PROJECT = "GD-SZ-2026-0001"


def reading(device: str, point: str, metric: str = "settle_mm") -> Reading:
    return Reading(1_800_000_000.0, PROJECT, device, metric, 1.0, point=point)


def test_points_past_the_bound_are_refused_counted_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    guard = SeriesGuard(registry.subject_metrics(), max_points=100)
    batch = [reading("probe-1", f"P{i}") for i in range(150)] + [reading("probe-1", "")]
    with caplog.at_level(logging.WARNING):
        kept = guard.admit(batch)
        again = guard.admit(
            [reading("probe-1", "P5"), reading("probe-1", "P120"), reading("probe-2", "P120")]
        )
    assert [r.point for r in kept] == [f"P{i}" for i in range(100)] + [""]
    assert [(r.device, r.point) for r in again] == [("probe-1", "P5"), ("probe-2", "P120")]
    assert guard.refused == {("probe-1", "too_many_points"): 51}
    assert len(caplog.records) == 1 and "probe-1" in caplog.text and "past 100 points" in caplog.text


def test_a_point_code_too_long_is_refused_and_a_gate_s_people_are_not_points() -> None:
    guard = SeriesGuard(registry.subject_metrics(), max_points=100)
    people = [reading("gate-1", f"W-{i}", "on_site") for i in range(1000)]
    assert guard.admit(people) is people  # nothing refused: the usual case hands the batch on as it is
    long = [reading("gate-1", "P" * 200_000, "on_site"), reading("probe-1", "Z" * (MAX_ID_CHARS + 1))]
    assert guard.admit(long) == []
    assert guard.admit([reading("probe-1", "Z" * MAX_ID_CHARS)]) != []
    assert guard.refused == {("gate-1", "point_too_long"): 1, ("probe-1", "point_too_long"): 1}
