"""The reference site and variants of it, written as real site files and loaded by the real loader."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from contract.config import LoadedSite, load_site
from contract.config.loader import shipped_profile
from contract.kinds import registry
from contract.readings import Quality, Reading
from rules import RuleEngine, RuleResult

REFERENCE = Path(__file__).resolve().parents[2] / "config" / "examples" / "site.yaml"
PROJECT = "GD-SZ-2026-0001"


def reference_site() -> LoadedSite:
    """config/examples/site.yaml as shipped."""
    return load_site(REFERENCE)


def probe_site() -> LoadedSite:
    """The reference site with, for each registered kind it has no device of, the kind's sample device entry
    (kinds/<kind>/site.yaml): the site the limit probes run on, so that a new kind is probed from its own
    folder, with no device added to config/examples/site.yaml; and, the reference site having no camera, a
    camera whose zone watches its welders' places for hot work."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    have = {d["kind"] for d in data["devices"]}
    samples = [
        sample
        for kind in registry.kinds()
        if kind.name not in have
        and (home := registry.folder(kind.name)) is not None
        and (sample := home / "site.yaml").is_file()
    ]
    places = [d["welder"]["place"] for d in data["devices"] if d["kind"] == "welder"]
    if not samples and (data.get("vision") or not places):
        return reference_site()
    for sample in samples:
        data["devices"] += yaml.safe_load(sample.read_text(encoding="utf-8"))
    if not data.get("vision") and places:
        # a camera-fed rule needs a camera zone (the reference site has no camera: its demo draws its own):
        # one camera whose zone is the 动火区 of the welders' places (hot_work.zone_unpermitted)
        zone = {"name": "动火区探针", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]], "hot_work_at": places}
        data["vision"] = {
            "cameras": [{"name": "cam-probe", "source": "rtsp://127.0.0.1:1/probe", "zones": [zone]}]
        }
    # a folder of its own for the process (the suites load it at import, before any tmp_path exists)
    path = Path(tempfile.mkdtemp(prefix="sitegw-probe-site-")) / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


def site_variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> LoadedSite:
    """The reference site with ``change`` applied to its YAML data, loaded from ``tmp_path``; the 危大 list
    keeps only the devices the change left (a variant without the formwork has no formwork to attach)."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    change(data)
    kept = {d["id"] for d in data.get("devices", [])}
    for work in data.get("dangerous_works", []):
        work["devices"] = [d for d in work.get("devices", []) if d in kept]
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


def without_metric(tmp_path: Path, device_id: str, metric: str) -> LoadedSite:
    """The reference site with ``device_id`` on a copy of its shipped profile that maps no ``metric``
    (a box without a card reader, say), the copy in a profiles folder beside the site file."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    shipped = device(data, device_id)["profile"]
    profile = yaml.safe_load((shipped_profile(shipped)).read_text(encoding="utf-8"))
    profile["name"] = f"{shipped}_without_{metric}"
    profile["modbus"]["values"] = [v for v in profile["modbus"]["values"] if v["metric"] != metric]
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / f"{profile['name']}.yaml").write_text(yaml.safe_dump(profile), "utf-8")

    def use(data: dict[str, Any]) -> None:
        data["profiles_dir"] = "profiles"
        device(data, device_id)["profile"] = profile["name"]

    return site_variant(tmp_path, use)


def device(data: dict[str, Any], device_id: str) -> dict[str, Any]:
    """The YAML mapping of one device."""
    return next(d for d in data["devices"] if d["id"] == device_id)


def sample(
    dev: str, ts: float, point: str = "", quality: Quality = Quality.OK, **metrics: float | str
) -> list[Reading]:
    """One device's readings at one instant."""
    return [
        Reading(ts, PROJECT, dev, metric, value, quality=quality, point=point)
        for metric, value in metrics.items()
    ]


def run(engine: RuleEngine, batches: Iterable[list[Reading]], rule: str | None = None) -> list[RuleResult]:
    """Feed batches in order; the results (of one rule if given)."""
    out: list[RuleResult] = []
    for batch in batches:
        out.extend(r for r in engine.process(batch) if rule is None or r.rule == rule)
    return out


def levels(results: list[RuleResult]) -> list[str | None]:
    """The sequence of level changes (consecutive repeats collapsed)."""
    seq: list[str | None] = []
    for r in results:
        if not seq or seq[-1] != r.level:
            seq.append(r.level)
    return seq
