"""What the regulator is told of a hazard that keeps worsening (issue #37): the reference site's formwork
point M3 (design value 20 kN) loaded from 21 to 59 kN during a pour. A real gateway's rules and alert
manager (sitegw's SafetyMonitor on config/examples/site.yaml) deliver through the disk outbox and the
default protocol to a real regulator over HTTP, on SQLite and on PostgreSQL. The ledger's peak, the XLSX
export, the rectification notice (整改通知书, its PDF read back with pdfium) and the monthly report all
state the worst value, within 5 % of 59 kN, with its time; every event is stored once."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook

from config import EXAMPLE_SITE
from contract.config import load_site
from contract.config.uplinks import RegulatorUplink
from contract.readings import Reading
from gateway.alerts.monitor import SafetyMonitor
from gateway.outbox.service import Outbox
from kinds.formwork.kind import FormworkDevice
from regulator.names import BEIJING
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET
from tests.regulator.test_review import signed_in

WORST_KN = 59.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdfium reads it, without white space."""
    assert pdf.startswith(b"%PDF-")
    return "".join("".join(p.get_textpage().get_text_range().split()) for p in pypdfium2.PdfDocument(pdf))


def near_worst(value: float) -> bool:
    return abs(value - WORST_KN) <= 0.05 * WORST_KN


def said_kn(text: str, before: str) -> list[float]:
    """The kN figures that follow ``before`` in ``text`` (white space removed)."""
    return [float(v) for v in re.findall(re.escape(before) + r"([0-9]+(?:\.[0-9]+)?)kN", text)]


