"""make test's workers take the files longest first (tests/longest_first.py): a file's tests stay together
and in their order, and a file with no recorded time is reckoned by its number of tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from tests import longest_first


def test_files_longest_first_each_in_its_own_order_an_unrecorded_one_by_its_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seconds = {"tests/a.py": 5.0, "tests/b.py": 300.0, "tests/c.py": 40.0}
    monkeypatch.setattr(longest_first, "recorded", lambda: seconds)
    names = [
        "tests/a.py::x",
        "tests/b.py::y",
        "tests/a.py::z",
        "tests/one.py::n",
        *[f"tests/many.py::m{i}" for i in range(50)],  # unrecorded: 50 tests, reckoned 55 s
        "tests/c.py::w",
        "tests/b.py::v",
    ]
    items = cast(list[pytest.Item], [SimpleNamespace(nodeid=name) for name in names])
    longest_first.order(items)
    assert [item.nodeid for item in items] == [
        "tests/b.py::y",
        "tests/b.py::v",
        *[f"tests/many.py::m{i}" for i in range(50)],
        "tests/c.py::w",
        "tests/a.py::x",
        "tests/a.py::z",
        "tests/one.py::n",
    ]
