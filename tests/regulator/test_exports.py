"""Exports and the monthly report (#16 item 9) over real HTTP, on PostgreSQL and the embedded SQLite, with
the jurisdictions test's bureau (four projects in four districts, users at each level).

The XLSX is read back with openpyxl and the CSV with csv: their rows are the queue's rows for the same
filter and user, every page of them (the queue is read a page of 2 at a time here), so a district user's
export lacks the other district. The PDF's text is read back with pdfium: the Chinese title, the
jurisdiction's name, the month's counts as the queue shows them, and no other district's project."""

from __future__ import annotations

import base64
import csv
import io
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pypdfium2
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from regulator.cli import monthly_report
from regulator.ledger.review import DAY_S
from regulator.reports.monthly import figures
from regulator.storage.scope import Actor
from tests.regulator.support import real_jpeg
from tests.regulator.test_jurisdictions import FT, NS, TH, USERS, Bureau, bureau, pg_url, post_event  # noqa: F401

# written out here, as a bureau reads them: not imported from the code under test
HEADERS = ["隐患编号", "项目编号", "项目名称", "城市", "区县", "检查项", "级别", "隐患分类", "判定依据条款"]
BEIJING = timezone(timedelta(hours=8))
LEVELS = {"critical": "危险", "alarm": "报警", "warning": "预警"}


def beijing(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, BEIJING).replace(tzinfo=None)


