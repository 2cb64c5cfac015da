"""The export and report buttons (#16 item 9) in real headless Chromium against the regulator on real
PostgreSQL: a district inspector's 导出 XLSX / 导出 CSV / 月报 PDF save files holding only their district."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pypdfium2
import pytest
from playwright.sync_api import Page

from regulator.server import RegulatorServer
from tests.regulator.test_jurisdictions import FT, NS
from tests.regulator.test_jurisdictions_ui import page, regulator  # noqa: F401 (fixtures)
from tests.regulator.test_review_ui import sign_in

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def save(page: Page, button: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.get_by_test_id(button).click()
    download = started.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_a_district_inspector_exports_their_district(
    regulator: RegulatorServer, page: Page, tmp_path: Path
) -> None:
    sign_in(page, regulator.base_url + "/", "ns")
    page.get_by_test_id("hazard-row").first.wait_for()

    xlsx = save(page, "export-xlsx", tmp_path)
    assert xlsx.name.startswith("隐患台账_") and xlsx.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("隐患编号", "项目编号", "项目名称")
    assert [r[1] for r in rows[1:]] == [NS.code]

    text = save(page, "export-csv", tmp_path).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert [line[2] for line in lines[1:]] == [NS.name]

    pdf = save(page, "monthly-report", tmp_path)
    words = "".join("".join(p.get_textpage().get_text_range().split()) for p in pypdfium2.PdfDocument(pdf))
    assert "广东省/深圳市/南山区房屋市政工程安全隐患排查治理月报" in words
    assert NS.code in words and FT.code not in words
