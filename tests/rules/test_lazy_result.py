"""A verdict made when read (RuleResult.later) whose value is given at once: the alert manager reads every
repeated verdict's value to keep the alert's worst (the regulator's peak), and that must not make it."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.result import RuleResult


def _build(made: list[int], value: float) -> RuleResult:
    made.append(1)
    return RuleResult("crane.load", "crane-1", "", "alarm", 10.0, clause="GB 5144", value=value)


def test_a_value_given_at_once_is_read_without_making_the_verdict() -> None:
    made: list[int] = []
    lazy = RuleResult.later(
        "crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build(made, 104.5), 104.5
    )
    assert lazy.value == 104.5 and made == []
    assert lazy.clause == "GB 5144" and made == [1]
    assert lazy == _build([], 104.5)


def test_a_value_the_verdict_does_not_carry_is_refused_when_it_is_made() -> None:
    lazy = RuleResult.later(
        "crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build([], 104.5), 99.0
    )
    with pytest.raises(ValueError, match="not the one reported"):
        _ = lazy.message


def test_without_a_value_it_is_made_on_the_first_read() -> None:
    made: list[int] = []
    lazy = RuleResult.later("crane.load", "crane-1", "", "alarm", 10.0, False, lambda: _build(made, 104.5))
    assert lazy.value == 104.5 and made == [1]


lazy_fields = st.fixed_dictionaries(
    {
        "clause": st.text(max_size=3),
        "value": st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=3)),
        "threshold": st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False)),
        "message": st.text(max_size=3),
        "details": st.dictionaries(st.text(max_size=2), st.floats(allow_nan=False), max_size=2),
        "latched": st.booleans(),
    }
)


@given(lazy_fields, st.sampled_from(["warning", None]), st.booleans())
def test_a_lazy_verdict_is_the_verdict_it_builds(fields: dict[str, Any], level: Any, backfill: bool) -> None:
    """A verdict made later reads, compares, shows, copies, pickles and restamps as the RuleResult its
    build makes, which it makes once, at the first reading of a figure (not of its key)."""
    made: list[RuleResult] = []

    def build() -> RuleResult:
        made.append(RuleResult("crane.load", "crane-1", "", level, 5.0, backfill=backfill, **fields))
        return made[-1]

    lazy = RuleResult.later("crane.load", "crane-1", "", level, 5.0, backfill, build)
    assert (lazy.rule, lazy.device, lazy.point, lazy.level, lazy.ts, lazy.backfill) == (
        "crane.load",
        "crane-1",
        "",
        level,
        5.0,
        backfill,
    )
    assert not made  # the key alone makes nothing
    full = RuleResult("crane.load", "crane-1", "", level, 5.0, backfill=backfill, **fields)
    assert lazy.value == full.value and lazy.threshold == full.threshold  # ints made floats alike
    assert len(made) == 1
    assert lazy == full and full == lazy
    assert not lazy != full  # noqa: SIM202 (!= is __eq__'s opposite)
    assert repr(lazy) == repr(full)
    assert copy.deepcopy(lazy) == full and type(copy.copy(lazy)) is RuleResult
    assert pickle.loads(pickle.dumps(lazy)) == full
    assert lazy.restamped(6.0, True) == full.restamped(6.0, True)
    assert lazy.restamped(6.0, True).ts == 6.0 and lazy.restamped(6.0, True).backfill
    assert len(made) == 1


def test_a_lazy_verdict_whose_build_says_another_key_is_refused() -> None:
    lazy = RuleResult.later(
        "crane.load",
        "crane-1",
        "",
        "alarm",
        5.0,
        False,
        lambda: RuleResult(rule="crane.load", device="crane-1", point="", level=None, ts=0.0),
    )
    with pytest.raises(ValueError, match=r"crane\.load: the verdict built later is not the one reported"):
        _ = lazy.message
