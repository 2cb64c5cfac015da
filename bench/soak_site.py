"""The soak's large site, generated from the example site (config/examples/site.yaml).

20 tower cranes, 4 hoists and 4 anemometers (each serving five cranes) copied from the example's
crane-1, crane-2, hoist-1 and anemo-1; 12 deep pits of the example pit's 13 points and 11 high
formworks of its 4 points (200 points); 8 cameras replaying video files. Every device keeps its
example profile, specs and rules, so the gateway judges this site exactly as it judges the example;
only ids, names, positions and transports change. The cranes stand on a 120 m grid, beyond any two
jibs' reach (56 + 56 m), so the anti-collision rule runs for every pair without a standing alert.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from bench.site_scale import keep_references
from config import EXAMPLE_SITE

CRANES, HOISTS, ANEMOMETERS, PITS, FORMWORKS, CAMERAS = 20, 4, 4, 12, 11, 8
CRANE_GRID_M = 120.0  # farther apart than two 56 m jibs: no standing collision alert
GRID_COLUMNS = 5
POINTS = 200  # pit and formwork points together (the 200)


def example() -> dict[str, Any]:
    """The example site as its YAML says it (``${ENV}`` placeholders untouched)."""
    data = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _template(devices: list[dict[str, Any]], device_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(d for d in devices if d["id"] == device_id))


def _local_tcp(port: int) -> dict[str, Any]:
    """A placeholder transport; the soak replaces it with its simulator's address."""
    return {"type": "modbus_tcp", "host": "127.0.0.1", "port": port, "unit_id": 1}


def large_site(broker_host: str, broker_port: int) -> dict[str, Any]:
    """The soak's site as a site file's data: the example's devices multiplied (see the module doc)."""
    site = example()
    base = site["devices"]
    project = site["project"]["code"]
    devices: list[dict[str, Any]] = []
    for i in range(CRANES):
        crane = _template(base, "crane-1" if i % 2 == 0 else "crane-2")
        row, col = divmod(i, GRID_COLUMNS)
        crane["id"], crane["name"] = f"crane-{i + 1}", f"{i + 1}号塔吊"
        crane["transport"] = _local_tcp(20000 + i)
        crane["crane"]["position_m"] = [col * CRANE_GRID_M, row * CRANE_GRID_M]
        devices.append(crane)
    per_anemometer = CRANES // ANEMOMETERS
    for i in range(ANEMOMETERS):
        anemo = _template(base, "anemo-1")
        anemo["id"], anemo["name"] = f"anemo-{i + 1}", f"{i * per_anemometer + 1}号塔吊风速仪"
        anemo["transport"] = _local_tcp(20100 + i)
        anemo["serves"] = [f"crane-{i * per_anemometer + k + 1}" for k in range(per_anemometer)]
        devices.append(anemo)
    for i in range(HOISTS):
        hoist = _template(base, "hoist-1")
        hoist["id"], hoist["name"] = f"hoist-{i + 1}", f"{i + 1}号施工升降机"
        hoist["transport"] = _local_tcp(20200 + i)
        devices.append(hoist)
    for i in range(PITS):
        pit = _template(base, "pit-1")
        pit["id"], pit["name"] = f"pit-{i + 1}", f"{i + 1}号基坑"
        pit["transport"] = {"type": "mqtt", "broker": "site", "topic_prefix": f"sitegw/{project}/pit-{i + 1}"}
        devices.append(pit)
    for i in range(FORMWORKS):
        formwork = _template(base, "formwork-1")
        formwork["id"], formwork["name"] = f"formwork-{i + 1}", f"{i + 1}号高支模"
        formwork["transport"] = {
            "type": "mqtt",
            "broker": "site",
            "topic_prefix": f"sitegw/{project}/formwork-{i + 1}",
        }
        devices.append(formwork)
    site["devices"] = devices
    keep_references(
        site
    )  # the 危大 list names only the devices kept (the cranes' and hoist's 安拆 items none)
    site["mqtt_brokers"] = {"site": {"host": broker_host, "port": broker_port}}
    # no gate and no siren board on this site: the roster of key people and the sirens go with them
    for key in ("key_personnel", "sirens", "no_lift_zones"):
        site.pop(key, None)
    return site


def point_count(site: dict[str, Any]) -> int:
    """Pit and formwork points of a site's data."""
    return sum(
        len(d[kind]["points"]) for d in site["devices"] for kind in ("pit", "formwork") if d["kind"] == kind
    )


def cameras(videos: list[Path], fps: float) -> list[dict[str, Any]]:
    """One camera per video file, looping it at ``fps`` analysed frames a second, every check on."""
    return [
        {"name": f"cam-{i + 1}", "source": str(v), "kind": "file", "loop": True, "fps": fps}
        for i, v in enumerate(videos)
    ]


def write(site: dict[str, Any], path: Path) -> Path:
    """The site file at ``path`` (UTF-8 YAML, Chinese names as they are)."""
    path.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
