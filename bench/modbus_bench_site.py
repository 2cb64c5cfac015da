"""The benchmark's site, built in memory: N Modbus TCP devices of REGS uint16 holding registers each.

Shared by bench/modbus_poll.py and bench/sitegw_tb_adapter.py so both poll exactly the
workload of /work/shared/bench/peer_tbgw/modbus_farm.py (device i at BASE_PORT + i, unit 1,
holding registers 0..REGS-1, or all devices behind one port as unit ids 1..N).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contract.config.loader import LoadedSite
from contract.config.profile import Profile
from contract.config.site import SiteConfig


def bench_site(
    devices: int,
    regs: int,
    poll_ms: float,
    host: str = "127.0.0.1",
    base_port: int = 15020,
    layout: str = "ports",
) -> LoadedSite:
    """A site whose devices are the farm's simulated black boxes, polled every ``poll_ms``."""
    profile = Profile.model_validate(
        {
            "name": f"bench_regs{regs}",
            "kind": "generic",
            "modbus": {"values": [{"metric": f"r{a}", "address": a, "type": "uint16"} for a in range(regs)]},
        }
    )
    config = SiteConfig.model_validate(
        {
            "project": {"code": "BENCH-0001"},
            "devices": [
                {
                    "id": f"crane-{i + 1:03d}",
                    "kind": "generic",
                    "profile": profile.name,
                    "transport": {
                        "type": "modbus_tcp",
                        "host": host,
                        "port": base_port + i if layout == "ports" else base_port,
                        "unit_id": 1 if layout == "ports" else i + 1,
                    },
                    "poll_interval_s": poll_ms / 1000.0,
                    "timeout_s": 1.0,
                    "retries": 3,
                    "backoff_max_s": 5,
                }
                for i in range(devices)
            ],
        }
    )
    return LoadedSite(Path("bench-site.yaml"), config, {profile.name: profile})
