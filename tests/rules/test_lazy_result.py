"""A verdict made when read (LazyResult) whose value is given at once: the alert manager reads every
repeated verdict's value to keep the alert's worst (the regulator's peak), and that must not make it."""

from __future__ import annotations

import pytest

from rules.result import LazyResult, RuleResult


def _build(made: list[int], value: float) -> RuleResult:
    made.append(1)
    return RuleResult("crane.load", "crane-1", "", "alarm", 10.0, clause="GB 5144", value=value)


def test_a_value_given_at_once_is_read_without_making_the_verdict() -> None:
    made: list[int] = []
    lazy = LazyResult.later(
        "crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build(made, 104.5), 104.5
    )
    assert lazy.value == 104.5 and made == []
    assert lazy.clause == "GB 5144" and made == [1]
    assert lazy == _build([], 104.5)


def test_a_value_the_verdict_does_not_carry_is_refused_when_it_is_made() -> None:
    lazy = LazyResult.later(
        "crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build([], 104.5), 99.0
    )
    with pytest.raises(ValueError, match="not the one reported"):
        _ = lazy.message


def test_without_a_value_it_is_made_on_the_first_read() -> None:
    made: list[int] = []
    lazy = LazyResult.later("crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build(made, 104.5))
    assert lazy.value == 104.5 and made == [1]
