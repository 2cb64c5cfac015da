"""The tunnel kind at the regulator, from the registry alone: a tunnel point's orange warning, as `sitegw replay`
raises it from the slow-settlement scenario (tests/replay/scenarios/tunnel_slow_settlement), delivered as a
gateway signs it, is in the regulator's queue under its Chinese name, its kind's and its metric's, and
filed a general hazard: its 10.0 mm is at (达到) the fallback control value of docs/standards.md §16, neither
above (超过) it nor a design's, so it cites no 建质规〔2024〕5号 Art. 13(三) (监测数据超过设计控制值)."""

from __future__ import annotations

import json
from pathlib import Path

from contract.wire import EVENTS_PATH
from regulator.server import RegulatorServer
from tests.regulator.test_review import send, signed_in
from tests.replay.test_replay import SCENARIOS, replay, site_of


async def test_a_tunnel_warning_is_named_in_chinese_and_filed_from_its_clause(
    receiver: RegulatorServer, tmp_path: Path
) -> None:
    scenario = next(s for s in SCENARIOS if s.name == "tunnel_slow_settlement")
    code, output, events = replay(tmp_path, scenario / "readings.csv", site_of(scenario))
    assert code == 0, output
    orange = next(e for e in events if e["level"] == "alarm")
    assert (await send(receiver, EVENTS_PATH, orange)).status_code == 200
    reg = await signed_in(receiver, "li.jian", "regulator")
    try:
        r = await reg.get("/ui/api/hazards", params={"state": "all"})
        assert r.status_code == 200, r.text
        [hazard] = r.json()["hazards"]
        names = (await reg.get("/ui/api/names")).json()
    finally:
        await reg.aclose()
    assert (hazard["rule"], hazard["device"], hazard["level"]) == ("tunnel.vault", "tunnel-1", "alarm")
    assert (hazard["classification"], hazard["article"], hazard["item"]) == ("general", "", "")
    assert names["rules"]["tunnel.vault"] == "隧道拱顶沉降预警"
    assert names["rules"]["tunnel.silent"] == "隧道测点监测中断"
    assert names["kinds"]["tunnel"] == "隧道施工监测"
    assert names["metrics"]["vault_settle_mm"] == "拱顶沉降"
    assert json.dumps(orange, ensure_ascii=False).count("拱顶沉降累计 10.00 mm") == 1
