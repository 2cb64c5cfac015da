"""The public page of the 双随机 draws (一公开, issue 53 §2) in real headless Chromium under the regulator's
strict policy (its script a file): a published draw shows its projects, their inspectors and the seed; an
unpublished one does not show."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts
from regulator.inspections import draws
from regulator.inspections.plans import NewPlan
from regulator.server import RegulatorServer
from regulator.storage.scope import Actor
from tests.regulator.inspector import regulator  # noqa: F401 (fixture)
from tests.regulator.test_review import CHEAP, PASSWORD
from tests.servers.browser import browser, page  # noqa: F401 (module-scoped Chromium, a page per test)

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def test_the_public_page_shows_the_published_draws(regulator: RegulatorServer, page: Page) -> None:
    repo, city = regulator.repo, Actor("sz.ju", "admin")
    repo.add_project("GD-SZ-D-01", "前海某项目", "深圳", "secret-d-00000001", "南山区")
    repo.add_project("GD-SZ-D-02", "福田某项目", "深圳", "secret-d-00000002", "福田区")
    Accounts(repo, CHEAP).add_user("zhao.jian", PASSWORD, "regulator")
    draws.add_members(repo, city, "执法人员库", "inspector", ["li.jian", "zhao.jian"])
    draws.add_members(repo, city, "项目库", "project", ["GD-SZ-D-01", "GD-SZ-D-02"])
    new = NewPlan("draw", "2026年下半年双随机抽查", 0.0, 4_102_444_800.0)
    shown = draws.make_draw(repo, city, new, "执法人员库", "项目库", 1, 2)
    hidden = draws.make_draw(repo, city, new, "执法人员库", "项目库", 2, 1)
    draws.publish(repo, city, shown["id"])

    page.goto(regulator.base_url + "/public/draws")
    expect(page.locator("h2")).to_have_text(["2026年下半年双随机抽查"])  # the unpublished draw is not there
    expect(page.locator("main")).to_contain_text(shown["seed"])
    drawn = shown["result"][0]
    expect(page.locator("td").first).to_have_text(drawn["project"])
    expect(page.locator("main")).to_contain_text("li.jian、zhao.jian")
    expect(page.locator("main")).not_to_contain_text(hidden["seed"])
