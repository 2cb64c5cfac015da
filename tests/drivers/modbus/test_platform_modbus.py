"""The suspended platform's box (kinds/platform/profiles/platform_monitor.yaml, its vendor register table) served by
the platform simulator on a pymodbus TCP server and read by the real Modbus driver: every value decodes to
what the model served, and the readings, judged, raise the failed safety lock the scenario plays."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from contract.config import LoadedSite
from kinds.platform.sim import HAZARD_AT_S, PlatformModel
from rules import RuleEngine
from sitegw.modbus_sims import ElapsedClock
from tests.drivers.modbus.conftest import polled_from_a_server


async def test_platform_box_over_modbus_tcp_decodes_as_served_and_its_lock_failure_is_raised(
    site: LoadedSite,
) -> None:
    dev = site.config.device("platform-1")
    mmap = site.profiles["platform_monitor"].modbus
    assert mmap is not None
    model = PlatformModel(dev.platform, "platform_tilt_lock", seed=3)  # type: ignore[attr-defined]
    clock = ElapsedClock()
    served: list[dict[str, float | str]] = []

    def values() -> Mapping[str, float | str]:
        # 6 s into the hazard: tilted 9.5°, the lock still open
        v = model.values(HAZARD_AT_S + 6 + clock())
        served.append(v)
        return v

    rec = await polled_from_a_server(
        site,
        dev,
        mmap,
        values,
        lambda r: len(r.batches) >= 6,
        "6 polls of platform-1",
        poll_interval_s=0.3,
        timeout_s=1.0,
    )
    batches = [batch for _, batch in rec.batches]
    for k, batch in enumerate(batches):
        got = {r.metric: r.value for r in batch}
        first, second = served[2 * k], served[2 * k + 1]  # registers 0-12, then the operator's 20-27
        assert set(got) == set(first)
        assert got["operator_id"] == second["operator_id"] == "OP-3001"
        for metric in set(first) - {"operator_id"}:
            assert got[metric] == pytest.approx(float(first[metric]), abs=1e-9), (k, metric)
    assert {r.value for b in batches for r in b if r.metric == "tilt_deg"} == {9.5}
    engine = RuleEngine(site)
    found = [r for b in batches for r in engine.process(b) if r.rule == "platform.lock" and r.level]
    assert found and found[0].level == "critical" and "安全锁失效" in found[0].message
