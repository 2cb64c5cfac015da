"""A regulator without a second factor signs in to the review UI, in real headless Chromium (Playwright),
and is led to enrol one: the QR code on the screen, photographed and read by OpenCV as a phone would,
gives the authenticator app (pyotp) its secret; its code finishes the enrolment, and the next sign-in
needs one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import pyotp
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from regulator.access.auth import Accounts, LoginPolicy
from regulator.server import RegulatorServer
from tests.regulator.qr_decode import decode
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, own_chromium

PASSWORD = "correct horse 9"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # see test_review.py


@pytest.fixture
def page() -> Iterator[Page]:
    with own_chromium(viewport={"width": 1200, "height": 900}, locale="zh-CN") as tab:
        yield tab


@pytest.fixture
def regulator(tmp_path: Path) -> Iterator[RegulatorServer]:
    with ThreadedRegulator(
        f"sqlite:///{tmp_path}/reg.sqlite", login_policy=LoginPolicy(second_factor_required=True)
    ) as server:
        server.repo.add_project(PROJECT, "前海示范项目", "深圳", SECRET, "南山区", "中建某局")
        Accounts(server.repo, CHEAP).add_user("li.jian", PASSWORD, "regulator")
        yield server


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
    qr = page.locator("#enrol-qr")
    page.wait_for_function("() => document.getElementById('enrol-qr').naturalWidth > 0")
    shot = cv2.imdecode(np.frombuffer(qr.screenshot(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert shot is not None, "the screenshot is a PNG"
    uri = decode(shot)
    assert uri.startswith("otpauth://totp/"), f"the QR code on the screen reads as {uri!r}"
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    expect(page.locator("#enrol-key")).to_have_text(secret)  # the same key, to type when scanning fails
    totp = pyotp.TOTP(secret)

    page.fill("#enrol-code", "123456" if totp.now() != "123456" else "654321")
    page.click("#enrol-btn")
    expect(page.locator("#enrol-msg")).to_contain_text("动态口令错误")
    page.fill("#enrol-code", totp.now())
    page.click("#enrol-btn")
    expect(page.locator("#who")).to_contain_text("li.jian")
    expect(page.get_by_test_id("enrol")).to_be_hidden()
    expect(page.locator("#enrol-open")).to_be_hidden()  # enrolled: nothing to offer

    page.click("#logout")
    sign_in(page)  # the password alone no longer does
    expect(page.locator("#login-msg")).to_contain_text("动态口令")
    sign_in(page, totp.now())
    expect(page.locator("#who")).to_contain_text("li.jian")
