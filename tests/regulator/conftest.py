"""Fixtures of the receiver tests."""

from tests.regulator.support import receiver  # noqa: F401 (fixture)
