"""The demo's banner names its embedded regulator's address; that receiver has no user, so its review UI
was a sign-in page nobody could pass. The banner's line says the command that makes one, and that command,
run as printed against the receiver's ledger, lets a reviewer sign in and see the site's hazards."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx

from contract.config.uplinks import RegulatorUplink
from regulator.server import RegulatorServer
from sitegw.demo import DemoOptions, embedded_db, regulator_line

REPO = Path(__file__).resolve().parents[2]


async def test_the_banner_says_how_to_sign_in_to_the_embedded_regulator(tmp_path: Path) -> None:
    opts = DemoOptions(state_dir=tmp_path / "demo")
    opts.state_dir.mkdir()
    server = RegulatorServer(embedded_db(opts))
    await server.start()
    try:
        uplink = RegulatorUplink(name="regulator", base_url=server.base_url, secret="s" * 32)
        line = regulator_line(uplink, opts)
        assert line.startswith(f"{server.base_url} (embedded receiver"), line
        command = shlex.split(line.split("there: ", 1)[1].rstrip(")").replace("NAME", "reviewer"))
        assert command[:3] == ["sitegw", "regulator", "add-user"], command
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "sitegw.cli", *command[1:], "--password", "change-me-now"],
            cwd=tmp_path,  # the printed path is absolute: it works from any folder
            env=os.environ | {"PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        found = re.search(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b", done.stdout)  # the 绑定码 it printed
        assert found, done.stdout
        code = found.group()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            signed = await client.post(
                "/ui/api/login", json={"username": "reviewer", "password": "change-me-now"}
            )
            assert signed.status_code == 200, signed.text
            enrol = await client.post("/ui/api/second-factor", json={"enrolment_code": code})
            assert enrol.status_code == 200, enrol.text
    finally:
        await server.stop()
    given = DemoOptions(state_dir=opts.state_dir, regulator_url="http://127.0.0.1:8700")
    assert regulator_line(uplink, given) == f"{server.base_url} (given receiver)"
