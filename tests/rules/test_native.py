"""The compiled rules are the rules: built by mypyc from the same sources (setup.py), they and the alert
manager compiled beside them must give what the sources give, and a compiled module whose source changed since
is refused with the fix.

The shortcut checks of test_fast_paths.py replace methods of the rules' objects, which compiled
classes refuse: they run here on the sources (SITEGW_PURE_PYTHON=1), in a process of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plumbing import compiled_guard
from plumbing.compiled_guard import COMPILED_FROM
from tests.rules.native import COMPILED

ROOT = Path(__file__).resolve().parents[2]
GUARD = Path(compiled_guard.__file__)
needs_compiled = pytest.mark.skipif(not COMPILED, reason="the rules are not compiled here: run `make native`")

# the replay of the bench's example-site hour and new devices' hour, each event as JSON (its random id left out)
REPLAY = """
import sys
from bench.rules_replay import SITE, new_device_batches, site_batches
from contract.config import load_site
from sitegw.replay import replay
import gateway.alerts.manager
import rules.engine
site = load_site(SITE)
for batches in (site_batches(0.5), new_device_batches(0.5)):
    flat = [r for b in batches for r in b]
    replay(site, flat, lambda e: print(e.model_dump_json(exclude={"event_id"})))
print(rules.engine.__file__, gateway.alerts.manager.__file__, file=sys.stderr)
"""


def run_python(code: str, pure: bool, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "SITEGW_PURE_PYTHON": "1" if pure else "0"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )


def linked_tree(where: Path) -> Path:
    """The checkout as links to its files, but for a copy of the compiled modules' record and of the guard that
    reads it (its root is where it lies): a record changed there is this tree's alone. The checkout's own is
    read by every gateway the other tests start meanwhile, which a changed record stops."""
    tree = where / "tree"
    tree.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("rules", "plumbing"):
            (tree / entry.name).symlink_to(entry)
    for kept in (COMPILED_FROM, GUARD):
        (tree / kept.parent.name).mkdir(exist_ok=True)
        for entry in kept.parent.iterdir():
            if entry.name not in (COMPILED_FROM.name, GUARD.name):
                (tree / kept.parent.name / entry.name).symlink_to(entry)
        shutil.copy(kept, tree / kept.parent.name / kept.name)
    return tree


@needs_compiled
def test_compiled_rules_give_the_alerts_of_their_sources() -> None:
    compiled, pure = run_python(REPLAY, pure=False), run_python(REPLAY, pure=True)
    assert compiled.returncode == 0 and pure.returncode == 0, compiled.stderr + pure.stderr
    # the rules and the alert manager compiled, or both from their sources
    assert [Path(f).suffix for f in compiled.stderr.split()[-2:]] == [".so", ".so"], compiled.stderr
    assert [Path(f).name for f in pure.stderr.split()[-2:]] == ["engine.py", "manager.py"], pure.stderr
    events = compiled.stdout.splitlines()
    assert len(events) > 100 and {json.loads(e)["state"] for e in events} >= {"firing", "resolved"}
    assert events == pure.stdout.splitlines()


@needs_compiled
def test_the_venvs_command_outside_the_checkout_runs_the_compiled_rules(tmp_path: Path) -> None:
    # as `make demo` starts it: the venv's `sitegw`, whose path has neither the checkout nor its top level
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SITEGW_PURE_PYTHON")}
    sitegw = Path(sys.executable).parent / "sitegw"
    check = subprocess.run(
        [str(sitegw), "check-config", str(ROOT / "config" / "examples" / "site.yaml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import rules.engine; print(rules.engine.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert where.returncode == 0 and where.stdout.strip().endswith(".so"), where.stdout + where.stderr


@needs_compiled
def test_a_compiled_rule_whose_source_changed_is_refused_with_the_fix(tmp_path: Path) -> None:
    tree = linked_tree(tmp_path)
    assert (
        run_python("import rules", pure=False, root=tree).returncode == 0
    )  # the record as the build left it
    record = tree / "rules" / COMPILED_FROM.name
    digests = json.loads(record.read_text(encoding="utf-8"))
    digests["kinds/crane/load.py"] = "0" * 64  # as if crane_load.py had been edited after the build
    record.write_text(json.dumps(digests), encoding="utf-8")
    refused = run_python("import rules", pure=False, root=tree)
    pure = run_python("import kinds.crane.load as m; print(m.__file__)", pure=True, root=tree)
    assert refused.returncode == 1
    assert "kinds/crane/load.py changed after the rules were compiled: run `make native`" in refused.stderr
    assert pure.returncode == 0 and pure.stdout.strip() == str(tree / "kinds" / "crane" / "load.py")
    assert json.loads(COMPILED_FROM.read_text(encoding="utf-8"))["kinds/crane/load.py"] != "0" * 64


@needs_compiled
@pytest.mark.slow  # every shortcut probe from the sources: minutes; make test-long
@pytest.mark.timeout(900)
def test_the_shortcut_checks_pass_on_the_rules_sources() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SITEGW_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/rules/test_fast_paths.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
