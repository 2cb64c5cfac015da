"""Schemathesis against the regulator's API with each role's session and with none (issue #19).

As tests/api/test_openapi_roles.py does for the gateway: every documented operation gets property-based
requests (valid and invalid) over real HTTP as an admin, a regulator, a project user and an anonymous
client; every answer must match the document (no server error, documented statuses and schemas), and no
request may do more than its role allows (regulator/ledger/review.py's TRANSITIONS, README's regulator roles):
without a session only the page, the health check and signing in answer 2xx; the gateways' signed
endpoints never do for an unsigned request; a project user never writes but on its own project's hazards,
and never reads another project's hazard; only an admin registers projects and users.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from regulator.access.auth import Accounts
from regulator.routes.routing import COOKIE
from regulator.server import RegulatorServer
from tests.api.test_openapi import run_every_operation
from tests.regulator.support import PROJECT, SECRET, ThreadedRegulator, make_event, signed
from tests.support import schema_examples

OTHER, OTHER_SECRET = "GD-SZ-2026-0002", "other-secret-for-tests"
EXAMPLES = schema_examples()  # per operation and role
EXCLUDED = ["/ui/api/logout"]  # it would end the session the other requests use
PUBLIC = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("POST", "/ui/api/login"),
    ("GET", "/ui/channels.js"),  # the page's script: no data in it
    ("GET", "/ui/safety-logs"),  # the safety logs' page: no data in it (its API needs a session)
    # the public's report form (regulator/channels/public.py): anyone, limited per address and in all
    ("GET", "/public/report"),
    ("GET", "/public/api/districts"),
    ("POST", "/public/api/reports"),
    ("GET", "/public/api/draws"),  # the published 双随机 draws (regulator/inspections/draws.py): 一公开
    ("GET", "/public/api/enforcement"),  # the penalties, 约谈, 通报 marked public (enforcement_records.py)
    ("GET", "/public/api/page"),  # the bureau's public page (regulator/inspections/public_page.py)
}
ADMIN_ONLY = {("POST", "/ui/api/projects"), ("POST", "/ui/api/users")}
EDITORS = {("PUT", "/ui/api/classifications"), ("DELETE", "/ui/api/classifications/{row_id}")}
RAN: dict[str, int] = {}


class Regulator:
    """The running regulator, its two projects' first hazards, and a session cookie per role."""

    def __init__(self, server: RegulatorServer) -> None:
        self.url = server.base_url + "/"
        self.hazards: dict[str, int] = {}
        for project, secret in ((PROJECT, SECRET), (OTHER, OTHER_SECRET)):
            body = make_event(project=project).model_dump_json().encode()
            r = httpx.post(
                server.base_url + "/api/v1/events",
                content=body,
                headers=signed("/api/v1/events", body, secret=secret, project=project),
            )
            assert r.status_code == 200, r.text
            self.hazards[project] = server.review.hazard_for_alert(project, "a1")  # type: ignore[assignment]
        self.headers = {"none": {}} | {
            role: {"Cookie": f"{COOKIE}={self.login(user)}"}
            for role, user in (("admin", "admin1"), ("regulator", "reg1"), ("project", "proj1"))
        }

    def login(self, username: str) -> str:
        r = httpx.post(self.url + "ui/api/login", json={"username": username, "password": "pass-" + username})
        assert r.status_code == 200, r.text
        return r.cookies[COOKIE]


@pytest.fixture(scope="module")
def regulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Regulator]:
    db = tmp_path_factory.mktemp("regulator") / "regulator.sqlite"
    with ThreadedRegulator(f"sqlite:///{db}", evidence_dir=Path(db).with_name("evidence")) as server:
        server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        server.repo.add_project(OTHER, "另一项目", "深圳", OTHER_SECRET)
        users = Accounts(server.repo)
        users.add_user("admin1", "pass-admin1", "admin")
        users.add_user("reg1", "pass-reg1", "regulator")
        users.add_user("proj1", "pass-proj1", "project", PROJECT)
        yield Regulator(server)


def allowed(role: str, method: str, path: str) -> bool:
    """Whether ``role`` (``none``: no session) may get a 2xx from ``method path``."""
    if (method, path) in PUBLIC:
        return True
    if role == "none" or path.startswith("/api/v1/"):  # the gateways' endpoints need a signature
        return False
    if role == "admin":
        return True
    if (method, path) in ADMIN_ONLY:
        return False
    if role == "regulator":
        return True
    # a project user reads, reports rectification on its own hazards and submits its self-checks; it edits
    # nothing else
    return method == "GET" or path in ("/ui/api/hazards/{hazard_id}/{action}", "/ui/api/self-checks")


def checker(regulator: Regulator, operation: schemathesis.APIOperation, role: str) -> Callable[[], None]:
    excluded = [schemathesis.checks.positive_data_acceptance]  # most of what a role sends is refused
    method, path = operation.method.upper(), operation.path

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            base_url=regulator.url.rstrip("/"),
            headers=regulator.headers[role],
            timeout=10,
            excluded_checks=excluded,
        )
        RAN[role] = RAN.get(role, 0) + 1
        if response.status_code >= 300:
            return
        assert allowed(role, method, path), f"{role} got {response.status_code} from {method} {path}"
        hazard = (case.path_parameters or {}).get("hazard_id")
        if role == "project" and hazard is not None:
            assert hazard == regulator.hazards[PROJECT], f"project user got another project's hazard {hazard}"

    return check


@pytest.mark.parametrize("role", ["admin", "regulator", "project", "none"])
def test_every_operation_answers_as_documented_and_within_the_role(regulator: Regulator, role: str) -> None:
    tested = run_every_operation(
        regulator.url, lambda operation: checker(regulator, operation, role), EXCLUDED, at_least=20
    )
    assert RAN[role] >= len(tested), "every operation was called"
    print(f"\nregulator API as {role}: {RAN[role]} cases over {len(tested)} operations")
    if role != "none":  # the session still works: nothing above ended it
        r = httpx.get(regulator.url + "ui/api/me", headers=regulator.headers[role], timeout=10)
        assert r.status_code == 200
