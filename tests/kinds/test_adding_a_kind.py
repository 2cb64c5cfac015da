"""The guide is the test: docs/contributing/adding-a-kind.md followed to the letter on a copy of the tree.

Its "Start from the scaffold" commands are run as written, its registry line is added to
``contract.kinds.registry.BUILTIN`` as it says, and its README written; then every part of sitegw must know
the new kind (the site file and its profile, `sitegw kinds`, the judge in `sitegw replay`, the simulator,
its card, the compiled modules, the wheel's files), and no file outside the kind's folder may differ from the tree's
but the registry, by that one line. A step the guide names that stops being true fails here.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "contributing" / "adding-a-kind.md"
REGISTRY = "contract/kinds/registry.py"
KIND = "scaffold"  # the name the guide's commands use
FOLDER = f"kinds/{KIND}"
LEFT_OUT = (
    "training/",
    "docs/",
    "bench/",
    "deploy/",
    "vision/models/",
)  # not read by the steps or the checks


def guide_steps() -> tuple[str, str]:
    """The guide's commands (its ``sh`` block under "Start from the scaffold") and its registry line."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### Start from the scaffold") :]
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    block = re.search(r"```python\n(.*?)```", section, re.S)
    line = block and re.search(r'^ +"kinds\.\w+\.kind",$', block.group(1), re.M)
    assert commands and line, "the guide's 'Start from the scaffold' lost its commands or its registry line"
    return commands.group(1), line.group(0)


