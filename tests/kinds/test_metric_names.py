"""Every metric a screen may show is named in Chinese by its kind's declaration (issue 52): the dashboard's
trend title, its generic card and the regulator read a metric's name, unit and English words from the kind
(contract/kinds/kind.py ``Metric``, served in /api/v1/site's ``kinds``), never from words of their own, so a
metric its kind does not declare, or declares without a Chinese name, is shown as a raw id (arc_alarm).

Checked for every registered kind, the shipped ones and a plug-in's (tests/kinds/plugin/scaffold_kind, in a
process of its own so that no other test sees it): each metric it declares, and each metric any rule reads
of one of its devices (the limit probes of tests/rules/test_all_clear.py: the metric that decides the rule
and the sample's other readings it judges it with)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from contract.kinds import registry
from contract.kinds.kind import Kind, Metric
from rules.probes import Probe

REPO = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _declared_in(kind: Kind) -> str:
    """Where the kind's declaration lives, for the fix a failure names."""
    folder = registry.folder(kind.name)
    return (
        str((folder / "kind.py").relative_to(REPO)) if folder and folder.is_relative_to(REPO) else kind.name
    )


def unnamed(kinds: Iterable[Kind], probes: Iterable[Probe], kind_of: Mapping[str, str]) -> list[str]:
    """Every metric of ``kinds`` a screen would show without a Chinese name, each with its kind and the fix:
    a declared metric whose ``zh`` is not Chinese, and a metric a probe's rule reads (``kind_of``: each
    device's kind) that the device's kind does not declare (a generic kind takes any metric its profile
    maps: its devices' names come from nowhere else, so it is not asked)."""
    by_name = {k.name: k for k in kinds}
    found: list[str] = []
    for kind in by_name.values():
        for m in kind.metrics:
            if not CHINESE.search(m.zh):
                found.append(
                    f"kind {kind.name}: metric {m.name}: zh {m.zh!r} is not Chinese: write the name screens "
                    f"show (起重量) in its Metric in {_declared_in(kind)}"
                )
    for p in probes:
        reads = [(p.device, p.metric), *((p.device, m) for m in p.context)]
        reads += [(dev, m) for dev, _, sample in (*p.setup, *p.companions) for m in sample]
        reads += [(dev, m) for _, dev, _, sample in p.earlier for m in sample]
        for device, metric in reads:
            kind = by_name.get(kind_of.get(device, ""))
            if kind is None or kind.open_metrics or kind.metric(metric) is not None:
                continue
            found.append(
                f"kind {kind.name}: metric {metric} (read by rule {p.rule} on {device}) is not declared: "
                f"add Metric({metric!r}, '<中文名>', '<unit>', '<English name>') to {_declared_in(kind)}"
            )
    return sorted(set(found))


def registered_problems() -> list[str]:
    """The problems of every kind this process registers, with the rules' probes of the probe site."""
    from tests.rules.test_all_clear import PROBES, SITE  # the probes are worked out at its import

    kind_of = {d.id: d.kind for d in SITE.config.devices}
    return unnamed(registry.kinds(), PROBES, kind_of)


def test_every_metric_a_kind_declares_or_a_rule_reads_has_a_chinese_name() -> None:
    problems = registered_problems()
    assert not problems, "\n".join(problems)


def test_a_plug_in_kinds_metrics_are_held_to_it_too() -> None:
    plugin = REPO / "tests" / "kinds" / "plugin"
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(REPO), str(plugin)]),
        "SITEGW_KINDS": "scaffold_kind",
    }
    code = (
        "from contract.kinds import registry; from tests.kinds.test_metric_names import registered_problems; "
        "print([m.name for m in registry.get('scaffold').metrics]); print(*registered_problems(), sep='\\n')"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert found.returncode == 0 and found.stdout.startswith("['"), found.stdout + found.stderr[-2000:]
    declared, *problems = found.stdout.splitlines()
    assert "load_kn" in declared and not any(problems), found.stdout  # its metrics checked, none unnamed


def test_an_unnamed_or_undeclared_metric_is_named_with_its_kind_and_the_fix() -> None:
    crane = registry.get("crane")
    bare = Kind(
        name="crane",
        zh=crane.zh,
        en=crane.en,
        device=crane.device,
        metrics=(*crane.metrics, Metric("sway_deg", "sway", "°", "sway")),
    )
    probe = Probe("crane.load", "crane-1", "load_t", (120.0,), 10.0, context={"hook_m": 3.0})
    assert unnamed([bare], [probe], {"crane-1": "crane"}) == [
        "kind crane: metric hook_m (read by rule crane.load on crane-1) is not declared: add "
        "Metric('hook_m', '<中文名>', '<unit>', '<English name>') to kinds/crane/kind.py",
        "kind crane: metric sway_deg: zh 'sway' is not Chinese: write the name screens show (起重量) in its "
        "Metric in kinds/crane/kind.py",
    ]
