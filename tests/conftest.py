"""Settings every test folder shares.

Hypothesis's per-example deadline (200 ms) measures the machine, not the property: on a 2-core CI box under
a full run a geometry example took longer and failed a test whose every answer was right. Properties are
judged on their answers here; speed has its own benchmarks (make bench).

The same for the tests' HTTP clients: httpx waits 5 s for an answer by default, and on a 2-core box running the
suite on two workers a sign-in to a regulator serving from the test's own event loop once took longer. A
test's client waits 30 s unless the test says otherwise; latency is measured where it is a goal (bench/, and
the tests that time a delivery), never by a client giving up. The product's own clients keep their timeouts."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings

settings.register_profile("sitegw", deadline=None)
settings.load_profile("sitegw")

for _client in (httpx.Client, httpx.AsyncClient):
    assert _client.__init__.__kwdefaults__ is not None  # keyword-only: the default lives here
    _client.__init__.__kwdefaults__["timeout"] = httpx.Timeout(30.0)


@pytest.fixture(scope="session", autouse=True)
def _no_evidence_left_in_the_clone() -> Iterator[None]:
    """A regulator on PostgreSQL keeps evidence in ./regulator-evidence unless told otherwise (serve's default);
    a test that forgets its evidence_dir would leave pictures in the clone, where they were once committed."""
    folder = Path("regulator-evidence")
    there = folder.exists()
    yield
    assert there or not folder.exists(), (
        "a test wrote evidence into ./regulator-evidence: give its RegulatorServer evidence_dir=tmp_path / 'evidence'"
    )
