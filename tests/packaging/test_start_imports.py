"""What `sitegw run` holds from its start: not the modules of the commands it is not (issue #55).

A gateway keeps every module it imported for as long as it runs, on an edge box sharing 1-2 GB with the
camera software. The command line builds its other commands only when one is asked for (sitegw/cli_lazy.py),
and httpx's own command-line client stays out (sitegw/__init__.py); `sitegw --help` still lists every command
(tests/kinds/test_kind_lists.py).

The regulator's server leaves the PDF library (fpdf, a fifth of its imports) to its first PDF: its start is
what a restart, and every regulator a test starts in a process of its own, waits for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# the simulators (pymodbus's server side), the users' password hashing, the vision and the regulator's
# commands, the backup's archives, httpx's command-line client with rich's syntax highlighting
NOT_AT_START = (
    "sitegw.simulate_modbus_cli",
    "sitegw.simulate_mqtt_cli",
    "sitegw.simulate_device_cli",
    "drivers.simulators",
    "argon2",
    "vision.cli",
    "regulator.cli",
    "sitegw.backup_cli",
    "httpx._main",
    "pygments",
)


def held_after(imports: str) -> set[str]:
    """The modules a fresh Python holds after ``import {imports}``."""
    code = f"import sys, {imports}; print('\\n'.join(n for n, m in sys.modules.items() if m is not None))"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        check=True,
    )
    return set(run.stdout.split())


def test_the_gateway_s_command_line_imports_no_other_command_s_modules() -> None:
    # what `sitegw run` has imported when it starts the gateway: the command line and the gateway's runtime
    held = held_after("sitegw.cli, sitegw.runner")
    assert [m for m in NOT_AT_START if m in held] == []


def test_the_regulator_s_server_starts_without_the_pdf_library() -> None:
    # what `sitegw regulator serve` has imported when it serves: its command, the workers' app factory
    held = held_after("regulator.cli, regulator.asgi, regulator.server")
    assert [m for m in ("fpdf", "plumbing.cjk_pdf") if m in held] == []
