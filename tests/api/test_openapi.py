"""The OpenAPI document against the real app: schemathesis sends property-based requests (valid
and invalid) to every operation over real HTTP and checks every answer against the document:
no server error, documented status codes, content types, headers and response schemas, and no
operation that ignores its authentication.

Reading needs a token here (anonymous reading off, as a production site would run), so the
document's security scheme is what the app enforces. The SSE stream is left out: it never ends,
by design (tests/api/test_live.py covers it); logout is left out because it would end the token
the other requests use. Schemathesis' pytest plugin does not run under this pytest, so its
engine is driven through Hypothesis here, one operation after another.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.site import RunningSite

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

EXCLUDED = ["/api/v1/stream", "/api/v1/auth/logout"]
EXAMPLES = 12  # per operation: ~25 operations, ~15 s in all
# a time range given as two numbers (history start/end, a silence's window) is refused with 422 and
# a clear message when it runs backwards; the document cannot say so, and the positive-data check
# would count that refusal as a fault; so is a warning signal whose colour its type does not use (雷电 has
# no blue) or whose end is not after its start
CROSS_FIELD = {"/api/v1/history", "/api/v1/silences", "/api/v1/warnings"}


def test_the_document_lists_every_route(site: RunningSite) -> None:
    doc = httpx.get(site.url + "openapi.json").json()
    paths = set(doc["paths"])
    for path in (
        "/api/v1/site",
        "/api/v1/devices/{device_id}",
        "/api/v1/readings/latest",
        "/api/v1/history",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}/acknowledge",
        "/api/v1/alerts/{alert_id}/resolve",
        "/api/v1/warnings",
        "/api/v1/warnings/{signal_id}/clear",
        "/api/v1/silences",
        "/api/v1/silences/{silence_id}",
        "/api/v1/cameras",
        "/api/v1/cameras/{camera_id}/latest.jpg",
        "/api/v1/alerts/{alert_id}/evidence.jpg",
        "/api/v1/health",
        "/api/v1/stream",
        "/api/v1/auth/login",
        "/api/v1/users",
        "/api/v1/tokens",
        "/metrics",
    ):
        assert path in paths, path
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def checker(operation: schemathesis.APIOperation, headers: dict[str, str]) -> Callable[[], None]:
    """A Hypothesis test of one operation: generated requests, each answer checked against the document."""
    excluded = [schemathesis.checks.positive_data_acceptance] if operation.path in CROSS_FIELD else []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, timeout=10, excluded_checks=excluded)

    return check


def run_every_operation(
    base_url: str,
    make_check: Callable[[schemathesis.APIOperation], Callable[[], None]],
    excluded: list[str] = EXCLUDED,
    at_least: int = 20,
) -> list[str]:
    """Run ``make_check(operation)()`` for every operation of the document at ``base_url``/openapi.json but
    ``excluded`` paths; all must pass, and there must be ``at_least`` of them."""
    schema = schemathesis.openapi.from_url(base_url + "openapi.json").exclude(path=excluded)
    failures: dict[str, str] = {}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)
        try:
            make_check(operation)()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            failures[operation.label] = _described(exc)[:2000]
    assert len(tested) >= at_least, tested
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    return tested


def _described(exc: BaseException) -> str:
    """The failure's text, with the sub-failures of a group (their text is the useful part)."""
    parts = [str(exc)]
    if isinstance(exc, BaseExceptionGroup):
        parts += [str(sub) for sub in exc.exceptions]
    return "\n".join(parts)


def test_every_operation_answers_as_documented(site: RunningSite) -> None:
    site.gw.auth.anonymous_read = False  # type: ignore[union-attr]
    try:
        headers = site.login("admin1")
        run_every_operation(site.url, lambda operation: checker(operation, headers))
    finally:
        site.gw.auth.anonymous_read = True  # type: ignore[union-attr]
