"""The demo's gateway delivers its hazards to a separately running `sitegw regulator serve`, both
started through the real CLI as subprocesses, and they reach the regulator's review queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from regulator.auth import Accounts
from regulator.storage import Repository
from tests.support import free_port, wait_port

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DEMO_PROJECT = "GD-SZ-2026-0001"  # config/examples/site.yaml
SECRET = "demo-secret-for-the-test"


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_demo_gateway_delivers_to_regulator_serve(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/regulator.sqlite"
    added = cli(
        "regulator",
        "add-project",
        DEMO_PROJECT,
        "--name",
        "演示项目",
        "--city",
        "深圳",
        "--secret",
        SECRET,
        "--db",
        db,
    )
    out, _ = added.communicate(timeout=60)
    assert added.returncode == 0, out
    repo = Repository(db)
    Accounts(repo, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).add_user(
        "li.jian", "correct horse", "regulator"
    )
    repo.close()
    port = free_port()
    serve = cli("regulator", "serve", "--port", str(port), "--db", db)
    demo = None
    try:
        wait_port(port, timeout=30)
        url = f"http://127.0.0.1:{port}"
        demo = cli(
            "demo",
            "--duration",
            "25",
            "--port",
            "0",
            "--state-dir",
            str(tmp_path / "demo"),
            "--regulator-url",
            url,
            "--regulator-secret",
            SECRET,
            "--summary-json",
            str(tmp_path / "summary.json"),
        )
        out, _ = demo.communicate(timeout=120)
        assert demo.returncode == 0, out
        with httpx.Client(base_url=url, timeout=10) as reg:
            assert (
                reg.post(
                    "/ui/api/login", json={"username": "li.jian", "password": "correct horse"}
                ).status_code
                == 200
            )
            hazards = reg.get("/ui/api/hazards", params={"state": "all", "project": DEMO_PROJECT}).json()[
                "hazards"
            ]
            rules = {h["rule"] for h in hazards}
            assert "crane.load" in rules, (rules, out[-3000:])  # crane-1 runs the overload scenario
            overview = reg.get("/ui/api/overview").json()
            while overview["by"] != "project":  # per city, per district: opened down to the demo's project
                [area] = overview["areas"]
                overview = reg.get("/ui/api/overview", params={"place": area["path"]}).json()
            [project] = overview["projects"]
            assert project["offline"] is False and project["open"] == len(hazards)
            detail = reg.get(f"/ui/api/hazards/{hazards[0]['id']}").json()
            assert detail["events"] and detail["clause"]
            # the gate camera's first analysed picture is on the patrol wall with its findings
            wall = reg.get("/ui/api/patrol", params={"project": DEMO_PROJECT}).json()
            [gate] = [t for t in wall["tiles"] if t["camera"] == "cam-gate"]
            print("patrol tile of the demo's gate camera:", gate)
            findings = gate["findings"]
            assert (
                set(findings["zones"]) == {"hoist-entrance"} and findings["heads"] >= findings["bare_heads"]
            )
            assert gate["status"] == "ok" and gate["age_s"] < 60
            # the gateway's run summary counts it (as /api/v1/health does)
            patrol = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["patrol"]
            assert patrol["regulator"]["sent"] >= 1 and patrol["regulator"]["waiting"] == 0
            picture = reg.get(gate["picture"])
            assert picture.headers["content-type"] == "image/jpeg" and picture.content[:2] == b"\xff\xd8"
    finally:
        for proc in (demo, serve):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if serve.stdout:
            serve.stdout.close()
