"""Fixtures of the dashboard tests: Debian's Chromium through Playwright."""

from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures)
