"""The tests' apps share FastAPI's parameter validators (tests/field_adapters.py): an app built so answers as
one built as the product builds it. Its OpenAPI document (every parameter's type, constraints and default)
is the same as a regulator's built in a fresh Python, and a shared parameter still refuses what it did."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from regulator.server import RegulatorServer

REPO = Path(__file__).resolve().parents[1]


def test_a_regulator_built_with_shared_validators_documents_what_the_product_builds(tmp_path: Path) -> None:
    code = (
        "import json, sys; from regulator.server import RegulatorServer; "
        "app = RegulatorServer(sys.argv[1], evidence_dir=sys.argv[2])._app; print(json.dumps(app.openapi()))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "fresh.sqlite"), str(tmp_path / "fresh")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    for n in range(2):  # the second built from the validators the first made
        shared = RegulatorServer(tmp_path / f"r{n}.sqlite", evidence_dir=tmp_path / f"e{n}")._app.openapi()
        assert shared == json.loads(fresh.stdout)


def test_parameters_alike_but_for_a_limit_keep_their_own_limits() -> None:
    app = FastAPI()

    @app.get("/small")
    def small(n: int = Query(0, ge=0, le=10)) -> int:
        return n

    @app.get("/large")
    def large(n: int = Query(0, ge=0, le=1000)) -> int:
        return n

    client = TestClient(app)
    assert client.get("/small", params={"n": 500}).status_code == 422
    assert client.get("/large", params={"n": 500}).json() == 500
