"""sitegw as an edge box installs it: from the built wheel, without the regulator extra.

The wheel must carry what runs (the built-in device profiles and the example site, found through the
package; the int8 models and their card; the dashboard's and the regulator's static files) and nothing
of the model training. Installed in a fresh virtual environment, with pip resolving the dependencies from
the registry as on a site box, `sitegw check-config` reads the packaged example site and `sitegw demo`
runs the simulated site, saying how to get the embedded regulator it leaves out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from contract import __version__

# minutes of the suite's time (mypyc compiles the rules, pip installs the dependencies from PyPI): out of
# make test, in its own CI step (make test-packaging, .ci/run); the wheel's build is the first test's setup,
# so the tests' time limit takes it in
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3000)]

REPO = Path(__file__).resolve().parents[2]
# the installed wheel alone: a developer's shell may put the checkout on the path (PYTHONPATH), and pip would
# then take the checkout's build metadata for an installed sitegw and install nothing
OUTSIDE = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",  # built in isolation, with the build-system's own setuptools
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        timeout=2400,  # mypyc compiles the rules: 2.5 CPU-minutes, 4.5 minutes on 2 shared cores, 15+ when busy
    )
    (found,) = out.glob("sitegw-*.whl")
    keep = os.environ.get("SITEGW_WHEEL_DIR")
    if keep:
        # the images' build takes this very wheel (make test-packaging leaves it in dist/ for make image-smoke,
        # .ci/run) rather than compiling the rules a second time; an older build's wheel would be ambiguous
        kept = Path(keep)
        kept.mkdir(parents=True, exist_ok=True)
        for old in kept.glob("sitegw-*.whl"):
            old.unlink()
        shutil.copy2(found, kept / found.name)
    return found


def test_the_wheel_carries_what_runs_and_nothing_of_the_training(wheel: Path) -> None:
    assert wheel.name.startswith(f"sitegw-{__version__}-"), f"{wheel.name} is not release {__version__}"
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "kinds/crane/profiles/tower_crane_blackbox.yaml",
        "kinds/pit/profiles/pit_dau.yaml",
        "kinds/anemometer/profiles/anemometer_rs485.yaml",
        "config/examples/site.yaml",
        "vision/models/helmet.onnx",
        "vision/models/helmet_cls.onnx",
        "vision/models/helmet.json",
        "vision/models/persons.onnx",
        "vision/models/PERSONS_LICENSE.txt",
        "gateway/api/static/index.html",
        "gateway/api/static/dashboard.js",
        "regulator/migrations/versions/0001_regulator_service.py",
        "sitegw/cli.py",
        "rules/compiled_from.json",
    ):
        assert needed in names, f"{needed} is missing from {wheel.name}"
    compiled = [n for n in names if n.startswith("rules/") and n.endswith(".so")]
    assert "rules/engine.py" in names and any(n.startswith("rules/engine.") for n in compiled), compiled
    shipped_training = sorted(
        n for n in names if n.startswith("training/") or n.endswith((".log", "_fp32.onnx")) or "/split/" in n
    )
    assert shipped_training == [], f"training material in the wheel: {shipped_training}"


@pytest.fixture(scope="module")
def edge_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("edge-venv")
    venv.create(home, with_pip=True)
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=600, env=OUTSIDE)
    return home


def test_an_edge_install_has_no_regulator_dependencies_and_says_how_to_get_them(edge_venv: Path) -> None:
    python = str(edge_venv / "bin" / "python")
    for module in ("sqlalchemy", "alembic", "psycopg", "boto3"):
        probe = subprocess.run(
            [python, "-c", f"import {module}"], capture_output=True, timeout=60, env=OUTSIDE, cwd=edge_venv
        )
        assert probe.returncode != 0, f"{module} was installed without the regulator extra"
    run = subprocess.run(
        [str(edge_venv / "bin" / "sitegw"), "regulator", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=OUTSIDE,
        cwd=edge_venv,
    )
    assert run.returncode != 0
    assert "pip install 'sitegw[regulator]'" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr


def test_the_packaged_example_site_checks_and_the_demo_runs(edge_venv: Path, tmp_path: Path) -> None:
    # every command runs outside the checkout, so that nothing is imported from the source tree
    sitegw = str(edge_venv / "bin" / "sitegw")
    python = str(edge_venv / "bin" / "python")
    example = subprocess.run(
        [python, "-c", "from config import EXAMPLE_SITE; print(EXAMPLE_SITE)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=OUTSIDE,
        cwd=tmp_path,
    ).stdout.strip()
    assert str(edge_venv) in example, "the example site must come from the installed package"
    engine = subprocess.run(
        [python, "-c", "import rules.engine; print(rules.engine.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=OUTSIDE,
        cwd=tmp_path,
    ).stdout.strip()
    assert engine.endswith(".so"), f"the installed rules are not the compiled ones: {engine}"
    said = subprocess.run(
        [sitegw, "--version"], capture_output=True, text=True, timeout=60, env=OUTSIDE, cwd=tmp_path
    )
    assert said.stdout == f"sitegw {__version__}\n", said.stdout + said.stderr
    check = subprocess.run(
        [sitegw, "check-config", example],
        capture_output=True,
        text=True,
        timeout=60,
        env=OUTSIDE,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    summary = tmp_path / "summary.json"
    demo = subprocess.run(
        [
            sitegw,
            "demo",
            "--duration",
            "25",
            "--port",
            "0",
            "--state-dir",
            str(tmp_path / "state"),
            "--summary-json",
            str(summary),
            "--no-cameras",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=OUTSIDE,
        cwd=tmp_path,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "sitegw[regulator]" in demo.stdout, "the demo must say how to get its embedded regulator"
    counts = json.loads(summary.read_text(encoding="utf-8"))
    assert counts["readings_total"] > 100
    assert {"crane-1", "crane-2", "anemo-1", "pit-1"} <= set(counts["readings"])
    assert counts["alerts"]["alerts"] >= 1, "the scripted scenarios raise alerts"
