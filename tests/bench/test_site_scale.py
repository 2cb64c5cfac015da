"""The whole-gateway scale bench's site (bench/site_scale.py): k copies of the example's devices with
ids, ports and topics of their own, the Modbus-only site loading, and a served read of each planned
request counting every value of the device's map exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench.site_scale import MODBUS, site_data, values_per_read
from config import EXAMPLE_SITE
from contract.config import LoadedSite, load_site

# the example site's devices: each copy holds one of each (a kind added to the example is counted here)
EXAMPLE = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))["devices"]
MODBUS_DEVICES = sum(d["transport"]["type"] in MODBUS for d in EXAMPLE)


def load(data: dict[str, object], folder: Path) -> LoadedSite:
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


@pytest.mark.parametrize("copies", [1, 5, 20])
def test_copies_have_their_own_ids_ports_and_topics(copies: int, tmp_path: Path) -> None:
    devices = site_data(copies, modbus_only=False)["devices"]
    example = [d["kind"] for d in site_data(1, modbus_only=False)["devices"]]  # the example site's own
    assert len(devices) == len(example) * copies
    assert len({d["id"] for d in devices}) == len(devices)
    tcp = [
        (d["transport"]["host"], d["transport"]["port"])
        for d in devices
        if d["transport"]["type"] == "modbus_tcp"
    ]
    serial = [d["transport"]["port"] for d in devices if d["transport"]["type"] == "modbus_rtu"]
    topics = [d["transport"]["topic_prefix"] for d in devices if d["transport"]["type"] == "mqtt"]
    for where in (tcp, serial, topics):
        assert len(where) == len(set(where)) > 0
    kinds = {"crane": 2, "anemometer": 1, "pit": 1, "hoist": 1, "formwork": 1, "attendance": 1}
    assert Counter(example) >= Counter(kinds)  # the example's kinds, and whatever kinds it has gained since
    assert Counter(d["kind"] for d in devices) == {k: n * copies for k, n in Counter(example).items()}
    assert len(load(site_data(copies, modbus_only=False), tmp_path).config.devices) == len(devices)


def test_modbus_only_site_loads_with_its_modbus_devices_alone(tmp_path: Path) -> None:
    site = load(site_data(5, modbus_only=True), tmp_path)
    assert {d.transport.type for d in site.config.devices} <= set(MODBUS)
    assert len(site.config.devices) == MODBUS_DEVICES * 5 > 0  # the Modbus devices of each copy


def test_a_poll_serves_every_mapped_value_once(tmp_path: Path) -> None:
    site = load(site_data(2, modbus_only=False), tmp_path)
    plans = values_per_read(site)
    assert set(plans) == {d.id for d in site.config.devices if d.transport.type in MODBUS}
    for d in site.config.devices:
        if d.id in plans:
            mmap = site.profiles[d.profile].modbus
            assert mmap is not None
            assert sum(plans[d.id].values()) == len(mmap.values)
