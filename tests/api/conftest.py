"""One simulated site for the API tests of a module (starting one costs ~2 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.site import RunningSite, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """The demo site, running for the whole module."""
    with running_site(Path(tmp_path_factory.mktemp("site"))) as s:
        yield s
