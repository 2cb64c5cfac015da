"""Reading's constructor stores through the slots directly (contract/readings.py): it must still be the
dataclass it was, field for field, default for default, and frozen."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from contract.readings import Quality, Reading


def test_the_constructor_takes_the_dataclass_fields_in_order_with_their_defaults() -> None:
    params = list(inspect.signature(Reading.__init__).parameters.values())[1:]  # after self
    fields = dataclasses.fields(Reading)
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]


def test_a_reading_holds_what_it_was_given_and_stays_frozen() -> None:
    r = Reading(1.5, "P-1", "crane-1", "load_t", 2.25, "t", Quality.STALE, "ZQS-01")
    assert dataclasses.astuple(r) == (1.5, "P-1", "crane-1", "load_t", 2.25, "t", Quality.STALE, "ZQS-01")
    by_name = Reading(ts=1.5, project="P-1", device="crane-1", metric="load_t", value=2.25)
    assert (by_name.unit, by_name.quality, by_name.point) == ("", Quality.OK, "")
    assert r == copy.copy(r) == pickle.loads(pickle.dumps(r)) and hash(r) == hash(copy.copy(r))
    assert dataclasses.replace(r, value=3.0).value == 3.0 and r.value == 2.25
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 3.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        Reading(1.5, "P-1", "crane-1", "load_t")  # type: ignore[call-arg]
