"""The idle bench's second site (the example site before issue #15) must still be a valid site file: when
the 危大 list came, its items still named the formwork the bench takes away, and `make bench` failed."""

from __future__ import annotations

from bench.idle_cpu import NEW_DEVICES, without_new_devices
from config import EXAMPLE_SITE
from contract.config import load_site


def test_the_site_without_the_new_devices_loads_and_lacks_them() -> None:
    full = load_site(EXAMPLE_SITE)
    before = without_new_devices(full)
    ids = {d.id for d in before.config.devices}
    assert ids.isdisjoint(NEW_DEVICES)
    assert ids == {d.id for d in full.config.devices} - set(NEW_DEVICES)
    assert not before.config.key_personnel and not before.config.sirens
    named = {d for w in before.config.dangerous_works for d in w.devices}
    assert named <= ids and len(before.config.dangerous_works) == len(full.config.dangerous_works)
