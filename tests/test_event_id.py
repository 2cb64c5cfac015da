"""AlertEvent ids are UUIDv7 as RFC 9562 §5.7 lays them out, checked field by field from the RFC.

unix_ts_ms: bits 0-47 (big-endian milliseconds since 1970), ver: bits 48-51 = 0b0111, rand_a: 12 bits,
var: bits 64-65 = 0b10, rand_b: 62 bits. The RFC's own example (Appendix A.6) is
017F22E2-79B0-7CC3-98C4-DC0C0C07398F for 2022-02-22 19:22:22 UTC (1645557742000 ms).
"""

from __future__ import annotations

import time
import uuid

from contract.alert_event import AlertEvent, new_event_id


def _unix_ms(u: uuid.UUID) -> int:
    return u.int >> 80


def test_the_rfc_example_reads_as_its_stated_time() -> None:
    # the reading of the fields used below, checked on the RFC's own value first
    example = uuid.UUID("017F22E2-79B0-7CC3-98C4-DC0C0C07398F")
    assert (example.version, example.variant) == (7, uuid.RFC_4122)
    assert _unix_ms(example) == 1645557742000


def test_ids_are_version_7_with_the_clock_in_their_first_48_bits() -> None:
    before = time.time_ns() // 1_000_000
    ids = [uuid.UUID(new_event_id()) for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in ids)
    assert all(before <= _unix_ms(u) <= after for u in ids)
    assert len(set(ids)) == 1000
    assert len({u.int & ((1 << 62) - 1) for u in ids}) == 1000, "rand_b must differ"


def test_ids_of_later_milliseconds_sort_after_earlier_ones_as_text() -> None:
    first = new_event_id()
    time.sleep(0.003)
    second = new_event_id()
    assert first < second
    assert (
        AlertEvent(
            alert_id="p:d::r",
            project="p",
            device="d",
            rule="r",
            clause="c",
            level="alarm",
            state="firing",
            ts=0,
        ).event_id
        != first
    )
