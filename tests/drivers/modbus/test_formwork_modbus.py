"""formwork_monitor's register map: the formwork model served over Modbus TCP, read by the real driver."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from contract.config import LoadedSite
from kinds.formwork.sim import FormworkModel, PourClock, formwork_source
from tests.drivers.modbus.conftest import polled_from_a_server


async def test_formwork_points_over_modbus_decode_to_the_models_values(site: LoadedSite) -> None:
    spec = site.config.device("formwork-1").formwork
    mmap = site.profiles["formwork_monitor"].modbus
    assert spec is not None and mmap is not None
    model = FormworkModel(spec, "collapse")
    pour = PourClock(time_scale=600)  # the pour's first hour in 6 s: M3 goes past its alarm values
    pour.start()
    source = formwork_source(model, pour)
    served: list[dict[str, float | str]] = []

    def recording() -> Mapping[str, float | str]:
        v = dict(source())
        served.append(v)
        return v

    rec = await polled_from_a_server(
        site,
        site.config.device("formwork-1"),
        mmap,
        recording,
        lambda r: any(
            x.point == "M3" and x.metric == "settle_mm" and float(x.value) > 8
            for x in r.readings("formwork-1")
        ),
        "M3's settlement past 8 mm",
        poll_interval_s=0.2,
        timeout_s=1.0,
    )
    batches = [batch for _, batch in rec.batches]
    assert len(served) >= len(batches)
    for batch, values in zip(batches, served, strict=False):  # one request (32 registers) per poll
        got = {f"{r.metric}@{r.point}": r.value for r in batch}
        assert set(got) == {
            f"{m}@M{i}" for m in ("settle_mm", "disp_h_mm", "tilt_deg", "axial_kn") for i in range(1, 5)
        }
        for key, value in got.items():
            assert value == pytest.approx(float(values[key]), rel=1e-6, abs=1e-6), key
    units = {r.metric: r.unit for _, b in rec.batches for r in b}
    assert units == {"settle_mm": "mm", "disp_h_mm": "mm", "tilt_deg": "deg", "axial_kn": "kN"}
    last = {(r.point, r.metric): float(r.value) for r in batches[-1]}
    assert last[("M3", "axial_kn")] > 20  # past its design value with the settlement
    assert all(last[(p, "settle_mm")] < 0.8 * 8 for p in ("M1", "M2", "M4"))
