"""Schemathesis against the gateway API with each role's token and with none (issue #19).

test_openapi.py sends property-based requests as an admin; here the same operations are sent as
a viewer, a supervisor and with no token at all (anonymous reading off, as a production site on a
shared LAN runs). Every answer must match the document (no server error, documented statuses), and
no request may do more than its role allows: nothing but logging in and the liveness probe answers 2xx
without a token, a viewer's writes and a supervisor's user or token administration are all refused.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.site import RunningSite
from tests.api.test_openapi import run_every_operation
from tests.support import schema_examples

EXAMPLES = schema_examples()  # per operation and role
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ADMIN_ONLY = ("/api/v1/users", "/api/v1/tokens")
LOGIN = "/api/v1/auth/login"
HEALTHZ = "/healthz"  # status and release only: nothing of the site
RAN: dict[str, int] = {}


def allowed(role: str, method: str, path: str) -> bool:
    """Whether ``role`` (``none``: no token) may get a 2xx from ``method path`` (README, Users and roles)."""
    if path in (LOGIN, HEALTHZ):
        return True  # anyone may try a password (a wrong one is 401) or probe liveness
    if role == "none":
        return False
    if path.startswith(ADMIN_ONLY):
        return False  # both roles here are below admin
    return method not in WRITES or role == "supervisor"


def checker(operation: schemathesis.APIOperation, role: str, headers: dict[str, str]) -> Callable[[], None]:
    excluded = [schemathesis.checks.positive_data_acceptance]  # most of what a role sends is refused
    if role == "none":
        excluded.append(schemathesis.checks.ignored_auth)  # it sends its own token-less requests

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, timeout=10, excluded_checks=excluded)
        RAN[role] = RAN.get(role, 0) + 1
        if response.status_code < 300:
            assert allowed(role, operation.method.upper(), operation.path), (
                f"{role} got {response.status_code} from {operation.method.upper()} {operation.path}"
            )

    return check


@pytest.fixture(scope="module")
def role_headers(site: RunningSite) -> dict[str, dict[str, str]]:
    """Every role's token, taken before the generated logins' wrong passwords trip the throttle."""
    return {"viewer": site.login("viewer1"), "supervisor": site.login("super1"), "none": {}}


@pytest.mark.parametrize("role", ["viewer", "supervisor", "none"])
def test_every_operation_answers_as_documented_and_within_the_role(
    site: RunningSite, role_headers: dict[str, dict[str, str]], role: str
) -> None:
    site.gw.auth.anonymous_read = False  # type: ignore[union-attr]
    try:
        headers = role_headers[role]
        tested = run_every_operation(site.url, lambda operation: checker(operation, role, headers))
        assert RAN[role] >= len(tested), "every operation was called"
        if role != "none":  # the token still works: nothing above logged it out
            assert httpx.get(site.url + "api/v1/auth/me", headers=headers, timeout=10).status_code == 200
    finally:
        site.gw.auth.anonymous_read = True  # type: ignore[union-attr]
