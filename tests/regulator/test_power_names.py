"""The regulator names temporary power's alerts from the kind registry, with no edit of its own (issue 51 §5):
a power.rcd verdict of the reference site's wet terminal box, made by the real rules engine, sent by a gateway
as a signed event over real HTTP, is listed in the review queue as 漏电保护器拒动 with its clause and words,
on SQLite and PostgreSQL; the box's summarised readings carry their Chinese names."""

from __future__ import annotations

import json

from contract.wire import EVENTS_PATH
from regulator.names import kind_name, metric_names, rule_name
from regulator.server import RegulatorServer
from rules import RuleEngine
from tests.regulator.support import make_event
from tests.regulator.test_review import send, signed_in
from tests.rules.sites import reference_site, run, sample

T0 = 1_795_000_000.0


async def test_a_power_alert_is_listed_with_its_chinese_name(receiver: RegulatorServer) -> None:
    engine = RuleEngine(reference_site())
    batches = [sample("power-b2", T0 + t, leakage_ma=18.0, rcd_state=0) for t in (0, 5)]
    [*_, verdict] = run(engine, batches, "power.rcd")
    assert verdict.level == "critical"
    event = make_event(
        alert="power-b2:power.rcd:1",
        device="power-b2",
        rule=verdict.rule,
        clause=verdict.clause,
        level=verdict.level,
        value=verdict.value,
        threshold=verdict.threshold,
        unit=verdict.unit,
        message=verdict.message,
        details={},
    )
    r = await send(receiver, EVENTS_PATH, json.loads(event.model_dump_json()))
    assert r.status_code == 200, r.text
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        answer = await reg.get("/ui/api/hazards")
        assert answer.status_code == 200, answer.text
        [hazard] = answer.json()["hazards"]
    finally:
        await reg.aclose()
    assert hazard["rule_name"] == "漏电保护器拒动"
    assert hazard["clause"].startswith("JGJ/T 46-2024") and "拒动" in hazard["clause"]
    assert hazard["message"].startswith("地下室2号开关箱 剩余电流 18 mA 已达漏电保护器额定动作电流 15 mA")


def test_every_power_rule_and_reading_has_its_chinese_name_at_the_regulator() -> None:
    names = {
        "power.leakage": "配电箱剩余电流",
        "power.rcd": "漏电保护器拒动",
        "power.bypass": "漏电保护退出",
        "power.trip": "漏电保护器跳闸",
        "power.temp": "配电箱温度",
        "power.temp_rise": "配电箱温升",
        "power.arc": "故障电弧",
    }
    assert {rule: rule_name(rule) for rule in names} == names
    assert kind_name("power.rcd") == "临时用电"
    metrics = metric_names()
    # the readings summary's figures (the minute's highest leakage and temperatures)
    assert (metrics["leakage_ma"], metrics["temp_l1_c"], metrics["temp_box_c"]) == (
        "剩余电流",
        "A相进线端子温度",
        "箱体内温度",
    )
