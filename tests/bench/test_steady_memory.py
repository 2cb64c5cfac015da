"""The gateway's memory running the demo site, within its budget (issue #55).

bench/idle_cpu.py runs `sitegw run` on the demo site (the example site, its devices simulated in a process of
their own: cranes, hoist and anemometer on Modbus TCP and RTU, the pit, formwork and gate over MQTT, the
sirens' relay boards) as on an edge box, without the regulator extra; after a warm-up its RSS is read every
second for a minute. The largest must stay within the budget (bench/memory_budget.py: 5 % above the figure
measured there, 100 MB at most), and the gateway must have stored readings meanwhile, so an idle figure of a
gateway that took nothing cannot pass.
"""

from __future__ import annotations

import pytest

from bench.idle_cpu import measure
from bench.memory_budget import STEADY_CEILING_MB, allowed_mb

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it


def test_the_demo_site_runs_within_its_memory_budget() -> None:
    _cpu, rss, stored = measure(seconds=60, warmup=15, new_devices=True)
    assert stored > 0, "the gateway stored no reading: it did not run the site"
    assert rss <= allowed_mb("gateway_idle_rss") <= STEADY_CEILING_MB, f"{rss:.0f} MB"
