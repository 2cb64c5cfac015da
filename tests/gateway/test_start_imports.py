"""What the edge box loads at start: the heavy document libraries only when a document is made, the compiled
rules of the site's own kinds only, and no terminal formatting.

fpdf with Pillow and fontTools cost the gateway 40 MB; imported by the safety log's routes at start they
took the ingest burst past its 150 MB ceiling (tests/bench/test_ingest_burst.py). A compiled library is mapped
and initialised whole as soon as one of its modules is imported: one for every kind cost a pit-only gateway
2 MB more than the rules' and the pit's (setup.py ``native_groups``), and rich 2.6 MB more, for a command that
prints nothing while it runs (issue #55's memory budget, bench/memory_budget.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.rules.native import COMPILED

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fpdf", "PIL", "fontTools", "openpyxl")


def test_the_gateway_starts_without_the_document_libraries() -> None:
    code = (
        "import sys, sitegw.runtime, gateway.api.app, sitegw.cli\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_pit_site_loads_its_own_kinds_compiled_rules_and_no_rich(tmp_path: Path) -> None:
    devices = yaml.safe_load((ROOT / "kinds" / "pit" / "site.yaml").read_text(encoding="utf-8"))
    site = {
        "project": {"code": "B-0001"},
        "mqtt_brokers": {"site": {"host": "127.0.0.1"}},
        "devices": devices,
    }
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    code = (
        "import sys, sitegw.cli, sitegw.runtime, gateway.api.app\n"
        "from contract.config.loader import load_site\n"
        "from rules import RuleEngine\n"
        f"RuleEngine(load_site({str(tmp_path / 'site.yaml')!r}))  # what `sitegw run` checks and judges with\n"
        "from gateway.api.site_views import site_view_model\n"
        "site_view_model()  # the site's JSON model, every kind's card in it, as the API's routes are built\n"
        "print(sorted(m for m in sys.modules if m.endswith('native__mypyc')))\n"
        "print('rich' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    libraries = ["kinds.pit.native__mypyc", "rules.native__mypyc"] if COMPILED else []
    assert done.stdout.splitlines() == [str(libraries), "False"], done.stdout + done.stderr
