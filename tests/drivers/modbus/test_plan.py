"""Request planning: as few requests as the protocol limits and the map's max_gap allow."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.config.profile import FunctionCode, ModbusMap
from drivers.modbus.plan import MAX_BITS, MAX_REGISTERS, plan_requests


def mmap(values: list[dict[str, object]], max_gap: int = 0) -> ModbusMap:
    return ModbusMap.model_validate({"max_gap": max_gap, "values": values})


def spans(m: ModbusMap) -> list[tuple[str, int, int]]:
    return [(r.function.value, r.address, r.count) for r in plan_requests(m)]


def test_adjacent_values_share_a_request_and_gaps_split_them() -> None:
    m = mmap(
        [
            {"metric": "a", "address": 0},
            {"metric": "b", "address": 1, "type": "float32"},
            {"metric": "c", "address": 5},
        ]
    )
    assert spans(m) == [("holding", 0, 3), ("holding", 5, 1)]


def test_max_gap_reads_through_unmapped_registers() -> None:
    values = [{"metric": "a", "address": 0}, {"metric": "c", "address": 5}]
    assert spans(mmap(values, max_gap=2)) == [("holding", 0, 1), ("holding", 5, 1)]
    assert spans(mmap(values, max_gap=4)) == [("holding", 0, 6)]


def test_function_codes_are_never_mixed() -> None:
    m = mmap(
        [
            {"metric": "a", "address": 0},
            {"metric": "b", "function": "input", "address": 1},
            {"metric": "c", "function": "coils", "address": 0, "type": "bit"},
            {"metric": "d", "function": "discrete_inputs", "address": 1, "type": "bit"},
        ],
        max_gap=10,
    )
    assert spans(m) == [("coils", 0, 1), ("discrete_inputs", 1, 1), ("holding", 0, 1), ("input", 1, 1)]


def test_bits_of_one_register_are_one_read() -> None:
    m = mmap([{"metric": f"f{i}", "address": 12, "type": "bit", "bit": i} for i in range(6)])
    assert spans(m) == [("holding", 12, 1)]


def test_registers_split_at_125_and_bits_at_2000() -> None:
    regs = mmap([{"metric": f"r{i}", "address": i} for i in range(300)])
    assert [c for _, _, c in spans(regs)] == [125, 125, 50]
    bits = mmap([{"metric": f"b{i}", "function": "coils", "address": i, "type": "bit"} for i in range(4100)])
    assert [c for _, _, c in spans(bits)] == [2000, 2000, 100]


@settings(max_examples=150, deadline=None)
@given(
    addresses=st.lists(st.integers(0, 600), min_size=1, max_size=60, unique=True),
    gap=st.integers(0, 20),
    function=st.sampled_from(list(FunctionCode)),
)
def test_plan_covers_every_value_within_limits(
    addresses: list[int], gap: int, function: FunctionCode
) -> None:
    bit = function in (FunctionCode.COILS, FunctionCode.DISCRETE_INPUTS)
    m = mmap(
        [
            {"metric": f"v{a}", "function": function.value, "address": a, "type": "bit" if bit else "uint16"}
            for a in addresses
        ],
        max_gap=gap,
    )
    requests = plan_requests(m)
    limit = MAX_BITS if bit else MAX_REGISTERS
    covered = {v.metric for r in requests for v in r.values}
    assert covered == {f"v{a}" for a in addresses}
    for r in requests:
        assert r.count <= limit
        assert all(r.address <= v.address and v.address + v.words <= r.end for v in r.values)
    # merging is greedy but never wasteful: consecutive requests are further apart than max_gap or full
    for a, b in itertools.pairwise(requests):
        assert b.address - a.end > gap or (b.end - a.address) > limit
