"""Issue 49 §1, as a new user tries it (the README's regulator quick start, the demo delivering to it): the
demo's platform-1 tilts with a failed safety lock, platform.lock fires critical citing 建质规〔2024〕5号
第九条(五), and the regulator's queue files it 重大事故隐患 with that article and item, where before it
said 一般隐患. Everything is the real CLI as subprocesses: `sitegw regulator add-project`, `add-user`,
`serve`, and `sitegw demo --regulator-url`; the queue is read over HTTP as a regulator signed in.

Every other hazard the demo delivers whose clause cites an item of the criteria is checked the same way.
A demo run of ~50 s makes this slow; tests/regulator/test_classification_citation.py keeps the same promise
in make test, over real HTTP with the rules' own clauses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_gateway_kill import PROJECT, REPO, cli
from tests.regulator.citations import first_item
from tests.support import free_port, wait_port

pytestmark = pytest.mark.slow

SECRET = "major-hazard-test-secret"
PASSWORD = "inspector-pass-49"
# platform-1's stall comes ~25 s in; the lock fails once the tilt has passed 8° for its grace
DURATION_S = "50"


def regulator_cli(*args: str, db: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "regulator", *args, "--db", db],
        cwd=REPO,
        check=True,
        timeout=60,
        capture_output=True,
        env={**os.environ, "REGULATOR_PASSWORD": PASSWORD},
    )


def test_the_demos_failed_platform_lock_is_a_major_hazard_at_the_regulator(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'regulator.sqlite'}"
    regulator_cli("add-project", PROJECT, "--name", "demo", "--city", "深圳", "--secret", SECRET, db=db)
    regulator_cli("add-user", "inspector", "--role", "regulator", "--all", db=db)
    port = free_port()
    # the inspector signs in with a password alone: the second factor is tests/regulator/test_second_factor.py's
    receiver = cli("regulator", "serve", "--port", str(port), "--db", db, "--optional-second-factor")
    try:
        wait_port(port, timeout=30)
        url = f"http://127.0.0.1:{port}"
        demo = cli(
            "demo", "--port", "0", "--no-cameras", "--state-dir", str(tmp_path / "state"),
            "--duration", DURATION_S, "--regulator-url", url, "--regulator-secret", SECRET,
        )  # fmt: skip
        out, _ = demo.communicate(timeout=180)
        assert demo.returncode == 0, out
        with httpx.Client(base_url=url, timeout=30) as reg:
            r = reg.post("/ui/api/login", json={"username": "inspector", "password": PASSWORD})
            assert r.status_code == 200, r.text
            r = reg.get("/ui/api/hazards", params={"state": "all", "page_size": 200})
            assert r.status_code == 200, r.text
            hazards = r.json()["hazards"]
    finally:
        receiver.kill()
        receiver.wait(10)

    [lock] = [h for h in hazards if h["rule"] == "platform.lock"]
    assert "第九条(五)" in lock["clause"] and lock["level"] == "critical", lock
    said = (
        lock["classification"],
        lock["classification_name"],
        lock["article"],
        lock["item"],
        lock["citation"],
    )
    assert said == ("major", "重大事故隐患", "第九条", "（五）", "建质规〔2024〕5号 第九条（五）"), lock
    for h in hazards:
        cites = first_item(h["clause"])
        if cites:
            assert (h["classification"], h["article"], h["item"]) == (
                "major",
                f"第{cites[1]}条",
                f"（{cites[2]}）",
            ), (h["rule"], h["clause"], h["classification"], h["citation"])
