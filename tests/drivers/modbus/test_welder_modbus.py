"""A welding machine's current transmitter (kinds/welder/profiles/welder_ct.yaml) served by the welder
simulator on a pymodbus TCP server and read by the real Modbus driver: the current decodes as served, and
welding at 3号楼5层 is hot_work.unpermitted until a permit for that place is in force (docs/standards.md §18)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pytest

from contract.config import LoadedSite
from contract.hot_work import FireWatch, Operator, Permit
from kinds.welder.sim import WelderSim
from rules import RuleEngine
from sitegw.modbus_sims import ElapsedClock
from tests.drivers.modbus.conftest import polled_from_a_server


def permit_for(place: str, around: float) -> Permit:
    start = datetime.fromtimestamp(around).astimezone() - timedelta(hours=1)
    return Permit(
        id="DH-T-001",
        place=place,
        start=start,
        end=start + timedelta(hours=2),
        operator=Operator(name="张三", certificate_no="T440300198801010011", valid_until=date(2099, 1, 1)),
        fire_watch=FireWatch(name="李四", person_id="W-102"),
        extinguishers=2,
        extinguishers_checked=True,
        combustibles_cleared=True,
        signer="王工",
        signed_ts=around,
    )


async def test_welder_over_modbus_tcp_decodes_as_served_and_unpermitted_welding_is_an_alarm(
    site: LoadedSite,
) -> None:
    dev = site.config.device("welder-1")
    mmap = site.profiles["welder_ct"].modbus
    assert mmap is not None
    sim = WelderSim(dev, site, "unpermitted", seed=0)  # arcs from its first 40 s
    clock = ElapsedClock()
    served: list[Mapping[str, float | str]] = []

    def values() -> Mapping[str, float | str]:
        v = sim.values(clock())
        served.append(v)
        return v

    rec = await polled_from_a_server(
        site,
        dev,
        mmap,
        values,
        lambda r: len(r.batches) >= 4,
        "4 polls of welder-1",
        poll_interval_s=0.3,
        timeout_s=1.0,
    )
    batches = [batch for _, batch in rec.batches]
    got = [r.value for b in batches for r in b if r.metric == "current_a"]
    assert got == pytest.approx([float(v["current_a"]) for v in served[: len(got)]], abs=0.05)
    assert all(v > 100 for v in got)  # an arc, far above the 10 A idle current

    engine = RuleEngine(site)
    found = [r for b in batches for r in engine.process(b) if r.rule == "hot_work.unpermitted"]
    assert found and found[0].level == "alarm" and "无动火许可证" in found[0].message
    assert "GB/T 50720-2011（2025年版）第6.3.1条第1款" in found[0].clause

    # the same readings with a permit for the welder's place in force: its work is permitted
    permitted = RuleEngine(site)
    permitted.set_permits([permit_for("3号楼5层", batches[0][0].ts)])
    assert not [r for b in batches for r in permitted.process(b) if r.rule == "hot_work.unpermitted"]
    # one for another place does not cover it, and the alert says where the permit is
    elsewhere = RuleEngine(site)
    elsewhere.set_permits([permit_for("2号楼3层", batches[0][0].ts)])
    other = [r for b in batches for r in elsewhere.process(b) if r.rule == "hot_work.unpermitted"]
    assert other and "有效许可证的地点：2号楼3层" in other[0].message
