"""Fixtures of the outbox tests."""

from tests.regulator.support import receiver  # noqa: F401 (fixture)