@pytest.mark.timeout(180)
async def test_a_rising_formwork_load_reaches_ledger_export_notice_and_report_at_its_worst(
    receiver: RegulatorServer, tmp_path: Path
) -> None:
    site = load_site(EXAMPLE_SITE)
    [m3] = [
        p
        for d in site.config.devices
        if isinstance(d, FormworkDevice)
        for p in d.formwork.points
        if p.code == "M3"
    ]
    assert m3.axial_design_kn == 20  # the reference site's: the design value the notice must cite
    uplink = RegulatorUplink(name="regulator", base_url=receiver.base_url, secret=SECRET, rules=["formwork."])
    outbox = Outbox(tmp_path / "outbox", [uplink])
    t0 = time.time() - 1200
    clock = Clock(t0)
    monitor = SafetyMonitor(site, tmp_path / "alerts.sqlite", outbox.put, clock=clock)
    await outbox.start()
    try:
        # ten minutes of the pour: a reading every 2 s, the pole's force from 21 to 59 kN
        for i in range(301):
            clock.now = t0 + 2 * i
            kn = 21 + (WORST_KN - 21) * i / 300
            monitor.judge(
                [Reading(clock.now, PROJECT, "formwork-1", "axial_kn", round(kn, 2), "kN", point="M3")]
            )
            monitor.tick(clock.now)
        worst_ts = clock.now
        clock.now += 61  # the readings stop: what is still untold goes out at the next tick
        monitor.tick(clock.now)
        assert await outbox.drained(60)
        [alert] = [a for a in monitor.alerts.list_alerts() if a.rule == "formwork.axial"]
        history = monitor.alerts.get(alert.alert_id).history
    finally:
        await outbox.stop()
        monitor.close()

    told = [e for e in history if e.state in ("firing", "updated")]
    assert told[0].value == pytest.approx(21.0) and told[-1].value == pytest.approx(WORST_KN)
    # a storm of 300 readings is a few events: the firing, then at most one update a minute
    assert 2 <= len(told) <= 1 + 600 / 60 + 1
    # every event once in the regulator's store, the same ids the gateway kept
    stored = [s.event for s in receiver.repo.events(PROJECT) if s.event.alert_id == alert.alert_id]
    assert sorted(e.event_id for e in stored) == sorted(e.event_id for e in history)

    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        [hazard] = [
            h
            for h in (await reg.get("/ui/api/hazards", params={"state": "all"})).json()["hazards"]
            if h["alert_id"] == alert.alert_id
        ]
        assert near_worst(hazard["peak_value"]), hazard
        assert hazard["peak_ts"] == pytest.approx(worst_ts)
        assert hazard["peak_text"] == "59.0 kN（设计值 20 kN 的 295%）"

        book = load_workbook(io.BytesIO((await reg.get("/ui/api/exports/hazards.xlsx")).content))
        rows = list(book.active.iter_rows(values_only=True))
        header = list(rows[0])
        [row] = [r for r in rows[1:] if r[header.index("隐患编号")] == hazard["id"]]
        assert near_worst(row[header.index("峰值")])
        assert row[header.index("峰值说明")] == "59.0 kN（设计值 20 kN 的 295%）"
        when = datetime.fromtimestamp(worst_ts, BEIJING).replace(tzinfo=None)
        assert abs((row[header.index("峰值时间")] - when).total_seconds()) < 1  # Beijing time, as a date cell

        # a major hazard (施工荷载超过设计值, 建质规〔2024〕5号 第六条(二)): confirming it lists it and issues
        # the rectification notices
        r = await reg.post(f"/ui/api/hazards/{hazard['id']}/confirm", json={})
        assert r.status_code == 200, r.text
        listings = (await reg.get("/ui/api/listings")).json()["listings"]
        assert listings and all(x["peak_text"] == hazard["peak_text"] for x in listings)
        notice = listings[0]["notices"][0]
        text = pdf_text((await reg.get(notice["pdf_url"])).content)
        assert "整改通知书" in text
        figures = said_kn(text, "峰值")
        assert figures and all(near_worst(v) for v in figures), text
        assert "设计值20kN的295%" in text
        assert f"{when:%Y-%m-%d%H:%M}" in text, text  # the worst value's time
        assert "20.88" not in text and "的104%" not in text  # not the first event's figures

        month = datetime.fromtimestamp(t0, BEIJING).strftime("%Y-%m")
        report = await reg.get("/ui/api/reports/monthly.pdf", params={"month": month})
        assert report.status_code == 200, report.text
        report_text = pdf_text(report.content)
        assert "本月重大事故隐患及峰值" in report_text
        assert "59.0kN（设计值20kN的295%）" in report_text, report_text
    finally:
        await reg.aclose()


def test_the_peak_wording_is_one_in_every_place() -> None:
    # the ledger's words for a worst value: the figure, the limit by its name, how far past it
    from regulator.peaks import peak_words

    assert peak_words("formwork.axial", 59.0, 20.0, "kN") == "59.0 kN（设计值 20 kN 的 295%）"
    assert peak_words("formwork.settle", -9.6, 8.0, "mm") == "-9.6 mm（报警值 8 mm 的 120%）"
    assert peak_words("crane.load", 107.7, 100.0, "%") == "107.7%（限值 100%）"
    assert peak_words("formwork.tilt", 0.2345, 0.229, "°") == "0.234°（报警值 0.229° 的 102%）"
    assert peak_words("crane.collision", 1.2, 2.0, "m") == "1.2 m（限值 2 m 的 60%）"
    assert peak_words("crane.operator", None, None, "") == ""


def test_a_notice_of_a_hazard_without_a_value_says_the_sites_words() -> None:
    # a licence number is no figure: the notice says what the site said (regulator/reports/notice_pdf.py)
    from regulator.reports.notice_pdf import hazard_text

    text = hazard_text(
        {
            "rule_name": "特种作业人员无证",
            "device": "crane-2",
            "point": "",
            "peak_text": "",
            "peak_message": "2号塔吊 司机 OP-1002 操作证已过期",
            "message": "",
        }
    )
    assert text == "2号塔吊 司机 OP-1002 操作证已过期（特种作业人员无证，crane-2）"