async def queue_rows(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every row the queue lists for ``params``, page by page (2 a page: several pages)."""
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        r = await client.get("/ui/api/hazards", params={**params, "page": page, "page_size": 2})
        assert r.status_code == 200, r.text
        body = r.json()
        rows += body["hazards"]
        if page >= body["pages"]:
            return rows
        page += 1


async def xlsx_rows(client: httpx.AsyncClient, **params: Any) -> list[list[Any]]:
    r = await client.get("/ui/api/exports/hazards.xlsx", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def csv_rows(client: httpx.AsyncClient, **params: Any) -> list[list[str]]:
    r = await client.get("/ui/api/exports/hazards.csv", params=params)
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark: Excel would garble the Chinese"
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


async def more_hazards(bureau: Bureau) -> None:
    """A second hazard per project (critical tilt), one an hour apart, and one whose message is a formula."""
    now = time.time()
    for n, site in enumerate((NS, FT, TH)):
        await post_event(
            bureau.server, site, alert="tilt", rule="crane.tilt", level="critical", ts=now - 3600 * (n + 1)
        )
    await post_event(
        bureau.server,
        NS,
        alert="formula",
        rule="crane.wind",
        level="alarm",
        message='=HYPERLINK("x")',
        ts=now,
    )
    # control characters a gateway may send: XLSX (XML 1.0) cannot hold them (schemathesis found the 500)
    await post_event(
        bureau.server,
        NS,
        alert="control",
        rule="crane.load",
        level="alarm",
        message="起重量\x01超限\x1f",
        ts=now,
    )


async def test_exports_hold_the_queues_rows_for_the_same_filter_and_user(bureau: Bureau) -> None:
    await more_hazards(bureau)
    filters: list[dict[str, Any]] = [
        {"state": "all"},
        {"state": "all", "level": "critical"},
        {"state": "confirmed"},
    ]
    for user in ("ns", "sz", "gd", "root"):
        sees = USERS[user][2]
        client = bureau.clients[user]
        for params in filters:
            expected = await queue_rows(client, **params)
            assert expected, (user, params)
            sheet = await xlsx_rows(client, **params)
            text = await csv_rows(client, **params)
            assert sheet[0][: len(HEADERS)] == HEADERS and text[0][: len(HEADERS)] == HEADERS
            assert [r[0] for r in sheet[1:]] == [h["id"] for h in expected], (user, params)
            assert [int(r[0]) for r in text[1:]] == [h["id"] for h in expected], (user, params)
            assert {r[1] for r in sheet[1:]} <= sees, user
            for h, row, line in zip(expected, sheet[1:], text[1:], strict=True):
                header = sheet[0]
                cell = dict(zip(header, row, strict=True))
                assert cell["项目名称"] == h["project_name"] and cell["检查项"] == h["rule_name"]
                assert cell["级别"] == LEVELS[h["level"]] and cell["隐患分类"] == h["classification_name"]
                assert cell["最近报警"] == beijing(h["last_ts"]).replace(microsecond=0)
                said = dict(zip(text[0], line, strict=True))
                assert said["最近报警"] == beijing(h["last_ts"]).strftime("%Y-%m-%d %H:%M")
                assert said["项目名称"] == h["project_name"]
    ns_sheet = await xlsx_rows(bureau.clients["ns"], state="all")
    assert NS.code in {r[1] for r in ns_sheet[1:]} and FT.code not in {r[1] for r in ns_sheet[1:]}
    # a site's text that a spreadsheet would run as a formula stays text
    formula = [r for r in ns_sheet[1:] if "HYPERLINK" in str(r[ns_sheet[0].index("描述")])]
    assert formula and str(formula[0][ns_sheet[0].index("描述")]).startswith("'=")
    # a control character is shown as the replacement character, and the rest of the text is kept
    assert "起重量\ufffd超限\ufffd" in {r[ns_sheet[0].index("描述")] for r in ns_sheet[1:]}


async def report_text(client: httpx.AsyncClient, **params: Any) -> str:
    r = await client.get("/ui/api/reports/monthly.pdf", params=params)
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF-")
    # pdfium (Chrome's PDF engine) reads the text as a browser's viewer and its copy-paste show it; pypdf and
    # pdfminer do not read the font's embedded CMap (fpdf2's encoding of a CFF font's glyphs), poppler does
    document = pypdfium2.PdfDocument(r.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return "".join(text.split())  # lines break where the layout puts them


async def test_monthly_report_per_jurisdiction_as_pdf(bureau: Bureau) -> None:
    await more_hazards(bureau)
    root = bureau.clients["root"]
    tilt = {h["project"]: h["id"] for h in await queue_rows(root, state="all", rule="crane.tilt")}
    # NS: its tilt ordered as general (not listed: a listed one follows its listings' deadlines), past its
    # deadline and escalated; FT: its tilt fixed and closed
    r = await root.post(f"/ui/api/hazards/{tilt[NS.code]}/order", json={"major": False})
    assert r.status_code == 200, r.text
    with bureau.server.repo.engine.begin() as db:  # the deadline passed a day ago
        db.execute(
            sa.text("UPDATE hazards SET deadline = :t WHERE id = :i"),
            {"t": time.time() - DAY_S, "i": tilt[NS.code]},
        )
    assert bureau.server.review.escalate_overdue() == 1
    photo = base64.b64encode(real_jpeg("fixed")).decode()
    closing = (
        "reinspect",
        {"passed": True, "note": "复查合格", "photo": photo},
    )  # listed: 销号 by re-inspection
    for action, body in (("order", {}), ("report", {"reason": "已整改", "photo": photo}), closing):
        r = await root.post(f"/ui/api/hazards/{tilt[FT.code]}/{action}", json=body)
        assert r.status_code == 200, r.text
    month = datetime.now(UTC).astimezone(BEIJING).strftime("%Y-%m")
    year, number = month.split("-")

    for user, place in (("ns", "广东省/深圳市/南山区"), ("sz", "广东省/深圳市"), ("gd", "广东省")):
        sees = USERS[user][2]
        text = await report_text(bureau.clients[user], month=month)
        assert f"{place}房屋市政工程安全隐患排查治理月报（{year}年{int(number)}月）" in text, text[:200]
        rows = await queue_rows(bureau.clients[user], state="all")
        start = datetime(int(year), int(number), 1, tzinfo=BEIJING).timestamp()
        end = (
            (datetime(int(year), int(number), 28, tzinfo=BEIJING) + timedelta(days=4))
            .replace(day=1)
            .timestamp()
        )
        found = [h for h in rows if start <= h["first_ts"] < end]
        major = sum(h["classification"] == "major" for h in found)
        assert f"本月新发现隐患{len(found)}项（重大事故隐患{major}项）" in text, (user, text)
        closed = sum(h["state"] == "closed" for h in rows)
        assert f"本月销号{closed}项" in text, user
        overdue = sum(h["overdue"] for h in rows)
        assert f"整改逾期{overdue}项（本月逾期升级{overdue}项）" in text, user
        for site in (NS, FT, TH):
            assert (site.code in text) == (site.code in sees), (user, site.code)
        # the riskiest projects as risk grading (regulator/reports/risk.py, /ui/api/risk) grades them
        for p in (await bureau.clients[user].get("/ui/api/risk")).json()["projects"]:
            assert f"{p['code']}{p['name']}{p['district']}{p['grade_name']}{p['score']:g}" in text, (user, p)
    assert "整改逾期1项" in await report_text(bureau.clients["ns"], month=month)
    # a city user's report of one district under it; a district user may not read the next district's
    ft_only = await report_text(bureau.clients["sz"], month=month, place="广东省/深圳市/福田区")
    assert "广东省/深圳市/福田区房屋市政工程" in ft_only and FT.code in ft_only and NS.code not in ft_only
    r = await bureau.clients["ns"].get(
        "/ui/api/reports/monthly.pdf", params={"place": "广东省/深圳市/福田区"}
    )
    assert r.status_code == 404
    r = await bureau.clients["ns"].get("/ui/api/reports/monthly.pdf", params={"month": "2026/11"})
    assert r.status_code == 422 and "yyyy-MM" in r.json()["error"]


async def test_the_monthly_report_from_the_command_line(bureau: Bureau, tmp_path: Path) -> None:
    await more_hazards(bureau)
    month = datetime.now(UTC).astimezone(BEIJING).strftime("%Y-%m")
    out = tmp_path / "report.pdf"
    args = [
        "regulator",
        "monthly-report",
        month,
        "--place",
        "广东/深圳",
        "--out",
        str(out),
        "--db",
        bureau.server.db,
    ]
    # the command alone, without sitegw's logging set-up (its handler would outlive the runner's captured
    # stderr and break later tests' runners)
    app = typer.Typer()
    regulator = typer.Typer()
    app.add_typer(regulator, name="regulator")
    regulator.command("monthly-report")(monthly_report)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = "".join("".join(p.get_textpage().get_text_range().split()) for p in pypdfium2.PdfDocument(out))
    assert "广东省/深圳市房屋市政工程安全隐患排查治理月报" in text
    assert NS.code in text and FT.code in text and TH.code not in text
    result = CliRunner().invoke(app, [*args[:3], "--place", "广东/东莞/虎门", "--db", bureau.server.db])
    assert result.exit_code == 2 and "add-place" in result.output


async def test_without_a_chinese_font_the_report_names_the_fix(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITEGW_CJK_FONT", "/nonexistent/NotoSansCJK-Regular.ttc")
    r = await bureau.clients["sz"].get("/ui/api/reports/monthly.pdf")
    assert r.status_code == 503 and "SITEGW_CJK_FONT" in r.json()["error"]


async def test_a_past_months_report_stands_as_that_month_ended(bureau: Bureau) -> None:
    """January's report, made in March, shows January's end as it was: NS's hazard open and overdue then,
    escalated in January, though it was fixed and closed in March (a general hazard: a major one would also be
    listed for supervision, with deadlines of its own). The bureau's hazards were first seen
    at 1,800,000,000 (2027-01-15 Beijing); the actions' instants are set as if taken on the days named."""
    t0 = 1_800_000_000.0
    hazard = bureau.hazard[NS.code]
    root = bureau.clients["root"]
    r = await root.post(f"/ui/api/hazards/{hazard}/order", json={"major": False})
    assert r.status_code == 200, r.text
    with bureau.server.repo.engine.begin() as db:  # ordered on Jan 15, due Jan 20
        args = {"i": hazard, "t": t0 + 3600, "d": t0 + 5 * DAY_S}
        db.execute(
            sa.text("UPDATE actions SET ts = :t, deadline = :d WHERE hazard_id = :i AND action = 'order'"),
            args,
        )
        db.execute(sa.text("UPDATE hazards SET deadline = :d WHERE id = :i"), args)
    assert bureau.server.review.escalate_overdue(now=t0 + 6 * DAY_S) == 1  # Jan 21
    photo = base64.b64encode(real_jpeg("fixed")).decode()
    for action, body in (("report", {"reason": "已整改", "photo": photo}), ("close", {})):
        r = await root.post(f"/ui/api/hazards/{hazard}/{action}", json=body)
        assert r.status_code == 200, r.text
    march = t0 + 50 * DAY_S  # 2027-03-06
    with bureau.server.repo.engine.begin() as db:
        args = {"i": hazard, "t": march}
        db.execute(
            sa.text("UPDATE actions SET ts = :t WHERE hazard_id = :i AND action IN ('report', 'close')"), args
        )
        db.execute(sa.text("UPDATE hazards SET closed_at = :t, updated_at = :t WHERE id = :i"), args)
    ns = Actor("ns", "regulator", None, "广东省/深圳市/南山区")
    january = figures(bureau.server.repo, ns, "2027-01", now=march + DAY_S)
    assert (january.found, january.open_now, january.overdue, january.escalated, january.closed) == (
        1,
        1,
        1,
        1,
        0,
    )
    march_figures = figures(bureau.server.repo, ns, "2027-03", now=march + DAY_S)
    assert (march_figures.found, march_figures.open_now, march_figures.overdue, march_figures.closed) == (
        0,
        0,
        0,
        1,
    )
    # the city sees NS's and FT's: FT's hazard was confirmed, never ordered, so open and not overdue
    city = figures(
        bureau.server.repo, Actor("sz", "regulator", None, "广东省/深圳市"), "2027-01", now=march + DAY_S
    )
    assert (city.found, city.open_now, city.overdue) == (2, 2, 1)