def tracked(root: Path) -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tree to copy is unknown")
    keep = [f for f in listed.stdout.splitlines() if not f.startswith(LEFT_OUT) and (root / f).is_file()]
    return [f for f in keep if not f.startswith("tests/") or f.startswith("tests/kinds/plugin/")]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    """A copy of the tree with the guide's steps done: (its root, the files copied, the registry line)."""
    root = tmp_path_factory.mktemp("tree")
    files = tracked(REPO)
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / f, root / f)
    commands, line = guide_steps()
    done = subprocess.run(
        ["bash", "-e", "-c", commands], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"the guide's commands fail: {done.stderr}"
    registry = root / REGISTRY
    text = registry.read_text(encoding="utf-8")
    start = text.index("BUILTIN = (\n")
    end = text.index("\n)\n", start)
    registry.write_text(text[:end] + "\n" + line + text[end:], encoding="utf-8")
    (root / FOLDER / "README.md").write_text(
        "# Climbing scaffold (`scaffold`, 附着式升降脚手架)\n", encoding="utf-8"
    )
    return root, files, line


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(root), "SITEGW_PURE_PYTHON": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def sitegw(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(root, "-m", "sitegw.cli", "--log-level", "WARNING", *args)


def test_nothing_outside_the_kind_folder_changes_but_the_registry_line(
    tree: tuple[Path, list[str], str],
) -> None:
    root, files, line = tree
    changed = [f for f in files if (root / f).read_bytes() != (REPO / f).read_bytes()]
    changed = [f for f in changed if not f.startswith(FOLDER + "/")]
    assert changed == [REGISTRY], f"the guide's steps changed {changed}: only {REGISTRY} may change"
    before = (REPO / REGISTRY).read_text(encoding="utf-8").splitlines()
    after = (root / REGISTRY).read_text(encoding="utf-8").splitlines()
    added = [d for d in difflib.ndiff(before, after) if d[:1] in "+-"]
    assert added == ["+ " + line], added
    made = sorted(p.relative_to(root).as_posix() for p in (root / FOLDER).rglob("*") if p.is_file())
    assert {f"{FOLDER}/kind.py", f"{FOLDER}/judge.py", f"{FOLDER}/sim.py", f"{FOLDER}/site.yaml"} <= set(made)


def test_the_declaration_imports_only_the_contract(tree: tuple[Path, list[str], str]) -> None:
    root, _, _ = tree
    module = ast.parse((root / FOLDER / "kind.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(module) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(module) if isinstance(n, ast.ImportFrom)}
    assert {m.partition(".")[0] for m in imported} <= {"__future__", "typing", "pydantic", "contract"}, (
        imported
    )


def test_every_part_of_sitegw_knows_the_kind(tree: tuple[Path, list[str], str], tmp_path: Path) -> None:
    root, _, _ = tree
    listed = sitegw(root, "kinds")
    assert "scaffold  附着式升降脚手架 (climbing scaffold)" in listed.stdout, listed.stdout + listed.stderr

    # its sample entry is a site file's device, its profile found by name in its folder (no profiles_dir)
    devices = yaml.safe_load((root / FOLDER / "site.yaml").read_text(encoding="utf-8"))
    site = tmp_path / "site.yaml"
    project = {"code": "GD-SZ-2026-0099", "name": "指南测试项目", "city": "深圳", "district": "南山区"}
    site.write_text(yaml.safe_dump({"project": project, "devices": devices}, allow_unicode=True), "utf-8")
    checked = sitegw(root, "check-config", str(site))
    assert checked.returncode == 0 and "configuration OK" in checked.stdout, checked.stdout + checked.stderr

    # judged by its judge: a recorded overload replayed
    readings = tmp_path / "readings.csv"
    readings.write_text("ts,device,point,metric,value\n" + "".join(
        f"{1795222800 + i},scaffold-1,,load_kn,{v}\n" for i, v in enumerate([20, 46, 51, 30])))  # fmt: skip
    out = tmp_path / "alerts.jsonl"
    replayed = sitegw(root, "replay", str(site), "--readings", str(readings), "--out", str(out))
    assert replayed.returncode == 0, replayed.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["rule"], e["level"]) for e in events][:2] == [
        ("scaffold.load", "warning"),
        ("scaffold.load", "alarm"),
    ]

    # simulated: its simulator is found by the name its declaration gives
    sim = run(root, "-c", "from contract.config import load_site; from contract.kinds import registry; "
              "print(registry.resolve(registry.get('scaffold').simulator).__module__)")  # fmt: skip
    assert sim.stdout.strip() == "kinds.scaffold.sim", sim.stderr

    # drawn on its own card: named by its declaration, its script beside it
    card = run(root, "-c", "from contract.config import load_site; from contract.kinds import registry; "
               "from contract.kinds.card import card_of, script_path; "
               "k = registry.get('scaffold'); print(card_of(k).__module__, card_of(k).name, script_path(k).parent.name)")  # fmt: skip
    assert card.stdout.split() == ["contract.kinds.card", "scaffold", "scaffold"], card.stderr


def test_the_build_takes_the_kind(tree: tuple[Path, list[str], str]) -> None:
    root, _, _ = tree
    # compiled: setup.py's list of mypyc sources has its judge (the declaration and simulator stay Python)
    setup = (root / "setup.py").read_text(encoding="utf-8")
    scope: dict[str, object] = {"__file__": str(root / "setup.py")}
    exec(setup[: setup.index('if os.environ.get("SITEGW_PURE_PYTHON")')], scope)  # its definitions only
    sources = scope["native_sources"]()  # type: ignore[operator]
    assert f"{FOLDER}/judge.py" in sources and f"{FOLDER}/kind.py" not in sources
    assert f"{FOLDER}/card.py" not in sources  # pydantic models, the API's view: not the rules' hot path
    # packaged: the wheel's package data for kinds takes its profile, README and sample entry
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    assert any(fnmatch.fnmatch("kinds", p) for p in setuptools["packages"]["find"]["include"])
    patterns = setuptools["package-data"]["kinds"]
    for data in ("profiles/scaffold_monitor.yaml", "README.md", "site.yaml", "card.js"):
        assert any(fnmatch.fnmatch(f"{KIND}/{data}", p) for p in patterns), (data, patterns)
