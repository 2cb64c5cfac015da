"""A regulator without a second factor signs in to the review UI, in real headless Chromium (Playwright),
and is led to enrol one with the enrolment code their administrator gave them: the QR code on the screen,
photographed and read by OpenCV as a phone would, gives the authenticator app its secret; its code finishes
the enrolment, and the next sign-in needs one. Replacing it (a new phone) takes the password and the current
code, and the old phone's codes stop working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts, LoginPolicy
from regulator.server import RegulatorServer
from tests.regulator.qr_decode import decode
from tests.regulator.support import PROJECT, SECRET, Authenticator, ThreadedRegulator, own_chromium

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

PASSWORD = "correct horse 9"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # see test_review.py


@pytest.fixture
def page() -> Iterator[Page]:
    with own_chromium(viewport={"width": 1200, "height": 900}, locale="zh-CN") as tab:
        yield tab


GRANT: dict[str, str] = {}  # the enrolment code the administrator handed li.jian


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(
        f"sqlite:///{tmp_path}/reg.sqlite", login_policy=LoginPolicy(second_factor_required=True)
    ) as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        GRANT["li.jian"] = (
            Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator").enrolment_code or ""
        )
        yield server


def scanned(page: Page) -> Authenticator:
    """The QR code on the screen photographed and read as a phone's app reads it."""
    qr = page.locator("#enrol-qr")
    page.wait_for_function("() => document.getElementById('enrol-qr').naturalWidth > 0")
    shot = cv2.imdecode(np.frombuffer(qr.screenshot(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert shot is not None, "the screenshot is a PNG"
    uri = decode(shot)
    assert uri.startswith("otpauth://totp/"), f"the QR code on the screen reads as {uri!r}"
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    expect(page.locator("#enrol-key")).to_have_text(secret)  # the same key, to type when scanning fails
    return Authenticator(secret)


def sign_in(tab: Page, otp: str = "") -> None:
    tab.fill("#login-user", "li.jian")
    tab.fill("#login-pass", PASSWORD)
    tab.fill("#login-otp", otp)
    tab.click("#login-btn")


def test_a_regulator_enrols_by_scanning_the_qr_code_then_signs_in_with_its_code(
    regulator: RegulatorServer, page: Page
) -> None:
    page.goto(regulator.base_url + "/")
    sign_in(page)
    expect(page.get_by_test_id("enrol")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()
    page.fill("#enrol-grant", "AAAA-BBBB-CCCC-DDDD")  # a guess: the password alone enrols nothing
    page.click("#enrol-get")
    expect(page.locator("#enrol-msg")).to_contain_text("绑定码错误")
    expect(page.locator("#enrol-qr")).to_be_hidden()
    page.fill("#enrol-grant", GRANT["li.jian"])
    page.click("#enrol-get")
    app = scanned(page)

    page.fill("#enrol-code", "123456" if app.totp.now() != "123456" else "654321")
    page.click("#enrol-btn")
    expect(page.locator("#enrol-msg")).to_contain_text("动态口令错误")
    page.fill("#enrol-code", app.code())
    page.click("#enrol-btn")
    expect(page.locator("#who")).to_contain_text("li.jian")
    expect(page.get_by_test_id("enrol")).to_be_hidden()
    expect(page.locator("#enrol-open")).to_have_text("更换动态口令")  # enrolled: it can be replaced

    page.click("#logout")
    sign_in(page)  # the password alone no longer does
    expect(page.locator("#login-msg")).to_contain_text("动态口令")
    sign_in(page, app.code())
    expect(page.locator("#who")).to_contain_text("li.jian")

    # a new phone: the password and the old phone's current code, then the new QR code
    page.click("#enrol-open")
    expect(page.locator("#enrol-replace")).to_be_visible()
    page.fill("#enrol-pass", "not the password 1")
    page.fill("#enrol-old", app.code())
    page.click("#enrol-get")
    expect(page.locator("#enrol-msg")).to_contain_text("动态口令错误")
    expect(page.locator("#enrol")).to_be_visible()  # still here, not thrown back to the sign-in
    page.fill("#enrol-pass", PASSWORD)
    page.fill("#enrol-old", app.code())
    page.click("#enrol-get")
    new_phone = scanned(page)
    page.fill("#enrol-code", new_phone.code())
    page.click("#enrol-btn")
    expect(page.locator("#who")).to_contain_text("li.jian")
    page.click("#logout")
    sign_in(page, app.code())  # the old phone
    expect(page.locator("#login-msg")).to_contain_text("动态口令")
    sign_in(page, new_phone.code())
    expect(page.locator("#who")).to_contain_text("li.jian")
