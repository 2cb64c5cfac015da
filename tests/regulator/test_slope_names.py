"""The regulator names a high slope's alerts from the kind's declaration (issue 51 §5): a design value passed on
slope-1, judged by the real rules from the reference site's readings and sent signed over HTTP, is listed with
its Chinese check name and classified as the major hazard its clause cites."""

from __future__ import annotations

import json
import time

from contract.alert_event import AlertEvent
from contract.readings import Reading
from regulator.server import RegulatorServer
from sitegw.replay import replay
from tests.regulator.support import PROJECT
from tests.regulator.test_review import send, signed_in
from tests.rules.sites import reference_site


def slope_alarm() -> list[AlertEvent]:
    """BP-03 (the design's 25 mm) read at 24 and then 25.5 mm: a warning, then the alarm above the design value."""
    now = time.time() - 7200
    out: list[AlertEvent] = []
    readings = [
        Reading(now + i * 3600, PROJECT, "slope-1", "disp_h_mm", v, point="BP-03")
        for i, v in enumerate((24.0, 25.5))
    ]
    replay(reference_site(), readings, out.append)
    return [e for e in out if e.rule == "slope.cumulative"]


async def test_the_regulator_lists_a_slope_alarm_by_its_chinese_name(receiver: RegulatorServer) -> None:
    events = slope_alarm()
    assert [(e.level, e.state) for e in events] == [("warning", "firing"), ("alarm", "updated")]
    for event in events:
        r = await send(receiver, "/api/v1/events", json.loads(event.model_dump_json()))
        assert r.status_code == 200, r.text
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        [hazard] = (await reg.get("/ui/api/hazards")).json()["hazards"]
        assert (hazard["rule"], hazard["rule_name"], hazard["level"]) == (
            "slope.cumulative",
            "边坡累计位移",
            "alarm",
        )
        assert (hazard["classification"], hazard["citation"]) == ("major", "建质规〔2024〕5号 第五条（四）")
        names = (await reg.get("/ui/api/names")).json()
        assert names["kinds"]["slope"] == "高边坡" and names["rules"]["slope.rain"] == "边坡降雨"
        assert names["metrics"]["incl_depth_m"] == "最大位移深度"
    finally:
        await reg.aclose()
