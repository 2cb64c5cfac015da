"""What the edge box loads at start: the heavy document libraries only when a document is made.

fpdf with Pillow and fontTools cost the gateway 40 MB; imported by the safety log's routes at start they
took the ingest burst past its 150 MB ceiling (tests/bench/test_ingest_burst.py)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("fpdf", "PIL", "fontTools", "openpyxl")


def test_the_gateway_starts_without_the_document_libraries() -> None:
    code = (
        "import sys, sitegw.runtime, gateway.api.app, sitegw.cli\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
