"""The regulator's database loses its primary mid-ingest (issue: a database that survives losing a machine).

A pg_auto_failover formation on loopback (tests/servers/pg_ha.py: monitor, primary, synchronous standby),
``sitegw regulator serve`` on the multi-host URL that follows the primary, simulated gateways sending
signed events and retrying each until answered 2xx, as the outbox does (bench/regulator_failover.py). The
primary's machine is lost (keeper, postmaster and backends SIGKILLed) a few seconds in. A user counts:
every event answered 2xx is in the database the standby became (none lost), none is stored twice, and
the gateways were without service for seconds, not minutes.
"""

from __future__ import annotations

import os

import pytest

from bench.regulator_failover import failover
from tests.faults.conftest import FaultRow
from tests.servers.pg_ha import MISSING

pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

SECONDS = float(os.environ.get("SITEGW_FAILOVER_S", "20"))
NO_SERVICE_LIMIT_S = (
    60.0  # the monitor's checks as the test tightens them: a few seconds; a minute is a failure
)


def test_losing_the_primary_loses_no_answered_event(fault_table: list[FaultRow]) -> None:
    gateways, rate = 20, 40.0
    out, state = failover(gateways, rate, SECONDS, kill_at=SECONDS / 3)
    sent = int(SECONDS * rate)
    assert len(out.answered) == sent, (
        f"every event is answered in the end: {len(out.answered)} of {sent}\n{state}"
    )
    assert out.lost == 0, f"{out.lost} events answered 2xx are not in the new primary\n{state}"
    assert out.stored_twice == 0, f"{out.stored_twice} events stored twice\n{state}"
    assert out.failures > 0, "the primary's loss was seen by the gateways (else the test proved nothing)"
    gap = out.no_service_s()
    assert gap < NO_SERVICE_LIMIT_S, f"{gap:.1f} s without service\n{state}"
    fault_table.append(
        FaultRow(
            scenario="regulator_db_failover",
            fault="primary PostgreSQL's machine lost (SIGKILL), pg_auto_failover promotes the standby",
            readings_lost=None,
            events_lost=out.lost,
            duplicates_stored=out.stored_twice,
            recover_s=round(gap, 1),
            events=len(out.answered),
        )
    )
