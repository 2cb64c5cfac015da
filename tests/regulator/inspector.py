"""The review UI tests' common start: a regulator service with one inspector of every place (li.jian), and
their sign-in to the review UI in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.support import ThreadedRegulator

PASSWORD = "correct horse"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # see test_review.py


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(f"sqlite:///{tmp_path}/reg.sqlite") as server:
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
        yield server


def sign_in_as_inspector(tab: Page, server: RegulatorServer) -> None:
    """li.jian signed in to the review UI, on its queue."""
    tab.goto(server.base_url + "/")
    tab.fill("#login-user", "li.jian")
    tab.fill("#login-pass", PASSWORD)
    tab.click("#login-btn")
    expect(tab.locator("#who")).to_contain_text("li.jian")
